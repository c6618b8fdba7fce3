"""Meta's Graph API as documented (developers.facebook.com): a Page feed (POST and GET
/{page-id}/feed, GET /{post-id}?fields=permalink_url), comments by the Page (POST and GET
/{page-post-id}/comments, pages_manage_engagement), DELETE /{page-post-id} (an object that
does not exist: error 100, subcode 33; a missing permission: error 200), Instagram content publishing
(POST /{ig-user-id}/media, GET /{container}?fields=status_code, POST
/{ig-user-id}/media_publish, GET /{ig-user-id}/media, /content_publishing_limit), Reels
(media_type=REELS with video_url: IN_PROGRESS while the video is fetched and converted) and
Stories (media_type=STORIES with image_url or video_url, no caption; GET /{ig-user-id}/stories
lists the active ones), and the refresh of an Instagram Login token (GET
/refresh_access_token?grant_type=ig_refresh_token, unversioned).
Access tokens as `access_token` parameters; errors as `{"error": {message, type, code,
error_subcode, fbtrace_id}}` (graph.py, as Threads answers them); usage in `X-Business-Use-Case-Usage`."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timezone

from .api import FakeApi, Request, Response
from .graph import absent, error, invalid_token, polled, quota, refreshed_token, token_of

VERSION = "v26.0"
PAGE_ID, PAGE_TOKEN = "104857600123", "EAAGpage-token-3f9c1d"
IG_USER, IG_TOKEN = "17841400008460056", "EAAGinsta-token-8e2b4a"


def usage(minutes: int) -> dict:
    """The header Meta sends with Page and Instagram tokens (Business Use Case limits)."""
    return {"X-Business-Use-Case-Usage": json.dumps(
        {PAGE_ID: [{"type": "pages", "call_count": 100, "total_cputime": 12, "total_time": 14,
                    "estimated_time_to_regain_access": minutes}]})}


class FakeGraph(FakeApi):
    def __init__(self):
        super().__init__()
        self.ids = itertools.count(9000000001)
        self.page_posts: list[dict] = []
        self.comments: list[dict] = []  # by the Page, on its posts
        self.deleted: list[str] = []
        # What the Page token was granted (a Page access token lists them in /debug_token).
        self.page_permissions = {"pages_manage_posts", "pages_read_engagement", "pages_manage_engagement"}
        self.containers: dict[str, dict] = {}
        self.media: list[dict] = []
        self.in_progress_polls = 0  # how often a new container says IN_PROGRESS first
        self.video_polls = 3  # … and a video container, while Meta fetches and converts the video
        self.container_outcome = "FINISHED"
        self.fetched: list[str] = []  # the addresses Meta fetched media from
        self.stories: list[dict] = []  # published Stories (all active: a test lasts less than 24 hours)
        self.on_publish = None  # called with the number of posts after each media_publish
        self.quota_used, self.quota_total = 0, 50
        self.token_expires_at = 0  # /debug_token: 0 means the token never expires
        self.data_access_expires_at = 0
        self.refreshed: list[str] = []  # tokens handed out by /refresh_access_token, in order
        base = f"/{VERSION}"
        self.route("POST", rf"{base}/(?P<page>\d+)/feed", self.page_create)
        self.route("GET", rf"{base}/(?P<page>\d+)/feed", self.page_feed)
        self.route("POST", rf"{base}/(?P<user>\d+)/media", self.container_create)
        self.route("POST", rf"{base}/(?P<user>\d+)/media_publish", self.media_publish)
        self.route("GET", rf"{base}/(?P<user>\d+)/media", self.media_list)
        self.route("GET", rf"{base}/(?P<user>\d+)/content_publishing_limit", self.publishing_limit)
        self.route("GET", rf"{base}/(?P<user>\d+)/stories", self.story_list)
        self.route("GET", rf"{base}/debug_token", self.debug_token)
        self.route("GET", r"/refresh_access_token", self.refresh_access_token)
        self.route("POST", rf"{base}/(?P<post>\d+_\d+)/comments", self.comment_create)
        self.route("GET", rf"{base}/(?P<post>\d+_\d+)/comments", self.comment_list)
        self.route("DELETE", rf"{base}/(?P<node>\d+_\d+)", self.page_post_delete)
        self.route("GET", rf"{base}/(?P<node>[\w]+)", self.node)

    @property
    def facebook_env(self) -> dict:
        return {"NEWSROOM_FACEBOOK_PAGE_ID": PAGE_ID, "NEWSROOM_FACEBOOK_PAGE_TOKEN": PAGE_TOKEN,
                "NEWSROOM_FACEBOOK_BASE_URL": self.url}

    @property
    def instagram_env(self) -> dict:
        return {"NEWSROOM_INSTAGRAM_USER_ID": IG_USER, "NEWSROOM_INSTAGRAM_TOKEN": IG_TOKEN,
                "NEWSROOM_INSTAGRAM_BASE_URL": self.url}

    @staticmethod
    def _refused(request: Request, token: str) -> Response | None:
        return invalid_token() if token_of(request) != token else None

    def debug_token(self, request: Request) -> Response:
        """Metadata of `input_token`, asked with a token of the same app (here: itself)."""
        token = request.query.get("input_token")
        if token not in (PAGE_TOKEN, IG_TOKEN) or request.query.get("access_token") not in (PAGE_TOKEN, IG_TOKEN):
            return invalid_token()
        return Response(200, {"data": {"app_id": "1234", "type": "PAGE" if token == PAGE_TOKEN else "USER",
                                       "is_valid": True, "expires_at": self.token_expires_at,
                                       "data_access_expires_at": self.data_access_expires_at}})

    def refresh_access_token(self, request: Request) -> Response:
        """A long-lived Instagram User token, unexpired, for another 60 days (a new token each time)."""
        if request.query.get("grant_type") != "ig_refresh_token":
            return Response(400, error(100, "Unsupported grant_type", "IGApiException"))
        if request.query.get("access_token") not in (IG_TOKEN, *self.refreshed):
            return invalid_token()
        token = f"IGAArefreshed-{len(self.refreshed) + 1}-7c1e90d2b4"
        self.refreshed.append(token)
        return refreshed_token(token)

    # -- Facebook Page ----------------------------------------------------------------

    def page_create(self, request: Request) -> Response:
        refused = self._refused(request, PAGE_TOKEN)
        if refused:
            return refused
        form = request.form()
        if not form.get("message") and not form.get("link"):
            return Response(400, error(100, "(#100) Missing message or attachment", "OAuthException"))
        post_id = f"{PAGE_ID}_{next(self.ids)}"
        with self.lock:
            self.page_posts.append({"id": post_id, "message": form.get("message", ""), "link": form.get("link"),
                                    "permalink_url": f"https://www.facebook.com/{PAGE_ID}/posts/{post_id[-10:]}",
                                    "created_time": "2026-11-26T11:00:00+0000", "proof": form.get("appsecret_proof")})
        return Response(200, {"id": post_id}, usage(0))

    def page_feed(self, request: Request) -> Response:
        refused = self._refused(request, PAGE_TOKEN)
        if refused:
            return refused
        fields = request.query.get("fields", "id").split(",")
        limit = int(request.query.get("limit", 25))
        with self.lock:
            data = [{k: p[k] for k in fields if k in p} for p in reversed(self.page_posts)][:limit]
        return Response(200, {"data": data, "paging": {"cursors": {"before": "a", "after": "b"}}}, usage(0))

    def _post(self, post_id: str) -> dict | None:
        return next((p for p in self.page_posts if p["id"] == post_id), None)

    @staticmethod
    def _absent(node: str, method: str) -> Response:
        return absent(f"Unsupported {method} request. Object with ID '{node}' does not exist, cannot be loaded due "
                      "to missing permissions, or does not support this operation.", "GraphMethodException")

    def _lacks(self, permission: str) -> Response | None:
        if permission not in self.page_permissions:
            return Response(403, error(200, f"(#200) This endpoint requires the '{permission}' permission"))
        return None

    def comment_create(self, request: Request) -> Response:
        """POST /{page-post-id}/comments: a comment by the Page; needs pages_manage_engagement."""
        refused = self._refused(request, PAGE_TOKEN) or self._lacks("pages_manage_engagement")
        if refused:
            return refused
        message = request.form().get("message", "")
        if not message:
            return Response(400, error(100, "(#100) Missing message or attachment"))
        with self.lock:
            post = self._post(request.params["post"])
            if post is None:
                return self._absent(request.params["post"], "post")
            comment_id = f"{post['id'].split('_')[1]}_{next(self.ids)}"
            self.comments.append({"id": comment_id, "post": post["id"], "message": message,
                                  "from": {"id": PAGE_ID, "name": "Landeshauptstadt Düsseldorf"},
                                  "permalink_url": f"{post['permalink_url']}?comment_id={comment_id}",
                                  "created_time": "2026-11-26T12:10:00+0000"})
        return Response(200, {"id": comment_id}, usage(0))

    def comment_list(self, request: Request) -> Response:
        refused = self._refused(request, PAGE_TOKEN) or self._lacks("pages_read_engagement")
        if refused:
            return refused
        fields = request.query.get("fields", "id,message,created_time").split(",")
        with self.lock:
            if self._post(request.params["post"]) is None:
                return self._absent(request.params["post"], "get")
            found = [c for c in self.comments if c["post"] == request.params["post"]]
            if request.query.get("order") == "reverse_chronological":
                found.reverse()
            data = [{k: c[k] for k in fields if k in c} for c in found][:int(request.query.get("limit", 25))]
        return Response(200, {"data": data, "paging": {"cursors": {"before": "a", "after": "b"}}}, usage(0))

    def page_post_delete(self, request: Request) -> Response:
        """DELETE /{page-post-id}: needs pages_manage_posts; a post that is gone is error 100/33."""
        refused = self._refused(request, PAGE_TOKEN) or self._lacks("pages_manage_posts")
        if refused:
            return refused
        node = request.params["node"]
        with self.lock:
            post = self._post(node)
            if post is None:
                return self._absent(node, "delete")
            self.page_posts.remove(post)
            self.comments = [c for c in self.comments if c["post"] != node]
            self.deleted.append(node)
        return Response(200, {"success": True}, usage(0))

    def node(self, request: Request) -> Response:
        node = request.params["node"]
        with self.lock:
            post = self._post(node) or next((c for c in self.comments if c["id"] == node), None)
            container = self.containers.get(node)
            media = next((m for m in [*self.media, *self.stories] if m["id"] == node), None)
        if post is not None:
            return self._refused(request, PAGE_TOKEN) or Response(200, {"id": node,
                                                                         "permalink_url": post["permalink_url"]})
        refused = self._refused(request, IG_TOKEN)
        if refused:
            return refused
        if container is not None:
            with self.lock:
                code = polled(container)
            answer = {"id": node, "status_code": code}
            if code == "ERROR":
                answer["status"] = "Error: Media download has failed. The media URI doesn't meet our requirements."
            return Response(200, answer)
        if media is not None:
            return Response(200, {"id": node, "permalink": media["permalink"]})
        return absent(f"Unsupported get request. Object with ID '{node}' does not exist", "GraphMethodException")

    # -- Instagram ----------------------------------------------------------------------

    def container_create(self, request: Request) -> Response:
        refused = self._refused(request, IG_TOKEN)
        if refused:
            return refused
        form = request.form()
        kind = form.get("media_type", "IMAGE")
        if kind not in ("IMAGE", "REELS", "STORIES"):
            return Response(400, error(100, "(#100) The parameter media_type is not valid"))
        address = form.get("video_url") or form.get("image_url") or ""
        if kind == "REELS" and not form.get("video_url"):
            return Response(400, error(100, "(#100) The parameter video_url is required"))
        if not address.startswith("https://"):
            return Response(400, error(9004, "Only photo or video can be accepted as media type.",
                                       subcode=2207052))
        outcome, polls = self.container_outcome, self.in_progress_polls
        if form.get("video_url"):
            polls = max(polls, self.video_polls)
            if not address.lower().endswith((".mp4", ".mov")):
                outcome = "ERROR"  # what Meta fetched is no video it can convert
        container_id = str(next(self.ids))
        with self.lock:
            self.fetched.append(address)
            self.containers[container_id] = {"form": form, "outcome": outcome, "polls_left": polls}
        return Response(200, {"id": container_id})

    def media_publish(self, request: Request) -> Response:
        refused = self._refused(request, IG_TOKEN)
        if refused:
            return refused
        with self.lock:
            if self.quota_used >= self.quota_total:
                return Response(400, error(9, "Application request limit reached", subcode=2207042))
            container = self.containers.get(request.form().get("creation_id", ""))
            if container is None or container["outcome"] != "FINISHED":
                return Response(400, error(9007, "Media ID is not available", subcode=2207027))
            container["outcome"] = "PUBLISHED"
            media_id = str(next(self.ids))
            form = container["form"]
            kind = form.get("media_type", "IMAGE")
            if kind == "STORIES":
                self.stories.append({"id": media_id, "media_type": "VIDEO" if form.get("video_url") else "IMAGE",
                                     "media_product_type": "STORY", "form": form,
                                     "permalink": f"https://www.instagram.com/stories/duesseldorf/{media_id}/",
                                     "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")})
            else:
                self.media.append({"id": media_id, "caption": form.get("caption", ""),
                                   "image_url": form.get("image_url"), "video_url": form.get("video_url"),
                                   "alt_text": form.get("alt_text"), "form": form,
                                   "media_type": "VIDEO" if kind == "REELS" else "IMAGE",
                                   "media_product_type": "REELS" if kind == "REELS" else "FEED",
                                   "permalink": f"https://www.instagram.com/{'reel' if kind == 'REELS' else 'p'}"
                                                f"/C{media_id[-6:]}/",
                                   "timestamp": "2026-11-26T11:00:00+0000"})
            self.quota_used += 1
            count = len(self.media) + len(self.stories)
        if self.on_publish:
            self.on_publish(count)
        return Response(200, {"id": media_id})

    def story_list(self, request: Request) -> Response:
        refused = self._refused(request, IG_TOKEN)
        if refused:
            return refused
        fields = request.query.get("fields", "id").split(",")
        with self.lock:
            data = [{k: m[k] for k in fields if k in m} for m in reversed(self.stories)]
        return Response(200, {"data": data})

    def media_list(self, request: Request) -> Response:
        refused = self._refused(request, IG_TOKEN)
        if refused:
            return refused
        fields = request.query.get("fields", "id").split(",")
        with self.lock:
            data = [{k: m[k] for k in fields if k in m} for m in reversed(self.media)]
        return Response(200, {"data": data[:int(request.query.get("limit", 25))]})

    def publishing_limit(self, request: Request) -> Response:
        refused = self._refused(request, IG_TOKEN)
        if refused:
            return refused
        with self.lock:
            return Response(200, {"data": [quota(self.quota_used, self.quota_total)]})

    def page_posts_for(self, url: str) -> list[dict]:
        return [p for p in self.page_posts if url in p["message"]]

    def comments_on(self, post_id: str) -> list[dict]:
        return [c for c in self.comments if c["post"] == post_id]

    def media_for(self, url: str) -> list[dict]:
        return [m for m in self.media if url in m["caption"]]

    def reels(self) -> list[dict]:
        return [m for m in self.media if m["media_product_type"] == "REELS"]
