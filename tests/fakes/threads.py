"""Meta's Threads API as documented (developers.facebook.com/docs/threads): media containers
(POST /{threads-user-id}/threads: TEXT, IMAGE, CAROUSEL with item containers, `reply_to_id`,
`alt_text`, `link_attachment`), their status (GET /{container}?fields=status,error_message),
POST /{threads-user-id}/threads_publish, the profile's posts (GET /{threads-user-id}/threads),
a post's replies (GET /{threads-media-id}/replies with `is_reply_owned_by_me`),
GET /{threads-user-id}/threads_publishing_limit (250 posts and 1,000 replies per 24 hours),
DELETE /{threads-media-id}, GET /debug_token and GET /refresh_access_token (th_refresh_token).
Access tokens as `access_token` parameters; errors as Graph errors (graph.py) of type
THApiException (an object that does not exist: code 100, subcode 33). Faults are queued with `fail()` (api.py)."""

from __future__ import annotations

import itertools

from . import graph
from .api import FakeApi, Request, Response
from .graph import invalid_token, polled, quota, refreshed_token, token_of

VERSION = "v1.0"
USER, TOKEN = "26149817493012345", "THAAthreads-token-5d1e7a"
REFRESHED = "THAAthreads-token-refreshed-93b0c4"
BASE = f"/{VERSION}"
MAX_CHARACTERS, CAROUSEL_MAX = 500, 20


KIND, TRACE = "THApiException", "AxYz0123Threads"  # the type and a trace id of Threads' errors


def error(code: int, message: str, subcode: int | None = None) -> dict:
    return graph.error(code, message, KIND, subcode, TRACE)


def length(text: str) -> int:
    """500 characters, an emoji counted as its UTF-8 bytes (the posts guide)."""
    return sum(len(c.encode()) if ord(c) >= 0x1F000 or 0x2600 <= ord(c) <= 0x27BF else 1 for c in text)


