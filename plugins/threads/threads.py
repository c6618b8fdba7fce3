"""threads: posts a story to the city's Threads profile (Meta's Threads API, graph.threads.net).

API: 1) POST /{threads-user-id}/threads makes a media container: `media_type` TEXT (`text`,
`link_attachment` for the link preview), IMAGE (`image_url`, which Threads fetches from the live
site, `text`, `alt_text`) or CAROUSEL (`children`: up to 20 item containers made with
`is_carousel_item=true`, each with its `alt_text`); 2) GET /{container}?fields=status,error_message
until FINISHED (IN_PROGRESS, ERROR, EXPIRED after 24 h, PUBLISHED); 3) POST
/{threads-user-id}/threads_publish with `creation_id` → the post's id, its address from GET
/{id}?fields=permalink. Before that, GET /{threads-user-id}/threads_publishing_limit: a used-up
quota (250 posts, 1,000 replies per 24 h) is a retry for the next run, not an error.
Text: 500 characters, emoji counted as their UTF-8 bytes; one hashtag, which Threads makes the
post's topic tag. The container id is recorded (checkpoint) before publishing, so a retry publishes
the same container instead of making a second one (newsroom/publishing/meta_containers.py, as
Instagram's). Not idempotent; lookup: the profile's latest posts (GET /{threads-user-id}/threads),
matched by the story's address in the text.
Correction: a reply to the first post (`reply_to_id`, threads_manage_replies), made the same way;
looked up among the first post's replies (GET /{id}/replies, threads_read_replies) by
`is_reply_owned_by_me` and the correction's marker. Withdrawal: DELETE /{threads-media-id}
(threads_delete, 100 deletions per day) for every post; one that is gone (HTTP 404, or error
100 with subcode 33: the object does not exist) counts as deleted.
Errors come as Meta's Graph errors (newsroom/publishing/graph.py). Tokens: long-lived user
tokens last 60 days; GET /refresh_access_token?grant_type=th_refresh_token gives a new one
(the token must be a day old), GET /debug_token says when the token runs out.
Environment: NEWSROOM_THREADS_USER_ID, NEWSROOM_THREADS_TOKEN (threads_basic,
threads_content_publish, threads_manage_replies, threads_read_replies, threads_delete),
NEWSROOM_THREADS_BASE_URL (default https://graph.threads.net; version: THREADS_API_VERSION).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
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
from newsroom.publishing.meta_containers import POSTS, REPLIES, ContainerPublishing, Edges, Medium
from newsroom.publishing.text import german_number

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from newsroom.content.story import Story

CAROUSEL_MAX = 20  # items of one carousel, as the API allows
PICTURES = (".jpg", ".jpeg", ".png")  # what Threads takes as an image
# What a container is made of; the payload's other keys (children, marker) are ours.
CONTAINER_FIELDS = ("media_type", "text", "image_url", "alt_text", "link_attachment", "reply_to_id")
EMOJI_PARTS = {"\u200d", "\ufe0f", "\u20e3"}  # joiner, emoji presentation, keycap
THREADS = Edges("threads", "threads_publish", "threads_publishing_limit", ("status", "error_message"), "Profil")


def threads_length(text: str) -> int:
    """Characters as Threads counts them: one each, but an emoji (and what joins an emoji
    sequence) as many as its UTF-8 bytes."""
    return sum(len(char.encode("utf-8")) if _emoji(char) else 1 for char in unicodedata.normalize("NFC", text))


def _emoji(char: str) -> bool:
    code = ord(char)
    return code >= 0x1F000 or 0x2600 <= code <= 0x27BF or char in EMOJI_PARTS


@dataclass(frozen=True)
class Picture:
    url: str  # absolute, public: Threads fetches it
    alt: str
    file: Path | None = None


class ThreadsChannel(Channel):
    name = "threads"
    label = "Threads"
    idempotent = False
    can_look_up = True
    correction_idempotent = False
    correction_lookup = True
    required_env = ("USER_ID", "TOKEN")
    default_base_url = "https://graph.threads.net"

    @property
    def max_characters(self) -> int:
        return self.settings["THREADS_MAX_CHARACTERS"]

    def text_limit(self) -> TextLimit:
        return TextLimit(self.max_characters)

    def count(self, text: str) -> int:
        return threads_length(text)

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/{self.settings['THREADS_API_VERSION']}"

    def hashtags(self, story: Story, language: str = "") -> list[str]:
        """One hashtag: Threads takes it as the post's topic tag (the first of SOCIAL_HASHTAGS and the tags)."""
        return super().hashtags(story, language)[:1]

    # -- render and validate --------------------------------------------------------------------

    def render(self, release: Release) -> Post:
        story = release.story
        text = self.template_text(release)
        pictures = self.pictures(release)
        if len(pictures) > 1:
            payload: dict = {"media_type": "CAROUSEL", "text": text,
                             "children": [{"image_url": p.url, "alt_text": p.alt} for p in pictures]}
        elif pictures:
            payload = {"media_type": "IMAGE", "text": text, "image_url": pictures[0].url,
                       "alt_text": pictures[0].alt}
        else:  # the link's preview card stands in for a picture
            payload = {"media_type": "TEXT", "text": text, "link_attachment": release.url}
        lead = pictures[0] if pictures else None
        return Post(self.name, story.id, text, link=release.url, media=tuple(p.url for p in pictures),
                    payload=payload, alt=lead.alt if lead else "", image=lead.file if lead else None)

    def pictures(self, release: Release) -> list[Picture]:
        """The lead image (the media portal's 4:5 crop where there is one), then the other photos
        the text uses, in its order: two or more make a carousel."""
        found = []
        story = release.story
        crop = release.image_renditions.get(self.crop_purpose())
        if crop:
            found.append(Picture(crop[0], release.image_alt or "", crop[1]))
        elif release.image_url and PurePosixPath(release.image_url).suffix.lower() in PICTURES:
            # Another format (WebP, AVIF) Threads would not take: the post goes without it.
            found.append(Picture(release.image_url, release.image_alt or "", release.image_file))
        lead = release.image_path or story.image  # the replacement once the lead image's rights ended
        for item in release.media:
            if item.path == lead or PurePosixPath(item.path).suffix.lower() not in PICTURES:
                continue
            # Threads fetches the file itself, never the media portal's page about it.
            found.append(Picture(self.urls.absolute(self.urls.media(item.path)), item.alt))
        return found[:CAROUSEL_MAX]

    def validate(self, post: Post) -> list[str]:
        # Threads makes one hashtag the post's topic (SOCIAL_MAX_HASHTAGS); an own text may not carry more.
        problems = [problem] if (problem := self.hashtag_problem(post.text)) else []
        length = self.count(post.text)
        if length <= self.max_characters:
            return problems
        emoji = " (Emoji zählen mehrfach)" if length != len(post.text) else ""
        return [f"Threads: Der Text hat {german_number(length)} Zeichen{emoji}, erlaubt sind "
                f"{german_number(self.max_characters)}. Bitte unter channels.threads.text kürzen.", *problems]

    # -- send ----------------------------------------------------------------------------------

    @cached_property
    def publishing(self) -> ContainerPublishing:
        return ContainerPublishing(self.label, self.api_url, self.credentials, THREADS)

    def send(self, post: Post, context: SendContext) -> Delivery:
        return self._publish(post, context, self.lookup)

    def _publish(self, post: Post, context: SendContext, find: Callable[[Post, SendContext], Delivery | None]
                 ) -> Delivery:
        """Container (a carousel's items first), then publish; one already published is looked up by `find`."""
        payload = post.payload
        fields = {key: payload[key] for key in CONTAINER_FIELDS if payload.get(key)}
        children = [{"media_type": "IMAGE", **{key: value for key, value in child.items() if value}}
                    for child in payload.get("children") or ()]
        medium = Medium("Der Beitrag", "ihn", "Threads lädt Bilder von der Website: ist sie erreichbar und das Bild "
                        "ein JPEG oder PNG?", self.settings["THREADS_POLL_ATTEMPTS"],
                        float(self.settings["THREADS_POLL_SECONDS"]))
        return self.publishing.send(context, fields, medium, lambda: find(post, context), children=children,
                                    quota=REPLIES if payload.get("reply_to_id") else POSTS)

    def lookup(self, post: Post, context: SendContext) -> Delivery | None:
        answer = self.publishing.get(context.client, f"{self.publishing.user}/threads",
                                     fields="id,text,permalink,timestamp", limit=25)
        for item in answer.get("data") or []:
            if post.link and post.link in (item.get("text") or ""):
                return Delivery(str(item["id"]), item.get("permalink"))
        return None

    # -- corrections and withdrawal ------------------------------------------------------------

    def render_correction(self, release, correction, original) -> Post:
        post = super().render_correction(release, correction, original)
        root = original_posts(original)[:1]
        payload = {"media_type": "TEXT", "text": post.text, "marker": post.payload["marker"],
                   **({"reply_to_id": root[0]} if root else {})}
        return Post(post.channel, post.story_id, post.text, link=post.link, payload=payload, action=post.action,
                    original=original)

    def correct(self, post: Post, context: SendContext) -> Delivery:
        if not post.payload.get("reply_to_id"):
            raise SendError("Threads: Die erste Sendung hat keine id im Versandprotokoll; keine Antwort möglich.")
        return self._publish(post, context, self.lookup_correction)

    def lookup_correction(self, post: Post, context: SendContext) -> Delivery | None:
        root = post.payload.get("reply_to_id")
        if not root:
            return None
        answer = self.publishing.get(context.client, f"{root}/replies", fields="id,text,permalink,is_reply_owned_by_me",
                           reverse="true")
        for item in answer.get("data") or []:
            if item.get("is_reply_owned_by_me") and post.payload["marker"] in (item.get("text") or ""):
                return Delivery(str(item["id"]), item.get("permalink"))
        return None

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        def delete(remote_id: str) -> str:
            return graph.delete(context.client, f"{self.api_url}/{remote_id}", self.publishing.auth(), "Threads")

        return self.delete_each(post, context, delete)

    # -- credentials ---------------------------------------------------------------------------

    def credential_expiry(self, client) -> datetime | None:
        return graph.token_expiry(client, self.api_url, self.credentials.require("TOKEN"))

    def refresh_credentials(self, client) -> dict[str, str] | None:
        """A new long-lived token (60 days from now) for the current one, which must be a day old
        and still valid: {"TOKEN": …} to store as NEWSROOM_THREADS_TOKEN."""
        answer = client.request("GET", f"{self.base_url}/refresh_access_token", idempotent=True,
                                limited=graph.limited,
                                params={"grant_type": "th_refresh_token", **self.publishing.auth()}).json()
        token = answer.get("access_token")
        if not isinstance(token, str) or not token.strip():
            raise SendError("Threads: Die Antwort auf die Erneuerung enthält kein Zugangstoken.")
        return {"TOKEN": token}


def adapters(_sender):
    return ThreadsChannel


def register() -> None:
    channel_adapters.connect(adapters)
