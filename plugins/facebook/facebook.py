"""facebook: posts a story to the city's Facebook Page (Graph API page feed).

API: POST /{page-id}/feed with `message` and `link` (Facebook draws the link preview from
the story page's OpenGraph tags), answer `{"id": "<page>_<post>"}`; the post's address
from GET /{post-id}?fields=permalink_url. Throttling is signalled by error codes (4, 17,
32, 613, 80001…) with the wait in `X-Business-Use-Case-Usage` (newsroom/publishing/graph.py).
Not idempotent. Lookup: GET /{page-id}/feed, the latest posts, matched by the story's
address in the message (the message always carries it).
Correction: a comment by the Page on the first post, POST /{page-post-id}/comments with
`message` (needs pages_manage_engagement). Editing the post's message (POST /{page-post-id},
pages_manage_posts) would be possible, but it replaces the wrong text without a trace for
those who read it; a comment is seen as a correction and keeps the original as it went out.
A comment is not idempotent; the lookup reads the post's comments, GET
/{page-post-id}/comments (pages_read_engagement), and takes the one by the Page that carries
the correction's marker ("Berichtigung vom …"). Withdrawal: DELETE /{page-post-id}
(pages_manage_posts); a post already gone (HTTP 404, or Graph error 100 with subcode 33:
the object does not exist) counts as deleted. Graph gives that answer also to a token that
may not see the post; the Page token made the post, so for it the answer means gone.
Environment: NEWSROOM_FACEBOOK_PAGE_ID, NEWSROOM_FACEBOOK_PAGE_TOKEN (a Page access token
with pages_manage_posts, pages_read_engagement for lookups, pages_manage_engagement for
corrections), optionally NEWSROOM_FACEBOOK_APP_SECRET (adds appsecret_proof),
NEWSROOM_FACEBOOK_BASE_URL (default https://graph.facebook.com; the API version is the
setting META_GRAPH_API_VERSION).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from newsroom.errors import SendError
from newsroom.publishing import graph
from newsroom.publishing.channel import (
    Channel,
    Delivery,
    Post,
    Release,
    SendContext,
    TextLimit,
    channel_adapters,
    original_posts,
)
from newsroom.publishing.text import german_number

if TYPE_CHECKING:
    from datetime import datetime


class FacebookChannel(Channel):
    name = "facebook"
    label = "Facebook"
    idempotent = False
    can_look_up = True
    correction_idempotent = False
    correction_lookup = True
    required_env = ("PAGE_ID", "PAGE_TOKEN")
    default_base_url = "https://graph.facebook.com"

    @property
    def max_characters(self) -> int:
        return self.settings["FACEBOOK_MAX_CHARACTERS"]

    def text_limit(self) -> TextLimit:
        return TextLimit(self.max_characters)

    @property
    def graph_url(self) -> str:
        return graph.api_url(self.base_url, self.settings)

    def render(self, release: Release) -> Post:
        story = release.story
        text = self.template_text(release)
        # Facebook draws the link card itself from the page's og:image, the link card crop: shown in previews.
        _url, card = self.picture(release)
        return Post(self.name, story.id, text, link=release.url, payload={"message": text, "link": release.url},
                    image=card, alt=release.image_alt or "")

    def validate(self, post: Post) -> list[str]:
        if len(post.text) > self.max_characters:
            return [f"Facebook: Der Text hat {german_number(len(post.text))} Zeichen, erlaubt sind "
                    f"{german_number(self.max_characters)}. Bitte unter channels.facebook.text kürzen."]
        return []

    def credential_expiry(self, client) -> datetime | None:
        return graph.token_expiry(client, self.graph_url, self.credentials.require("PAGE_TOKEN"))

    def _auth(self) -> dict:
        token = self.credentials.require("PAGE_TOKEN")
        auth = {"access_token": token}
        secret = self.credentials.get("APP_SECRET")
        if secret:
            auth["appsecret_proof"] = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        return auth

    def send(self, post: Post, context: SendContext) -> Delivery:
        client, page = context.client, self.credentials.require("PAGE_ID", secret=False)
        response = client.request("POST", f"{self.graph_url}/{page}/feed", idempotent=False, limited=graph.limited,
                                  data={**post.payload, **self._auth()})
        post_id = str(response.json().get("id") or "")
        if not post_id:
            raise SendError("Facebook: Antwort ohne id.")
        return Delivery(post_id, self._permalink(context, post_id))

    def _permalink(self, context: SendContext, post_id: str) -> str:
        """The post's address; the post exists already, so a failing read falls back to the known form."""
        try:
            answer = context.client.request("GET", f"{self.graph_url}/{post_id}", idempotent=True,
                                            limited=graph.limited,
                                            params={"fields": "permalink_url", **self._auth()}).json()
        except SendError:
            answer = {}
        return answer.get("permalink_url") or f"https://www.facebook.com/{post_id}"

    def lookup(self, post: Post, context: SendContext) -> Delivery | None:
        page = self.credentials.require("PAGE_ID", secret=False)
        answer = context.client.request("GET", f"{self.graph_url}/{page}/feed", idempotent=True,
                                        limited=graph.limited,
                                        params={"fields": "id,message,permalink_url,created_time", "limit": 25,
                                                **self._auth()}).json()
        for item in answer.get("data") or []:
            if post.link and post.link in (item.get("message") or ""):
                return Delivery(str(item["id"]), item.get("permalink_url") or f"https://www.facebook.com/{item['id']}")
        return None

    # -- corrections and withdrawal ------------------------------------------------------------

    def render_correction(self, release, correction, original) -> Post:
        post = super().render_correction(release, correction, original)
        root = original_posts(original)[:1]
        payload = {"message": post.text, "marker": post.payload["marker"], **({"post": root[0]} if root else {})}
        return Post(post.channel, post.story_id, post.text, link=post.link, payload=payload, action=post.action,
                    original=original)

    def _commented_post(self, post: Post) -> str:
        target = post.payload.get("post")
        if not target:
            raise SendError("Facebook: Die erste Sendung hat keine id im Versandprotokoll; kein Kommentar möglich.")
        return target

    def correct(self, post: Post, context: SendContext) -> Delivery:
        target = self._commented_post(post)
        response = context.client.request("POST", f"{self.graph_url}/{target}/comments", idempotent=False,
                                          limited=graph.limited, data={"message": post.payload["message"],
                                                                       **self._auth()})
        comment_id = str(response.json().get("id") or "")
        if not comment_id:
            raise SendError("Facebook: Kommentar angelegt, aber die Antwort nennt keine id.")
        return Delivery(comment_id, self._permalink(context, comment_id), {"post": target})

    def lookup_correction(self, post: Post, context: SendContext) -> Delivery | None:
        target = self._commented_post(post)
        page = self.credentials.require("PAGE_ID", secret=False)
        answer = context.client.request("GET", f"{self.graph_url}/{target}/comments", idempotent=True,
                                        limited=graph.limited,
                                        params={"fields": "id,message,from,permalink_url", "filter": "stream",
                                                "order": "reverse_chronological", "limit": 100,
                                                **self._auth()}).json()
        for item in answer.get("data") or []:
            by_page = str((item.get("from") or {}).get("id")) == page
            if by_page and post.payload["marker"] in (item.get("message") or ""):
                url = item.get("permalink_url") or f"https://www.facebook.com/{item['id']}"
                return Delivery(str(item["id"]), url, {"post": target})
        return None

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        def delete(remote_id: str) -> str:
            return graph.delete(context.client, f"{self.graph_url}/{remote_id}", self._auth(), "Facebook")

        return self.delete_each(post, context, delete)


def adapters(_sender):
    return FacebookChannel


def register() -> None:
    channel_adapters.connect(adapters)
