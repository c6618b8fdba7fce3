"""LinkedIn's REST API as documented (learn.microsoft.com/linkedin, Community Management): the
Posts API (create with the URN in `x-restli-id`, the author finder, delete), the Images API
(initializeUpload, then PUT to the upload address), comments under /rest/socialActions, and
OAuth's introspectToken and accessToken (refresh) on the same server. Every /rest/ call needs
a bearer token and `LinkedIn-Version`: without it 400 VERSION_MISSING, with a version that is
not active 426 NONEXISTENT_VERSION. Errors are `{"status", "code", "message"}`; a post equal to
one the author has (commentary and card) is refused with 422 DUPLICATE_POST naming it. The daily
limits answer 429 without a reset time (queue with `fail()`, see api.py)."""

from __future__ import annotations

import itertools
import time
from urllib.parse import unquote

from .api import Answer, FakeApi, Request, Response

TOKEN = "AQV-linkedin-test-token-4d1f"
REFRESH = "AQX-linkedin-refresh-9b2c"
CLIENT_ID, CLIENT_SECRET = "86linkedinclient", "linkedin-client-secret-77"
ORGANIZATION = "urn:li:organization:2414183"
ACTIVE = ("202605", "202608", "202611")
DAY_LIMIT = Answer(429, {"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS",
                         "message": "Resource level throttle APPLICATION DAY limit for calls to this resource is "
                                    "reached."})


def error(status: int, code: str, message: str) -> Response:
    return Response(status, {"status": status, "code": code, "message": message})


