"""instagram: posts a story's lead image with a caption to the city's Instagram account.

API (Instagram Graph API, content publishing): 1) POST /{ig-user-id}/media with
`image_url` (Meta fetches it, so it must be public: the image on the live site),
`caption`, `alt_text` → a container id; 2) GET /{container}?fields=status_code until
FINISHED (IN_PROGRESS, ERROR, EXPIRED after 24 h, PUBLISHED); 3) POST
/{ig-user-id}/media_publish with `creation_id` → the media id, its address from
GET /{media}?fields=permalink. Before that, GET /{ig-user-id}/content_publishing_limit:
a used-up daily quota (50 posts per 24 h) is a retry for the next run, not an error.
The container id is recorded (checkpoint) before publishing, so a retry publishes the
same container instead of making a second one. Not idempotent; lookup: the account's
latest media, matched by the caption itself (its whitespace evened out): the caption holds no
link ("Link im Profil"), and every caption a claim went out with is recorded (its digest), so
a caption changed between a lost answer and the next run is still found.
Corrections and withdrawal are manual tasks for the desk, with the post's address: the API
cannot change a published caption (POST /{ig-media-id} takes only `comment_enabled`) and the
IG Media reference documents no deletion. A comment by the account (POST
/{ig-media-id}/comments, instagram_manage_comments) was left aside on purpose: it ends up
among the readers' comments, its link cannot be followed, and the caption would go on saying
what is wrong; the caption edited in the app puts the correction where the post is read.
Environment: NEWSROOM_INSTAGRAM_USER_ID, NEWSROOM_INSTAGRAM_TOKEN (instagram_basic,
instagram_content_publish), NEWSROOM_INSTAGRAM_BASE_URL (default https://graph.facebook.com;
https://graph.instagram.com for Instagram Login; version: META_GRAPH_API_VERSION).

Reels: a story whose text links a video (MP4 or MOV below content/media, the first one, as
YouTube takes it) goes out as a Reel instead: `media_type=REELS`, `video_url` (the video on the
live site), the same caption, `share_to_feed` (INSTAGRAM_REELS_SHARE_TO_FEED) and `cover_url`
(the video's poster where it is a JPEG; else Meta takes the first frame). Reels take no
`alt_text`. The video is checked from its MP4 boxes (newsroom/media/mp4_header.py): MP4/MOV,
H.264/HEVC with AAC sound, 3 seconds to 15 minutes, at most 300 MB and 1920 pixels wide, the
index (moov) at the front. Meta converts a video for a while: the container status is asked
INSTAGRAM_VIDEO_POLL_ATTEMPTS times, and a run that has to stop leaves it to the next run,
which goes on with the recorded container. Container, status and publishing as the feed post
(newsroom/publishing/instagram.py); the Reel is found by the same lookup.

An Instagram Login token runs out after 60 days unless refreshed (`refresh_credentials`); with any
base URL other than graph.facebook.com the token is taken for one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newsroom.errors import ManualTask, SendError
from newsroom.media.image_header import read_image
from newsroom.media.library import MediaLibrary
from newsroom.publishing import graph
from newsroom.publishing.channel import (
    PUBLISH,
    Channel,
    ClaimFiles,
    Delivery,
    Post,
    Release,
    SendContext,
    TextLimit,
    channel_adapters,
    original_url,
)
from newsroom.publishing.instagram import (
    REELS,
    StoryVideo,
    content_publishing,
    image_medium,
    story_video,
    video_medium,
    video_problems,
)
from newsroom.publishing.meta_containers import ContainerPublishing
from newsroom.publishing.text import german_number
from newsroom.secrets import REDACTOR

if TYPE_CHECKING:
    from datetime import datetime

FACEBOOK_LOGIN_HOST = "graph.facebook.com"
MENTION = re.compile(r"(?:^|(?<=\s))@[\w.]+")
REEL_FIELDS = ("media_type", "video_url", "caption", "share_to_feed", "cover_url")


class InstagramChannel(Channel):
    name = "instagram"
    label = "Instagram"
    idempotent = False
    can_look_up = True
    required_env = ("USER_ID", "TOKEN")
    default_base_url = "https://graph.facebook.com"
    link_in_text = False  # a link in a caption cannot be followed: the house template says "Link im Profil"

    def text_limit(self) -> TextLimit:
        return TextLimit(self.settings["INSTAGRAM_CAPTION_MAX"])

    def hashtag_limit(self) -> int:
        return self.settings["INSTAGRAM_MAX_HASHTAGS"]

    @property
    def graph_url(self) -> str:
        return graph.api_url(self.base_url, self.settings)

    def render(self, release: Release) -> Post:
        story = release.story
        caption = self.template_text(release)
        if self._video_of(release):
            return self._reel(release, caption)
        # The media portal's Instagram rendition (JPEG, cropped into the aspect range, without
        # EXIF) when there is one; else the lead image as it is, checked as it is.
        variant = release.image_renditions.get(self.crop_purpose())
        image_url, image_file, shown = ((variant[0], variant[1], f"{story.image} (Instagram-Fassung)") if variant
                                        else (release.image_url, release.image_file, story.image))
        payload: dict = {"image_url": image_url, "caption": caption, "alt_text": release.image_alt or ""}
        if image_file is not None:
            payload["image"] = {"file": str(image_file), "path": shown}
        media = (image_url,) if image_url else ()
        return Post(self.name, story.id, caption, link=release.url, media=media, payload=payload)

    def validate(self, post: Post) -> list[str]:
        if post.action != PUBLISH:
            return []  # done by hand in the app: nothing is sent that Instagram could refuse
        problems = self._caption_problems(post.text)
        if post.payload.get("media_type") == REELS:
            return self._reel_problems(post) + problems
        image = post.payload.get("image")
        if not image:
            return ["Instagram braucht ein Bild: Die Meldung hat kein Aufmacherbild (Feld image)."] + problems
        return self._image_problems(Path(image["file"]), image["path"]) + problems

    def _caption_problems(self, caption: str) -> list[str]:
        problems = []
        limit = self.settings["INSTAGRAM_CAPTION_MAX"]
        if len(caption) > limit:
            problems.append(f"Instagram: Die Bildunterschrift hat {german_number(len(caption))} Zeichen, erlaubt "
                            f"sind {german_number(limit)}. Bitte unter channels.instagram.text kürzen.")
        too_many = self.hashtag_problem(caption, "Die Bildunterschrift")
        if too_many:
            problems.append(too_many)
        mentions, most = len(MENTION.findall(caption)), self.settings["INSTAGRAM_MAX_MENTIONS"]
        if mentions > most:
            problems.append(f"Instagram: Die Bildunterschrift erwähnt {mentions} Konten (@…), erlaubt sind {most}.")
        return problems

    def _image_problems(self, file: Path, shown: str) -> list[str]:
        try:
            facts = read_image(file)
        except OSError:
            return [f"Instagram: Das Bild {shown} lässt sich nicht lesen."]
        problems = []
        if facts.format != "JPEG":
            problems.append(f"Instagram: Das Bild {shown} ist im Format {facts.format}; Instagram nimmt nur JPEG. "
                            "Bitte eine JPEG-Fassung als Aufmacherbild verwenden.")
        elif facts.width is None or not facts.height:
            problems.append(f"Instagram: Die Bildgröße von {shown} lässt sich nicht lesen (beschädigte Datei?).")
        else:
            low, high = self.settings["INSTAGRAM_ASPECT_RATIO"]
            # width/height within [low, high], compared exactly in integers
            if facts.width * low[1] < facts.height * low[0] or facts.width * high[1] > facts.height * high[0]:
                ratio = german_number(facts.width / facts.height, 2)
                problems.append(
                    f"Instagram: Das Bild {shown} hat das Seitenverhältnis {ratio}:1 ({facts.width} × {facts.height} "
                    f"Pixel); erlaubt ist {low[0]}:{low[1]} (0,8:1, hoch) bis {german_number(high[0] / high[1], 2)}:1 "
                    "(quer). Bitte einen passenden Ausschnitt als Aufmacherbild verwenden.")
        limit = self.settings["INSTAGRAM_IMAGE_MAX_BYTES"]
        if facts.size > limit:
            problems.append(f"Instagram: Das Bild {shown} ist {german_number(facts.size / 1_000_000, 1)} MB groß; "
                            f"erlaubt sind höchstens {german_number(limit / 1_000_000, 0)} MB.")
        return problems

    def prepare_claim(self, post: Post, detail, files: ClaimFiles) -> dict:
        """Every caption a claim of this send went out with, for the lookup after a lost answer."""
        if post.action != PUBLISH:
            return {}
        captions = list(detail.get("captions") or [])
        mine = caption_digest(post.text)
        return {"captions": captions if mine in captions else [*captions, mine]}

    def credential_expiry(self, client) -> datetime | None:
        return graph.token_expiry(client, self.graph_url, self.credentials.require("TOKEN"))

    def send(self, post: Post, context: SendContext) -> Delivery:
        if post.payload.get("media_type") == REELS:
            fields = {k: post.payload[k] for k in REEL_FIELDS if k in post.payload}
            medium = video_medium(self.settings)
        else:
            fields = {k: post.payload[k] for k in ("image_url", "caption", "alt_text")}
            medium = image_medium(self.settings)
        return self.publishing.send(context, fields, medium, lambda: self.lookup(post, context))

    # -- Reels: a story that carries a video -----------------------------------------------------

    @cached_property
    def publishing(self) -> ContainerPublishing:
        return content_publishing(self.label, self.graph_url, self.credentials)

    @cached_property
    def library(self) -> MediaLibrary:
        content = Path(self.settings["PATH"])
        return MediaLibrary(content / self.settings["MEDIA_DIR"], content.parent)

    def _video_of(self, release: Release) -> StoryVideo | None:
        return story_video(release, self.library, self.urls)

    def _reel(self, release: Release, caption: str) -> Post:
        """The story's first video as a Reel (media_type REELS) with the caption of a feed post; its cover
        is the video's poster (cover_url) where it is a JPEG, else Meta takes the first frame."""
        video = self._video_of(release)
        payload: dict = {"media_type": REELS, "video_url": video.url, "caption": caption,
                         "share_to_feed": "true" if self.settings["INSTAGRAM_REELS_SHARE_TO_FEED"] else "false",
                         "video": {"file": str(video.file), "path": video.path}}
        if video.cover:
            payload["cover_url"] = video.cover[0]
        return Post(self.name, release.story.id, caption, link=release.url, media=(video.url,), payload=payload,
                    image=video.cover[1] if video.cover else None)

    def _reel_problems(self, post: Post) -> list[str]:
        video = post.payload["video"]
        return video_problems(self.label, Path(video["file"]), video["path"], what="ein Reel",
                              max_bytes=self.settings["INSTAGRAM_REELS_MAX_BYTES"],
                              seconds=tuple(self.settings["INSTAGRAM_REELS_SECONDS"]),
                              max_width=self.settings["INSTAGRAM_VIDEO_MAX_WIDTH"])
    def refresh_credentials(self, client) -> dict[str, str] | None:
        """An Instagram Login token (graph.instagram.com), at least 24 hours old and unexpired, for another
        60 days: GET /refresh_access_token?grant_type=ig_refresh_token → {access_token, token_type,
        expires_in}. A Facebook Login token (graph.facebook.com) is a Page token made from a long-lived
        user token: it does not expire, and there is nothing to refresh."""
        if urlsplit(self.base_url).hostname == FACEBOOK_LOGIN_HOST:
            return None
        answer = client.request("GET", f"{self.base_url}/refresh_access_token", idempotent=True,
                                limited=graph.limited, params={"grant_type": "ig_refresh_token",
                                                               "access_token": self.credentials.require("TOKEN")})
        try:
            token = answer.json().get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str) or not token.strip() or any(c.isspace() for c in token):
            raise SendError("Instagram: Die Antwort auf die Erneuerung enthält kein gültiges Zugangstoken.")
        REDACTOR.add(token)
        return {"TOKEN": token}

    def _get(self, client, node: str, **params) -> dict:
        return self.publishing.get(client, node, **params)

    def lookup(self, post: Post, context: SendContext) -> Delivery | None:
        user = self.credentials.require("USER_ID", secret=False)
        answer = self._get(context.client, f"{user}/media", fields="id,caption,permalink,timestamp", limit=25)
        wanted = {caption_digest(post.text), *(context.detail.get("captions") or ())}
        for item in answer.get("data") or []:
            if caption_digest(item.get("caption") or "") in wanted:
                return Delivery(str(item["id"]), item.get("permalink"))
        return None

    # -- corrections and withdrawal: by hand ---------------------------------------------------

    def correct(self, post: Post, context: SendContext) -> Delivery:
        raise ManualTask(f"Instagram: Die Bildunterschrift lässt sich über die Schnittstelle nicht ändern. Bitte in "
                         f"der Instagram-App den Beitrag {original_url(post.original)} öffnen, „Bearbeiten“ wählen "
                         f"und die Berichtigung an den Anfang der Bildunterschrift setzen: {post.text}")

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        raise ManualTask(f"Instagram: Beiträge lassen sich über die Schnittstelle nicht löschen. Bitte in der "
                         f"Instagram-App den Beitrag {original_url(post.original)} öffnen und über „…“ löschen "
                         "(oder archivieren, dann ist er nicht mehr öffentlich).")


def caption_digest(caption: str) -> str:
    """A caption as Instagram may give it back: NFC, whitespace evened out; hashed to keep the record short."""
    text = " ".join(unicodedata.normalize("NFC", caption).split())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def adapters(_sender):
    return InstagramChannel


def register() -> None:
    channel_adapters.connect(adapters)
