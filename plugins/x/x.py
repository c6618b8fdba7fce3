"""x: posts a story to X (formerly Twitter) with the API v2, its lead image attached.

API: POST /2/tweets (JSON `{text, media: {media_ids}}`, answer 201 `{data: {id, text}}`),
images first through POST /2/media/upload (multipart, `media_category=tweet_image`) and
their alt text through POST /2/media/metadata. Every request is signed with OAuth 1.0a
user context (oauth1.py), so the tokens do not expire between runs.
Counting: twitter-text's weighted length (weighted.py), limit 280, every link 23.
Rate limits: 429 with `x-rate-limit-reset` (Unix time); daily post caps also say
`x-user-limit-24hour-reset` / `x-app-limit-24hour-reset`, which then decide the wait.
Not idempotent; X refuses a repeated text with 403 "duplicate content" without the
original's id. Lookup: the account's latest posts (GET /2/users/me, then
GET /2/users/:id/tweets with entities), matched by the story's address behind t.co.
Correction: a reply to the first post (POST /2/tweets with `reply.in_reply_to_tweet_id`;
a thread is answered at its first post), looked up like a first send among the latest
posts: a reply to that post (`referenced_tweets` replied_to) holding the correction's marker.
Withdrawal: DELETE /2/tweets/:id for every post (answer `{data: {deleted: true}}`); 404
means it is gone already.
Environment: NEWSROOM_X_API_KEY, NEWSROOM_X_API_SECRET (the app's consumer key),
NEWSROOM_X_ACCESS_TOKEN, NEWSROOM_X_ACCESS_TOKEN_SECRET (the account's, with write
access), NEWSROOM_X_BASE_URL (default https://api.x.com).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from newsroom.errors import SendError
from newsroom.publishing.channel import (
    WITHDRAW,
    Channel,
    Delivery,
    Post,
    Release,
    SendContext,
    TextLimit,
    channel_adapters,
    original_posts,
)

if TYPE_CHECKING:  # requests and OAuth1 are loaded when sending: builds need not load them
    import requests

    from .oauth1 import OAuth1

IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
               ".gif": "image/gif"}
DAILY_RESETS = (("x-user-limit-24hour-remaining", "x-user-limit-24hour-reset"),
                ("x-app-limit-24hour-remaining", "x-app-limit-24hour-reset"))


def daily_cap(response: requests.Response) -> bool | float:
    """A 429 because a 24-hour cap is used up waits for that cap's reset, not the 15 minutes'."""
    for remaining, reset in DAILY_RESETS:
        if response.headers.get(remaining, "").strip() == "0":
            try:
                seconds = float(response.headers.get(reset, "")) - time.time()  # Unix time
            except ValueError:
                continue
            if seconds > 0:
                return seconds
    return False


class XChannel(Channel):
    name = "x"
    label = "X"
    idempotent = False
    can_look_up = True
    correction_lookup = True
    required_env = ("API_KEY", "API_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET")
    default_base_url = "https://api.x.com"

    @property
    def max_length(self) -> int:
        return self.settings["X_MAX_WEIGHTED_LENGTH"]

    @property
    def url_length(self) -> int:
        return self.settings["X_URL_LENGTH"]

    def text_limit(self) -> TextLimit:
        return TextLimit(self.max_length, unit="weighted", url_length=self.url_length)

    def count(self, text: str) -> int:
        from .weighted import weighted_length  # the `regex` module costs every build a few dozen ms

        return weighted_length(text, self.url_length)

    def render(self, release: Release) -> Post:
        story = release.story
        text = self.template_text(release)
        payload: dict = {"text": text}
        media: tuple[str, ...] = ()
        image_url, image_file = self.picture(release)
        if self._image_fits(image_file):
            payload["image"] = {"file": str(image_file), "alt_text": (release.image_alt or "")[:1000]}
            media = (image_url,)
        return Post(self.name, story.id, text, link=release.url, media=media, payload=payload,
                    image=Path(image_file) if payload.get("image") else None, alt=payload["image"]["alt_text"] if payload.get("image") else "")

    def _image_fits(self, file: Path | None) -> bool:
        """X takes JPEG, PNG, WebP and GIF up to 5 MB; anything else goes out without image."""
        limit = self.settings["X_IMAGE_MAX_BYTES"]
        return (file is not None and Path(file).suffix.lower() in IMAGE_TYPES and Path(file).is_file()
                and Path(file).stat().st_size <= limit)

    def validate(self, post: Post) -> list[str]:
        if post.action == WITHDRAW:  # nothing is posted: the text only says what is deleted
            return []
        length = self.count(post.text)
        if length > self.max_length:
            return [f"X: Der Text zählt {length} gewichtete Zeichen, erlaubt sind {self.max_length} (jeder Link "
                    f"zählt {self.url_length}, Emoji sowie chinesische, japanische und koreanische Schriftzeichen "
                    "zählen doppelt). Bitte unter channels.x.text kürzen."]
        return []

    def _auth(self) -> OAuth1:
        require = self.credentials.require
        from .oauth1 import OAuth1

        return OAuth1(require("API_KEY"), require("API_SECRET"), require("ACCESS_TOKEN"),
                      require("ACCESS_TOKEN_SECRET"))

    def send(self, post: Post, context: SendContext) -> Delivery:
        client, auth = context.client, self._auth()
        body: dict = {"text": post.payload["text"]}
        image = post.payload.get("image")
        if image:
            body["media"] = {"media_ids": [self._upload(client, auth, image)]}
        return self._tweet(post, context, body)

    def _tweet(self, post: Post, context: SendContext, body: dict) -> Delivery:
        client = context.client
        try:
            response = client.request("POST", f"{self.base_url}/2/tweets", idempotent=False, limited=daily_cap,
                                      auth=self._auth(), json=body)
        except SendError as exc:
            if exc.status == 403 and "duplicate" in str(exc).lower():
                found = self.find(post, context)  # an earlier attempt got through
                if found:
                    return found
            raise
        data = response.json().get("data") or {}
        if "id" not in data:
            raise SendError("X: Antwort ohne id.")
        return Delivery(str(data["id"]), self.post_url(data["id"]))

    def _upload(self, client, auth, image: dict) -> str:
        # Repeating an upload only leaves an unused media id, which X discards after a day.
        path = Path(image["file"])
        with open(path, "rb") as handle:
            response = client.request("POST", f"{self.base_url}/2/media/upload", idempotent=True, auth=auth,
                                      files={"media": (path.name, handle, IMAGE_TYPES[path.suffix.lower()])},
                                      data={"media_category": "tweet_image"})
        media_id = str((response.json().get("data") or {}).get("id") or "")
        if not media_id:
            raise SendError("X: Bild hochgeladen, aber die Antwort nennt keine id.")
        if image.get("alt_text"):
            client.request("POST", f"{self.base_url}/2/media/metadata", idempotent=True, auth=auth,
                           json={"id": media_id, "metadata": {"alt_text": {"text": image["alt_text"]}}})
        return media_id

    @staticmethod
    def post_url(post_id) -> str:
        return f"https://x.com/i/web/status/{post_id}"

    def lookup(self, post: Post, context: SendContext) -> Delivery | None:
        for tweet in self._recent(context):
            if _replied_to(tweet):  # a correction links the story too, but is not its post
                continue
            links = {u.get(k) for u in (tweet.get("entities") or {}).get("urls", [])
                     for k in ("expanded_url", "unwound_url")}
            if post.link and (post.link in links or post.link in tweet.get("text", "")):
                return Delivery(str(tweet["id"]), self.post_url(tweet["id"]))
        return None

    def _recent(self, context: SendContext) -> list[dict]:
        """The account's latest posts, newest first, with links and what they reply to."""
        client, auth = context.client, self._auth()
        me = client.request("GET", f"{self.base_url}/2/users/me", idempotent=True, auth=auth).json()
        user_id = (me.get("data") or {}).get("id")
        if not user_id:
            raise SendError("X: /2/users/me nennt keine id.")
        answer = client.request("GET", f"{self.base_url}/2/users/{user_id}/tweets", idempotent=True, auth=auth,
                                params={"max_results": 20,
                                        "tweet.fields": "entities,created_at,referenced_tweets"}).json()
        return answer.get("data") or []

    # -- corrections and withdrawal ------------------------------------------------------------

    def render_correction(self, release, correction, original) -> Post:
        post = super().render_correction(release, correction, original)
        first = original_posts(original)[:1]
        payload = {**post.payload, **({"reply": {"in_reply_to_tweet_id": first[0]}} if first else {})}
        return replace(post, payload=payload)

    def correct(self, post: Post, context: SendContext) -> Delivery:
        if not post.payload.get("reply"):
            raise SendError("X: Die erste Sendung hat keine id im Versandprotokoll; keine Antwort möglich.")
        return self._tweet(post, context, {"text": post.payload["text"], "reply": post.payload["reply"]})

    def lookup_correction(self, post: Post, context: SendContext) -> Delivery | None:
        first, marker = post.payload.get("reply", {}).get("in_reply_to_tweet_id"), post.payload["marker"]
        for tweet in self._recent(context):
            if first and _replied_to(tweet) == first and marker in tweet.get("text", ""):
                return Delivery(str(tweet["id"]), self.post_url(tweet["id"]))
        return None

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        def delete(remote_id: str) -> str:
            response = context.client.request("DELETE", f"{self.base_url}/2/tweets/{remote_id}", idempotent=True,
                                               auth=self._auth(), accept=(404,))
            if response.status_code == 404:
                return "schon gelöscht (404)"
            if ((response.json() or {}).get("data") or {}).get("deleted") is True:
                return f"gelöscht ({response.status_code})"
            raise SendError(f"X: Das Löschen von {remote_id} wurde nicht bestätigt.")

        return self.delete_each(post, context, delete)


def _replied_to(tweet: dict) -> str | None:
    """The id of the post this one answers, if it is a reply."""
    for ref in tweet.get("referenced_tweets") or []:
        if ref.get("type") == "replied_to":
            return str(ref.get("id"))
    return None

def adapters(_sender):
    return XChannel


def register() -> None:
    channel_adapters.connect(adapters)
