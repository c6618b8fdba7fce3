"""instagram_story: a story's picture (9:16) or short video as a Story of the city's Instagram account.

API (Instagram Graph API, content publishing, newsroom/publishing/instagram.py): POST
/{ig-user-id}/media with `media_type=STORIES` and `image_url` or `video_url` (Meta fetches it from
the live site), the container's `status_code` polled until FINISHED, then POST
/{ig-user-id}/media_publish. A Story takes no caption, no alt text and no link: the preview
shows "(Story ohne Text; Link im Profil)". Same account, credentials and daily limit as the feed
posts: NEWSROOM_INSTAGRAM_USER_ID, NEWSROOM_INSTAGRAM_TOKEN, NEWSROOM_INSTAGRAM_BASE_URL.

What goes out: the story's video (the first MP4 or MOV its text links) when it lasts at most
60 seconds (INSTAGRAM_STORY_SECONDS); else the media portal's Story crop of the lead image
(`story`: 9:16, 1080 × 1920 JPEG), else its Instagram crop, else the lead image as it is.

Exactly once: not idempotent; the lookup rests on the recorded container, as a Story has no
caption to match. A container is published only after it is recorded (checkpoint, with the
time it was made), so without a recorded container nothing was published. A recorded container
whose `status_code` says PUBLISHED was published: the Story is then the oldest of the account's
active Stories (GET /{ig-user-id}/stories, the last 24 hours) of the same kind (IMAGE or VIDEO)
published since the container was made (two minutes allowed for clocks that differ). Limits: a
Story posted by hand in the app within those minutes may be taken for it, so the record may name
the wrong Story, but none is ever published twice; after 24 hours the list no longer holds it,
and the send is recorded without its id. A lost record of sends (the claim's detail gone) cannot
be looked up.

Withdrawal: the API deletes no Story. Within 24 hours of publishing it is a manual task for the
desk (delete it in the app); after that the Story is gone by itself and nothing is to be done.
A correction is not sent: a Story carries no text to correct, and it is gone after a day.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import cached_property
from pathlib import Path

from newsroom.errors import ManualTask
from newsroom.media.image_header import read_image
from newsroom.media.library import MediaLibrary
from newsroom.media.mp4_header import read_video
from newsroom.publishing import graph
from newsroom.publishing.channel import (
    PUBLISH,
    Channel,
    Delivery,
    Post,
    Release,
    SendContext,
    channel_adapters,
    original_url,
)
from newsroom.publishing.instagram import (
    STORIES,
    content_publishing,
    image_medium,
    story_video,
    video_medium,
    video_problems,
)
from newsroom.publishing.meta_containers import ContainerPublishing
from newsroom.publishing.text import german_number
from newsroom.secrets import Credentials

TEXT = "(Story ohne Text; Link im Profil)"
CLOCK_SKEW = timedelta(minutes=2)
DAY = timedelta(hours=24)
META_TIME = "%Y-%m-%dT%H:%M:%S%z"


class InstagramStoryChannel(Channel):
    name = "instagram_story"
    label = "Instagram-Story"
    idempotent = False
    can_look_up = True
    correction_idempotent = True  # a correction sends nothing (see correct): repeating it is harmless
    takes_text = False  # a Story is its picture or video alone
    required_env = ("USER_ID", "TOKEN")
    default_base_url = "https://graph.facebook.com"

    def __init__(self, settings, urls, environ=None):
        super().__init__(settings, urls, environ)
        # The Story goes to the account of the feed posts, with its credentials (NEWSROOM_INSTAGRAM_*).
        self.credentials = Credentials("instagram", environ)

    @property
    def graph_url(self) -> str:
        return graph.api_url(self.base_url, self.settings)

    @cached_property
    def publishing(self) -> ContainerPublishing:
        return content_publishing(self.label, self.graph_url, self.credentials)

    @cached_property
    def library(self) -> MediaLibrary:
        content = Path(self.settings["PATH"])
        return MediaLibrary(content / self.settings["MEDIA_DIR"], content.parent)

    def render(self, release: Release) -> Post:
        story = release.story
        payload: dict = {"media_type": STORIES}
        if self.own_text(story):  # nothing would carry it: validate says so
            payload["text_given"] = True
        video = story_video(release, self.library, self.urls)
        picture = self._picture(release)
        if video and (picture is None or self._fits_a_story(video.file)):
            payload |= {"video_url": video.url, "video": {"file": str(video.file), "path": video.path}}
            return Post(self.name, story.id, TEXT, link=release.url, media=(video.url,), payload=payload,
                        image=video.cover[1] if video.cover else None)
        if picture is None:
            return Post(self.name, story.id, TEXT, link=release.url, payload=payload)
        url, file, shown = picture
        payload |= {"image_url": url, "image": {"file": str(file), "path": shown}}
        # No `alt`: a Story takes no alt text (alt_text is for feed images only).
        return Post(self.name, story.id, TEXT, link=release.url, media=(url,), payload=payload, image=file)

    @staticmethod
    def _picture(release: Release) -> tuple[str, Path, str] | None:
        """(address, file, name shown) of the Story's picture: the 9:16 crop, else the Instagram crop,
        else the lead image as it is."""
        image = release.story.image
        for purpose, note in (("story", "Story-Fassung"), ("instagram", "Instagram-Fassung")):
            variant = release.image_renditions.get(purpose)
            if variant:
                return variant[0], variant[1], f"{image} ({note})"
        if release.image_url and release.image_file is not None:
            return release.image_url, release.image_file, image
        return None

    def _fits_a_story(self, file: Path) -> bool:
        try:
            duration = read_video(file).duration
        except OSError:
            return False
        low, high = self.settings["INSTAGRAM_STORY_SECONDS"]
        return duration is not None and low <= duration <= high

    def validate(self, post: Post) -> list[str]:
        if post.action != PUBLISH:
            return []
        problems = []
        if post.payload.get("text_given"):
            problems.append("Instagram-Story: Eine Story trägt keinen Text (die Schnittstelle nimmt keinen). Bitte "
                            "channels.instagram_story.text leeren; was die Story sagen soll, gehört ins Bild.")
        video, image = post.payload.get("video"), post.payload.get("image")
        if video:
            return video_problems(self.label, Path(video["file"]), video["path"], what="eine Story",
                                  max_bytes=self.settings["INSTAGRAM_STORY_VIDEO_MAX_BYTES"],
                                  seconds=tuple(self.settings["INSTAGRAM_STORY_SECONDS"]),
                                  max_width=self.settings["INSTAGRAM_VIDEO_MAX_WIDTH"]) + problems
        if not image:
            return ["Instagram-Story braucht ein Bild oder ein Video: Die Meldung hat kein Aufmacherbild (Feld "
                    "image) und verlinkt kein Video."] + problems
        return self._image_problems(Path(image["file"]), image["path"]) + problems

    def _image_problems(self, file: Path, shown: str) -> list[str]:
        try:
            facts = read_image(file)
        except OSError:
            return [f"Instagram-Story: Das Bild {shown} lässt sich nicht lesen."]
        problems = []
        if facts.format != "JPEG":
            problems.append(f"Instagram-Story: Das Bild {shown} ist im Format {facts.format}; Instagram nimmt nur "
                            "JPEG. Bitte eine JPEG-Fassung als Aufmacherbild verwenden.")
        limit = self.settings["INSTAGRAM_IMAGE_MAX_BYTES"]
        if facts.size > limit:
            problems.append(f"Instagram-Story: Das Bild {shown} ist {german_number(facts.size / 1_000_000, 1)} MB "
                            f"groß; erlaubt sind höchstens {german_number(limit / 1_000_000, 0)} MB.")
        return problems

    def credential_expiry(self, client) -> datetime | None:
        # The token is the feed channel's: it warns of it, unless the Story goes out alone.
        if "instagram" in self.settings["CHANNELS"]:
            return None
        return graph.token_expiry(client, self.graph_url, self.credentials.require("TOKEN"))

    def send(self, post: Post, context: SendContext) -> Delivery:
        fields = {k: post.payload[k] for k in ("media_type", "image_url", "video_url") if k in post.payload}
        medium = video_medium(self.settings) if "video_url" in fields else image_medium(self.settings)
        return self.publishing.send(context, fields, medium, lambda: self.lookup(post, context))

    def lookup(self, post: Post, context: SendContext) -> Delivery | None:
        """The Story published from this send's recorded container (see the module's rule)."""
        recorded = self.publishing.recorded(context)
        container = recorded.get("container")
        if not container:
            return None  # nothing is published before its container is recorded
        client = context.client
        if self.publishing.status(client, container)[0] != "PUBLISHED":
            return None
        kind = "VIDEO" if "video_url" in post.payload else "IMAGE"
        since = _moment(recorded.get("container_at"))
        answer = self.publishing.get(client, f"{self.publishing.user}/stories",
                                     fields="id,media_type,permalink,timestamp")
        candidates = sorted((moment, item) for item in answer.get("data") or []
                            if item.get("media_type") == kind and (moment := _moment(item.get("timestamp")))
                            and (since is None or moment >= since - CLOCK_SKEW))
        if candidates:
            item = candidates[0][1]
            return Delivery(str(item["id"]), item.get("permalink"), detail={"container": container})
        return Delivery("", None, detail={"container": container},
                        note="Die Story ist veröffentlicht (Container PUBLISHED), aber nicht mehr unter den aktiven "
                             "Stories des Kontos; ohne ihre id eingetragen.")

    # -- corrections and withdrawal ---------------------------------------------------------------

    def correct(self, post: Post, context: SendContext) -> Delivery:
        return Delivery(str(post.original.get("remote_id") or ""), post.original.get("url"),
                        note="Eine Story trägt keinen Text und ist nach 24 Stunden fort: keine Berichtigung nötig.")

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        published = _moment((post.original.get("detail") or {}).get("container_at"))
        if published is not None and datetime.now(timezone.utc) - published > DAY + CLOCK_SKEW:
            return Delivery(str(post.original.get("remote_id") or ""), post.original.get("url"),
                            note="Die Story ist nach 24 Stunden von selbst verschwunden; nichts zu tun.")
        raise ManualTask(f"Instagram-Story: Stories lassen sich über die Schnittstelle nicht löschen. Bitte in der "
                         f"Instagram-App die Story {original_url(post.original)} öffnen und über „…“ löschen. Nach "
                         "24 Stunden ist sie von selbst fort; dann ist nichts zu tun.")


def _moment(text) -> datetime | None:
    """A Graph API time ("2026-11-26T11:00:00+0000") or one recorded here (ISO 8601)."""
    if not text:
        return None
    try:
        return datetime.strptime(str(text), META_TIME)
    except ValueError:
        try:
            return datetime.fromisoformat(str(text))
        except ValueError:
            return None


def adapters(_sender):
    return InstagramStoryChannel


def register() -> None:
    channel_adapters.connect(adapters)