class FakeLinkedIn(FakeApi):
    def __init__(self, token: str = TOKEN):
        super().__init__()
        self.token = token
        self.expires_at = int(time.time()) + 50 * 86400
        self.numbers = itertools.count(7140000000000000001)
        self.posts: list[dict] = []  # in order of creation
        self.images: dict[str, dict] = {}  # image URN → {"owner", "data"}
        self.comments: dict[str, list[dict]] = {}  # post URN → its comments
        self.deleted: list[str] = []
        self.on_write = None  # called with the number of posts after each one is created
        self.route("POST", "/rest/posts", self.create_post)
        self.route("GET", "/rest/posts", self.find_posts)
        self.route("DELETE", r"/rest/posts/(?P<urn>[^/]+)", self.delete_post)
        self.route("POST", "/rest/images", self.initialize_upload)
        self.route("PUT", r"/dms-uploads/(?P<image>[^/]+)", self.upload)
        self.route("POST", r"/rest/socialActions/(?P<urn>[^/]+)/comments", self.create_comment)
        self.route("GET", r"/rest/socialActions/(?P<urn>[^/]+)/comments", self.list_comments)
        self.route("DELETE", r"/rest/socialActions/(?P<urn>[^/]+)/comments/(?P<comment>[^/]+)", self.delete_comment)
        self.route("POST", "/oauth/v2/introspectToken", self.introspect)
        self.route("POST", "/oauth/v2/accessToken", self.access_token)

    @property
    def env(self) -> dict:
        return {"NEWSROOM_LINKEDIN_ORGANIZATION": ORGANIZATION.rsplit(":", 1)[1], "NEWSROOM_LINKEDIN_TOKEN": self.token,
                "NEWSROOM_LINKEDIN_BASE_URL": self.url, "NEWSROOM_LINKEDIN_OAUTH_URL": self.url}

    @property
    def oauth_env(self) -> dict:
        return {**self.env, "NEWSROOM_LINKEDIN_CLIENT_ID": CLIENT_ID, "NEWSROOM_LINKEDIN_CLIENT_SECRET": CLIENT_SECRET,
                "NEWSROOM_LINKEDIN_REFRESH_TOKEN": REFRESH}

    def _refused(self, request: Request) -> Response | None:
        if request.header("authorization") != f"Bearer {self.token}":
            return error(401, "INVALID_ACCESS_TOKEN", "Invalid access token")
        version = request.header("linkedin-version")
        if not version:
            return error(400, "VERSION_MISSING", "A version must be present. Please specify a version by adding the "
                                                 "LinkedIn-Version header.")
        if version not in ACTIVE:
            return error(426, "NONEXISTENT_VERSION", f"Requested version {version}01 is not active")
        return None

    # -- posts -------------------------------------------------------------------------------

    def create_post(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        body = request.json()
        if body.get("author") != ORGANIZATION:
            return error(403, "ACCESS_DENIED", f"Not enough permissions to post as {body.get('author')}")
        for field in ("commentary", "visibility", "distribution", "lifecycleState"):
            if field not in body:
                return error(422, "FIELD_MISSING", f"/{field} :: field is required but not found and has no default")
        if len(body["commentary"]) > 3000:
            return error(422, "INVALID_VALUE", "/commentary :: length of commentary exceeds 3000")
        article = (body.get("content") or {}).get("article") or {}
        thumbnail = article.get("thumbnail")
        with self.lock:
            if thumbnail and (thumbnail not in self.images or self.images[thumbnail]["data"] is None):
                return error(400, "INVALID_CONTENT", f"Image {thumbnail} has not been uploaded")
            for post in self.posts:
                if (post["commentary"], post.get("content")) == (body["commentary"], body.get("content")):
                    return error(422, "DUPLICATE_POST", f"Content is a duplicate of {post['id']}")
            urn = f"urn:li:share:{next(self.numbers)}"
            self.posts.append({**body, "id": urn, "createdAt": int(time.time() * 1000)})
            count = len(self.posts)
        if self.on_write:
            self.on_write(count)
        return Response(201, None, {"x-restli-id": urn})

    def find_posts(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        if request.query.get("q") != "author" or not request.query.get("author"):
            return error(400, "ILLEGAL_ARGUMENT", "Finder 'author' needs the parameter author")
        count = int(request.query.get("count", 10))
        with self.lock:
            found = [p for p in reversed(self.posts) if p["author"] == request.query["author"]][:count]
        return Response(200, {"paging": {"start": 0, "count": count, "links": []}, "elements": found})

    def delete_post(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        urn = unquote(request.params["urn"])
        with self.lock:
            found = next((p for p in self.posts if p["id"] == urn), None)
            if found is None:
                return error(404, "NOT_FOUND", f"Post {urn} does not exist")
            self.posts.remove(found)
            self.deleted.append(urn)
            self.comments.pop(urn, None)  # a post's comments go with it
        return Response(204)

    # -- images ------------------------------------------------------------------------------

    def initialize_upload(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        if request.query.get("action") != "initializeUpload":
            return error(400, "ILLEGAL_ARGUMENT", "Unknown action")
        owner = (request.json().get("initializeUploadRequest") or {}).get("owner")
        number = next(self.numbers)
        urn = f"urn:li:image:D4E10AQ{number}"
        with self.lock:
            self.images[urn] = {"owner": owner, "data": None}
        return Response(200, {"value": {"uploadUrlExpiresAt": int(time.time() * 1000) + 86400000,
                                        "uploadUrl": f"{self.url}/dms-uploads/D4E10AQ{number}?ca=vector_feedshare",
                                        "image": urn}})

    def upload(self, request: Request) -> Response:
        if request.header("authorization") != f"Bearer {self.token}":
            return error(401, "INVALID_ACCESS_TOKEN", "Invalid access token")
        urn = f"urn:li:image:{request.params['image']}"
        with self.lock:
            if urn not in self.images:
                return error(404, "NOT_FOUND", "Upload URL unknown")
            self.images[urn]["data"] = request.body
        return Response(201)

    # -- comments ----------------------------------------------------------------------------

    def create_comment(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        target, body = unquote(request.params["urn"]), request.json()
        with self.lock:
            if not any(p["id"] == target for p in self.posts):
                return error(404, "NOT_FOUND", f"{target} does not exist")
            number = str(next(self.numbers))
            comment = {"actor": body.get("actor"), "object": body.get("object"), "message": body.get("message"),
                       "id": number, "commentUrn": f"urn:li:comment:(urn:li:activity:{target.rsplit(':', 1)[1]},"
                                                   f"{number})", "created": {"time": int(time.time() * 1000)}}
            self.comments.setdefault(target, []).append(comment)
        return Response(201, comment, {"x-restli-id": number})

    def list_comments(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        with self.lock:
            found = list(self.comments.get(unquote(request.params["urn"]), []))
        return Response(200, {"paging": {"start": 0, "count": len(found), "links": []}, "elements": found})

    def delete_comment(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        target, number = unquote(request.params["urn"]), unquote(request.params["comment"])
        with self.lock:
            comments = self.comments.get(target, [])
            found = next((c for c in comments if c["id"] == number and c["actor"] == request.query.get("actor")), None)
            if found is None:
                return error(404, "NOT_FOUND", f"Comment {number} does not exist")
            comments.remove(found)
            self.deleted.append(found["commentUrn"])
        return Response(204)

    # -- OAuth -------------------------------------------------------------------------------

    def _app(self, form: dict) -> Response | None:
        if form.get("client_id") != CLIENT_ID:
            return Response(400, {"error": "invalid_request", "error_description": "Unknown client_id"})
        if form.get("client_secret") != CLIENT_SECRET:
            return Response(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        return None

    def introspect(self, request: Request) -> Response:
        form = request.form()
        refused = self._app(form)
        if refused:
            return refused
        if form.get("token") != self.token:
            return Response(200, {"active": False, "status": "revoked"})
        return Response(200, {"active": True, "client_id": CLIENT_ID, "status": "active", "auth_type": "3L",
                              "expires_at": self.expires_at, "scope": "r_organization_social,w_organization_social"})

    def access_token(self, request: Request) -> Response:
        form = request.form()
        refused = self._app(form)
        if refused:
            return refused
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != REFRESH:
            return Response(400, {"error": "invalid_grant", "error_description": "The provided authorization grant "
                                                                                 "or refresh token is invalid"})
        with self.lock:
            self.token = f"AQV-renewed-{next(self.numbers)}"
            self.expires_at = int(time.time()) + 60 * 86400
        return Response(200, {"access_token": self.token, "expires_in": 5183999, "refresh_token": REFRESH,
                              "refresh_token_expires_in": 25000000})

    def posts_for(self, url: str) -> list[dict]:
        return [p for p in self.posts if ((p.get("content") or {}).get("article") or {}).get("source") == url]