class FakeThreads(FakeApi):
    def __init__(self):
        super().__init__()
        self.ids = itertools.count(18000000000000001)
        self.tokens = {TOKEN}
        self.containers: dict[str, dict] = {}
        self.posts: list[dict] = []  # published, posts and replies, oldest first
        self.deleted: list[str] = []
        self.in_progress_polls = 0  # how often a new container says IN_PROGRESS first
        self.container_outcome = "FINISHED"
        self.quota_used, self.quota_total = 0, 250
        self.replies_used, self.replies_total = 0, 1000
        self.token_expires_at = 0  # /debug_token: 0 means it never expires
        self.on_publish = None  # called with the number of posts after each one is published
        self.on_delete = None  # called with the number of deletions after each one
        self.route("POST", rf"{BASE}/(?P<user>\d+)/threads", self.container_create)
        self.route("POST", rf"{BASE}/(?P<user>\d+)/threads_publish", self.publish)
        self.route("GET", rf"{BASE}/(?P<user>\d+)/threads", self.profile_posts)
        self.route("GET", rf"{BASE}/(?P<user>\d+)/threads_publishing_limit", self.publishing_limit)
        self.route("GET", rf"{BASE}/(?P<post>\d+)/replies", self.replies)
        self.route("GET", rf"{BASE}/debug_token", self.debug_token)
        self.route("GET", r"/refresh_access_token", self.refresh)
        self.route("DELETE", rf"{BASE}/(?P<node>\d+)", self.delete)
        self.route("GET", rf"{BASE}/(?P<node>\d+)", self.node)

    @property
    def env(self) -> dict:
        return {"NEWSROOM_THREADS_USER_ID": USER, "NEWSROOM_THREADS_TOKEN": TOKEN, "NEWSROOM_THREADS_BASE_URL": self.url}

    def _refused(self, request: Request) -> Response | None:
        if token_of(request) not in self.tokens:
            return invalid_token(KIND, TRACE)
        if request.params.get("user", USER) != USER:
            return Response(400, error(100, "Object does not exist", 33))
        return None

    @staticmethod
    def _absent(node: str) -> Response:
        return graph.absent(f"Unsupported request. Object with ID '{node}' does not exist, cannot be loaded due to "
                            "missing permissions, or does not support this operation", KIND, TRACE)

    def _post(self, post_id: str) -> dict | None:
        return next((p for p in self.posts if p["id"] == post_id), None)

    # -- publishing ------------------------------------------------------------------------------

    def container_create(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        form = request.form()
        kind, text = form.get("media_type"), form.get("text", "")
        if kind not in ("TEXT", "IMAGE", "VIDEO", "CAROUSEL"):
            return Response(400, error(100, "The parameter media_type is required."))
        if kind == "TEXT" and not text:
            return Response(400, error(100, "The parameter text is required for text posts."))
        if length(text) > MAX_CHARACTERS:
            return Response(400, error(100, "Param text must be at most 500 characters long."))
        if kind == "IMAGE" and not form.get("image_url", "").startswith("https://"):
            return Response(400, error(100, "Param image_url must be a valid URL."))
        with self.lock:
            if kind == "CAROUSEL":
                children = [c for c in form.get("children", "").split(",") if c]
                if not 2 <= len(children) <= CAROUSEL_MAX or any(
                        not self.containers.get(c, {}).get("form", {}).get("is_carousel_item") for c in children):
                    return Response(400, error(100, "Carousel children must be 2 to 20 carousel item containers."))
            reply_to = form.get("reply_to_id")
            if reply_to and self._post(reply_to) is None:
                return self._absent(reply_to)
            container_id = str(next(self.ids))
            self.containers[container_id] = {"form": form, "outcome": self.container_outcome,
                                             "polls_left": self.in_progress_polls}
        return Response(200, {"id": container_id})

    def publish(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        with self.lock:
            container = self.containers.get(request.form().get("creation_id", ""))
            if container is None or container["outcome"] != "FINISHED" or container["form"].get("is_carousel_item"):
                return Response(400, error(24, "The requested resource does not exist", 4279009))
            form = container["form"]
            reply = bool(form.get("reply_to_id"))
            if (self.replies_used >= self.replies_total) if reply else (self.quota_used >= self.quota_total):
                return Response(400, error(4, "Application request limit reached"))
            container["outcome"] = "PUBLISHED"
            media_id = str(next(self.ids))
            children = [self.containers[c]["form"] for c in form.get("children", "").split(",") if c]
            self.posts.append({
                "id": media_id, "text": form.get("text", ""), "media_type": form["media_type"],
                "image_url": form.get("image_url"), "alt_text": form.get("alt_text"),
                "link_attachment_url": form.get("link_attachment"), "children": children,
                "reply_to": form.get("reply_to_id"), "mine": True,
                "permalink": f"https://www.threads.com/@duesseldorf/post/D{media_id[-8:]}",
                "timestamp": "2026-11-26T11:00:00+0000"})
            if reply:
                self.replies_used += 1
            else:
                self.quota_used += 1
            count = len(self.posts)
        if self.on_publish:
            self.on_publish(count)
        return Response(200, {"id": media_id})

    def publishing_limit(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        fields = request.query.get("fields", "quota_usage,config").split(",")
        with self.lock:
            entry = {**quota(self.quota_used, self.quota_total),
                     **quota(self.replies_used, self.replies_total, prefix="reply_")}
        return Response(200, {"data": [{k: v for k, v in entry.items() if k in fields}]})

    # -- reading ---------------------------------------------------------------------------------

    @staticmethod
    def _fields(post: dict, fields: list[str]) -> dict:
        shown = {**post, "is_reply_owned_by_me": post["mine"], "is_reply": bool(post["reply_to"])}
        return {k: shown[k] for k in fields if k in shown}

    def profile_posts(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        fields = request.query.get("fields", "id").split(",")
        with self.lock:
            data = [self._fields(p, fields) for p in reversed(self.posts) if p["mine"] and not p["reply_to"]]
        return Response(200, {"data": data[:int(request.query.get("limit", 25))],
                              "paging": {"cursors": {"before": "a", "after": "b"}}})

    def replies(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        fields = request.query.get("fields", "id").split(",")
        with self.lock:
            if self._post(request.params["post"]) is None:
                return self._absent(request.params["post"])
            found = [p for p in self.posts if p["reply_to"] == request.params["post"]]
            if request.query.get("reverse", "true") == "true":
                found.reverse()
            data = [self._fields(p, fields) for p in found]
        return Response(200, {"data": data, "paging": {"cursors": {"before": "a", "after": "b"}}})

    def node(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        node = request.params["node"]
        with self.lock:
            container, post = self.containers.get(node), self._post(node)
            if container is not None:
                status = polled(container)
                answer = {"id": node, "status": status}
                if status == "ERROR":
                    answer["error_message"] = "FAILED_DOWNLOADING_IMAGE"
                return Response(200, answer)
        if post is not None:
            return Response(200, self._fields(post, request.query.get("fields", "id").split(",")))
        return self._absent(node)

    def reader_reply(self, post_id: str, text: str) -> None:
        """A reply by someone else (a reader), which a correction's lookup must pass over."""
        with self.lock:
            self.posts.append({"id": str(next(self.ids)), "text": text, "media_type": "TEXT_POST", "image_url": None,
                               "alt_text": None, "link_attachment_url": None, "children": [], "reply_to": post_id,
                               "mine": False, "permalink": "https://www.threads.com/@leserin/post/Dx",
                               "timestamp": "2026-11-26T12:00:00+0000"})

    # -- deleting and tokens -----------------------------------------------------------------------

    def delete(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        node = request.params["node"]
        with self.lock:
            post = self._post(node)
            if post is None or not post["mine"]:
                return self._absent(node)
            self.posts.remove(post)
            self.deleted.append(node)
            count = len(self.deleted)
        if self.on_delete:
            self.on_delete(count)
        return Response(200, {"success": True, "deleted_id": node})

    def debug_token(self, request: Request) -> Response:
        if request.query.get("access_token") not in self.tokens or request.query.get("input_token") not in self.tokens:
            return invalid_token(KIND, TRACE)
        return Response(200, {"data": {"type": "USER", "application": "Newsroom Düsseldorf", "is_valid": True,
                                       "expires_at": self.token_expires_at, "user_id": USER,
                                       "scopes": ["threads_basic", "threads_content_publish"]}})

    def refresh(self, request: Request) -> Response:
        if request.query.get("grant_type") != "th_refresh_token":
            return Response(400, error(100, "Unsupported grant_type"))
        if request.query.get("access_token") not in self.tokens:
            return invalid_token(KIND, TRACE)
        with self.lock:
            self.tokens.add(REFRESHED)
        return refreshed_token(REFRESHED)

    def posts_for(self, url: str) -> list[dict]:
        return [p for p in self.posts if url in p["text"] and not p["reply_to"]]

    def replies_to(self, post_id: str) -> list[dict]:
        return [p for p in self.posts if p["reply_to"] == post_id]
