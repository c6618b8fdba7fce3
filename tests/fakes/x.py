"""X API v2 as documented (docs.x.com): POST /2/tweets (201 `{data: {id, text}}`), media
upload and metadata, GET /2/users/me and /2/users/:id/tweets with t.co entities (and
`referenced_tweets` when `tweet.fields` asks for them), replies (`reply.in_reply_to_tweet_id`;
a reply to a post that does not exist is refused with 400), DELETE /2/tweets/:id (200
`{data: {deleted: true}}`, 404 for a post that does not exist); OAuth 1.0a signatures
checked here independently of the client; problem-JSON error bodies; `x-rate-limit-*`
headers; duplicate text refused with 403."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re
from urllib.parse import parse_qsl, quote

from .api import FakeApi, Request, Response

CONSUMER_KEY, CONSUMER_SECRET = "x-consumer-key-1a2b", "x-consumer-secret-5d1e7f"
TOKEN, TOKEN_SECRET = "2244994945-x-access-token-77", "x-token-secret-9a8b6c"
USER_ID = "2244994945"
LIMITS = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "99", "x-rate-limit-reset": "1796212800"}
LINK = re.compile(r"https?://\S+")


def problem(status: int, title: str, detail: str) -> dict:
    return {"title": title, "detail": detail, "type": "about:blank", "status": status}


def _pct(value: str) -> str:
    return quote(value, safe="~")


class FakeX(FakeApi):
    def __init__(self):
        super().__init__()
        self.tweets: list[dict] = []
        self.media: dict[str, dict] = {}
        self.ids = itertools.count(1860000000000000001)
        self.nonces: set[str] = set()
        self.lagging = 0  # the next n timeline reads do not show the newest post yet
        self.deleted: list[str] = []
        self.route("POST", "/2/tweets", self.create)
        self.route("POST", "/2/media/upload", self.upload)
        self.route("POST", "/2/media/metadata", self.metadata)
        self.route("GET", "/2/users/me", self.me)
        self.route("GET", r"/2/users/(?P<user>\d+)/tweets", self.timeline)
        self.route("DELETE", r"/2/tweets/(?P<tweet>\d+)", self.delete)

    @property
    def env(self) -> dict:
        return {"NEWSROOM_X_API_KEY": CONSUMER_KEY, "NEWSROOM_X_API_SECRET": CONSUMER_SECRET,
                "NEWSROOM_X_ACCESS_TOKEN": TOKEN, "NEWSROOM_X_ACCESS_TOKEN_SECRET": TOKEN_SECRET,
                "NEWSROOM_X_BASE_URL": self.url}

    def signed(self, request: Request) -> bool:
        """RFC 5849 §3.4.1, recomputed from what arrived: method, URL, query, form, oauth_*."""
        header = request.header("authorization")
        if not header.startswith("OAuth "):
            return False
        oauth = {k: v for k, v in re.findall(r'(\w+)="([^"]*)"', header)}
        oauth = {k: _unquote(v) for k, v in oauth.items()}
        if oauth.get("oauth_consumer_key") != CONSUMER_KEY or oauth.get("oauth_token") != TOKEN:
            return False
        if oauth["oauth_nonce"] in self.nonces:  # a replayed request is refused
            return False
        params = [(k, v) for k, v in oauth.items() if k != "oauth_signature"]
        params += [(k, v) for k, v in request.query.items()]
        if request.header("content-type").startswith("application/x-www-form-urlencoded"):
            params += parse_qsl(request.body.decode())
        normalized = "&".join(f"{k}={v}" for k, v in sorted((_pct(k), _pct(v)) for k, v in params))
        base = "&".join((request.method, _pct(self.url + request.path),
                         _pct(normalized)))
        key = f"{_pct(CONSUMER_SECRET)}&{_pct(TOKEN_SECRET)}".encode()
        expected = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()
        if not hmac.compare_digest(expected, oauth.get("oauth_signature", "")):
            return False
        self.nonces.add(oauth["oauth_nonce"])
        return True

    def _guard(self, request: Request) -> Response | None:
        if not self.signed(request):
            return Response(401, problem(401, "Unauthorized", "Unauthorized"))
        return None

    def create(self, request: Request) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        body = request.json()
        text = body.get("text", "")
        with self.lock:
            if any(t["original"] == text for t in self.tweets):
                return Response(403, problem(403, "Forbidden",
                                             "You are not allowed to create a Tweet with duplicate content."), LIMITS)
            for media_id in (body.get("media") or {}).get("media_ids", []):
                if media_id not in self.media:
                    return Response(400, {"errors": [{"message": f"Your media IDs are invalid: {media_id}"}],
                                          "title": "Invalid Request", "type": "about:blank",
                                          "detail": "One or more parameters to your request was invalid."})
            parent = (body.get("reply") or {}).get("in_reply_to_tweet_id")
            if parent is not None and not any(t["id"] == parent for t in self.tweets):
                return Response(400, {"errors": [{"message": "Reply to unavailable tweet"}],
                                      "title": "Invalid Request", "type": "about:blank",
                                      "detail": "One or more parameters to your request was invalid."}, LIMITS)
            tweet_id = str(next(self.ids))
            urls, shown = [], text
            for number, link in enumerate(LINK.findall(text)):
                short = f"https://t.co/x{tweet_id[-6:]}{number}"
                shown = shown.replace(link, short, 1)
                urls.append({"url": short, "expanded_url": link, "display_url": link.split("://", 1)[1][:25]})
            tweet = {"id": tweet_id, "text": shown, "original": text, "entities": {"urls": urls},
                     "media": (body.get("media") or {}).get("media_ids", [])}
            if parent is not None:
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent}]
                tweet["in_reply_to_user_id"] = USER_ID
            self.tweets.append(tweet)
        return Response(201, {"data": {"id": tweet_id, "text": shown, "edit_history_tweet_ids": [tweet_id]}},
                        LIMITS)

    def upload(self, request: Request) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        fields = request.multipart()
        if fields.get("media_category") != b"tweet_image" or not fields.get("media"):
            return Response(400, problem(400, "Invalid Request", "media and media_category are required"))
        media_id = str(next(self.ids))
        with self.lock:
            self.media[media_id] = {"bytes": fields["media"], "alt": None}
        return Response(200, {"data": {"id": media_id, "media_key": f"3_{media_id}", "size": len(fields["media"]),
                                       "expires_after_secs": 86400}})

    def metadata(self, request: Request) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        body = request.json()
        with self.lock:
            item = self.media.get(body.get("id"))
            if item is None:
                return Response(400, problem(400, "Invalid Request", "unknown media id"))
            item["alt"] = body["metadata"]["alt_text"]["text"]
        return Response(200, {"data": {"associated_metadata": body["metadata"]}})

    def me(self, request: Request) -> Response:
        return self._guard(request) or Response(200, {"data": {"id": USER_ID, "name": "Stadt Düsseldorf",
                                                               "username": "duesseldorf"}}, LIMITS)

    def timeline(self, request: Request) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        count = int(request.query.get("max_results", 10))
        fields = ("id", "text", *request.query.get("tweet.fields", "").split(","))
        with self.lock:
            shown = self.tweets[:-1] if self.lagging and self.tweets else self.tweets
            self.lagging = max(0, self.lagging - 1)
            newest = [{k: t[k] for k in fields if k in t} for t in reversed(shown)][:count]
        return Response(200, {"data": newest, "meta": {"result_count": len(newest)}}, LIMITS)

    def delete(self, request: Request) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        tweet_id = request.params["tweet"]
        with self.lock:
            found = next((t for t in self.tweets if t["id"] == tweet_id), None)
            if found is None:
                return Response(404, problem(404, "Not Found Error", f"Could not find tweet with id: [{tweet_id}]."),
                                LIMITS)
            self.tweets.remove(found)
            self.deleted.append(tweet_id)
        return Response(200, {"data": {"deleted": True}}, LIMITS)

    def replies_to(self, tweet_id: str) -> list[dict]:
        return [t for t in self.tweets if {"type": "replied_to", "id": tweet_id} in t.get("referenced_tweets", [])]

    def posts_for(self, url: str) -> list[dict]:
        return [t for t in self.tweets if url in t["original"]]


def _unquote(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value)
