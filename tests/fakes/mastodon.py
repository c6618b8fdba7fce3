"""A Mastodon instance as documented (docs.joinmastodon.org): GET /api/v2/instance with its
own limits, POST /api/v1/statuses honouring `Idempotency-Key` (remembered per account),
media, the account's statuses for lookups, `X-RateLimit-*` headers (reset as ISO time) and
`{"error": "…"}` bodies. Faults are queued with `fail()` (see api.py)."""

from __future__ import annotations

import itertools

from .api import Answer, FakeApi, Request, Response

TOKEN = "mastodon-test-token-7f3a9c"
STATUSES = "/api/v1/statuses"
LIMITS = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299", "X-RateLimit-Reset": "2026-11-26T12:05:00.000Z"}


class FakeMastodon(FakeApi):
    def __init__(self, token: str = TOKEN, max_characters: int | None = 500):
        super().__init__()
        self.token = token
        self.max_characters = max_characters  # None: the instance does not say (old or other software)
        self.statuses: list[dict] = []
        self.by_key: dict[str, dict] = {}
        self.ids = itertools.count(113000000000000001)
        self.on_write = None  # called with the number of statuses after each one is created
        self.on_delete = None  # called with the number of deletions after each one
        self.route("GET", "/api/v2/instance", self.instance)
        self.route("POST", STATUSES, self.create)
        self.route("POST", "/api/v2/media", self.media)
        self.route("GET", "/api/v1/accounts/verify_credentials", self.me)
        self.route("GET", r"/api/v1/accounts/(?P<account>\d+)/statuses", self.account_statuses)
        self.route("DELETE", r"/api/v1/statuses/(?P<status>\d+)", self.delete)
        self.deleted: list[str] = []

    @property
    def env(self) -> dict:
        return {"NEWSROOM_MASTODON_TOKEN": self.token, "NEWSROOM_MASTODON_BASE_URL": self.url}

    def echoing_refusal(self) -> Answer:
        """A 422 whose body repeats the Authorization header, as some proxies do: the client
        must keep the token out of every record and log."""
        return Answer(422, {"error": f"Validation failed: Text too long (token Bearer {self.token})"})

    def _refused(self, request: Request) -> Response | None:
        if request.header("authorization") != f"Bearer {self.token}":
            return Response(401, {"error": f"The access token is invalid ({request.header('authorization')})"})
        return None

    def instance(self, request: Request) -> Response:
        if self.max_characters is None:
            return Response(404, {"error": "Record not found"})
        return Response(200, {"domain": "social.example", "configuration": {"statuses": {
            "max_characters": self.max_characters, "max_media_attachments": 4, "characters_reserved_per_url": 23}}})

    def create(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        form = request.form()
        text = form.get("status", "")
        key = request.header("idempotency-key")
        with self.lock:
            if key and key in self.by_key:
                return Response(200, self.by_key[key], LIMITS)
            if self.max_characters and len(text) > self.max_characters + 200:
                return Response(422, {"error": "Validation failed: Text character limit of "
                                               f"{self.max_characters} exceeded"})
            number = next(self.ids)
            status = {"id": str(number), "url": f"{self.url}/@stadt/{number}", "content": f"<p>{text}</p>",
                      "language": form.get("language"), "visibility": form.get("visibility"),
                      "in_reply_to_id": form.get("in_reply_to_id") or None}
            if status["in_reply_to_id"] and not any(s["id"] == status["in_reply_to_id"] for s in self.statuses):
                return Response(404, {"error": "Record not found"})
            self.statuses.append(status)
            if key:
                self.by_key[key] = status
            count = len(self.statuses)
        if self.on_write:
            self.on_write(count)
        return Response(200, status, LIMITS)

    def media(self, request: Request) -> Response:
        return self._refused(request) or Response(200, {"id": str(next(self.ids)), "type": "image"})

    def me(self, request: Request) -> Response:
        return self._refused(request) or Response(200, {"id": "42", "username": "stadt"})

    def account_statuses(self, request: Request) -> Response:
        with self.lock:
            return self._refused(request) or Response(200, list(reversed(self.statuses))[:40], LIMITS)

    def delete(self, request: Request) -> Response:
        """DELETE /api/v1/statuses/:id: the deleted status (its source text), 404 when there is none."""
        refused = self._refused(request)
        if refused:
            return refused
        with self.lock:
            found = next((s for s in self.statuses if s["id"] == request.params["status"]), None)
            if found is None:
                return Response(404, {"error": "Record not found"})
            self.statuses.remove(found)
            self.deleted.append(found["id"])
            count = len(self.deleted)
        if self.on_delete:
            self.on_delete(count)
        return Response(200, {**found, "text": found["content"][3:-4]}, LIMITS)

    def replies_to(self, status_id: str) -> list[dict]:
        return [s for s in self.statuses if s.get("in_reply_to_id") == status_id]

    def posts_for(self, url: str) -> list[dict]:
        return [s for s in self.statuses if url in s["content"]]
