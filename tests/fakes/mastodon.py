"""Mastodon's statuses and media API as documented (docs.joinmastodon.org/methods/statuses):
Bearer token, Idempotency-Key remembered per account, X-RateLimit-* headers, 429, error bodies
as {"error": "…"}."""

from __future__ import annotations

import itertools

from .base import FakeHandler, FakeServer

TOKEN = "mastodon-test-token-7f3a9c"


class MastodonHandler(FakeHandler):
    def _authorised(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {self.server.token}":
            # Like some proxies, echo what came in: the client must keep it out of every record.
            self.send_json(401, {"error": f"The access token is invalid ({self.headers.get('Authorization')})"})
            return False
        return True

    def _limits(self) -> dict:
        return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299",
                "X-RateLimit-Reset": "2026-11-26T12:05:00.000Z"}

    def do_GET(self):
        server = self.server
        server.note("GET", self.path)
        if not self._authorised():
            return
        if self.path.startswith("/api/v1/accounts/verify_credentials"):
            self.send_json(200, {"id": "1", "username": "duesseldorf"}, self._limits())
        elif self.path.startswith("/api/v1/accounts/1/statuses"):
            with server.lock:
                newest = list(reversed(server.statuses))[: int(self.query().get("limit", 20))]
            self.send_json(200, newest, self._limits())
        elif self.path.startswith("/api/v2/instance"):
            self.send_json(200, {"configuration": {"statuses": {"max_characters": 500,
                                                               "characters_reserved_per_url": 23}}})
        else:
            self.send_json(404, {"error": "Record not found"})

    def do_POST(self):
        server = self.server
        server.note("POST", self.path)
        form = self.form()
        if not self._authorised():
            return
        if self.path == "/api/v2/media":
            self.send_json(200, {"id": str(next(server.ids)), "type": "image"}, self._limits())
            return
        if self.path != "/api/v1/statuses":
            self.send_json(404, {"error": "Record not found"})
            return
        fault = server.next_fault()
        if fault == "429":
            self.send_json(429, {"error": "Too many requests"}, {**self._limits(), "X-RateLimit-Remaining": "0",
                                                                  "Retry-After": "1"})
            return
        if fault == "500":
            self.send_json(500, {"error": "Internal server error"})
            return
        if fault == "400":
            self.send_json(422, {"error": f"Validation failed: Text too long "
                                          f"(token {self.headers.get('Authorization')})"})
            return
        key = self.headers.get("Idempotency-Key")
        with server.lock:
            status = server.by_key.get(key) if key else None
            created = status is None
            if created:
                number = next(server.ids)
                status = {"id": str(number), "url": f"{server.url}/@duesseldorf/{number}",
                          "content": form.get("status", ""), "language": form.get("language"),
                          "media_attachments": form.get("media_ids[]", [])}
                server.statuses.append(status)
                if key:
                    server.by_key[key] = status
            count = len(server.statuses)
        if created and server.on_write:
            server.on_write(count)
        if fault in ("drop", "kill"):
            self.drop()
            return
        self.send_json(200, status, self._limits())


class FakeMastodon(FakeServer):
    def __init__(self, token: str = TOKEN):
        super().__init__(MastodonHandler)
        self.token = token
        self.statuses: list[dict] = []
        self.by_key: dict[str, dict] = {}
        self.ids = itertools.count(100)

    def posts_for(self, url: str) -> list[dict]:
        return [s for s in self.statuses if url in s["content"]]
