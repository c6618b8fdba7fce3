"""Instagram's content publishing as the feed post, the Reel and the Story share it: one account
(NEWSROOM_INSTAGRAM_*), one daily limit, the same three steps.

1) POST /{ig-user-id}/media makes a container: `image_url` (feed, Story), `media_type=REELS` with
`video_url`, or `media_type=STORIES` with `image_url` or `video_url`; Meta fetches the file from
the address, so it must be on the live site. 2) GET /{container}?fields=status_code,status until
FINISHED (IN_PROGRESS while Meta fetches and converts, ERROR with the reason in `status`,
EXPIRED when not published within 24 hours, PUBLISHED once published). 3) POST
/{ig-user-id}/media_publish with `creation_id` → the media id; its address from GET
/{media}?fields=permalink.

Exactly once: making a container publishes nothing (unused ones expire), so it may be repeated;
publishing may not. The container id is recorded (checkpoint, with the time it was made) before
anything is published, so a retry publishes the same container, and a container that says
PUBLISHED was published by an earlier attempt: the channel then looks the post up instead.
Before that, GET /{ig-user-id}/content_publishing_limit: feed posts, Reels and Stories count
against the same 50 posts per 24 hours, and a used-up quota is a retry for the next run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from newsroom.errors import ContentError, ContentErrors, SendError
from newsroom.media.mp4_header import read_video
from newsroom.publishing import graph
from newsroom.publishing.channel import Delivery, Release, SendContext
from newsroom.publishing.text import german_number
from newsroom.secrets import Credentials

if TYPE_CHECKING:
    from newsroom.media.library import MediaLibrary
    from newsroom.site import SiteUrls

REELS, STORIES = "REELS", "STORIES"
VIDEO_SUFFIXES = (".mp4", ".mov")  # what Meta takes (MPEG-4 Part 14 or QuickTime)
VIDEO_CODECS = {"avc1": "H.264", "avc3": "H.264", "hvc1": "HEVC", "hev1": "HEVC"}
AUDIO_CODECS = {"mp4a": "AAC"}


@dataclass(frozen=True)
class Medium:
    """What a container carries, for the messages an editor reads and how long Meta may take."""

    noun: str  # "Bild", "Video"
    check: str  # what to check when Meta refuses it
    attempts: int  # status questions within one run
    pause: float  # seconds between them


def image_medium(settings: dict) -> Medium:
    return Medium("Bild", "das Bild ein JPEG", settings["INSTAGRAM_POLL_ATTEMPTS"],
                  float(settings["INSTAGRAM_POLL_SECONDS"]))


def video_medium(settings: dict) -> Medium:
    return Medium("Video", "das Video ein MP4 oder MOV (H.264 oder HEVC, Ton AAC)",
                  settings["INSTAGRAM_VIDEO_POLL_ATTEMPTS"], float(settings["INSTAGRAM_VIDEO_POLL_SECONDS"]))


class ContentPublishing:
    """One Instagram account's containers and posts, for one channel (`label` begins its messages)."""

    def __init__(self, label: str, graph_url: str, credentials: Credentials):
        self.label = label
        self.graph_url = graph_url
        self.credentials = credentials
        self._made: dict[str, dict] = {}  # idempotency key → {"container", "container_at"} made in this run

    @property
    def user(self) -> str:
        return self.credentials.require("USER_ID", secret=False)

    def _auth(self) -> dict:
        return {"access_token": self.credentials.require("TOKEN")}

    def get(self, client, node: str, **params) -> dict:
        return client.request("GET", f"{self.graph_url}/{node}", idempotent=True, limited=graph.limited,
                              params={**params, **self._auth()}).json()

    def send(self, context: SendContext, fields: dict, medium: Medium,
             found: Callable[[], Delivery | None]) -> Delivery:
        """Publish a container made of `fields` once; `found` looks up a post published by an
        earlier attempt whose answer was lost (asked when its container says PUBLISHED)."""
        client = context.client
        self.check_quota(client)
        container = self.recorded(context).get("container")
        status = self.status(client, container)[0] if container else None
        if status == "PUBLISHED":  # published by an earlier attempt whose answer was lost
            delivery = found()
            if delivery:
                return delivery
            raise SendError(f"{self.label}: Der Beitrag ist veröffentlicht, aber noch nicht in der Liste des "
                            "Kontos; nächster Versuch im nächsten Lauf.", retry=True)
        if status not in ("FINISHED", "IN_PROGRESS"):
            made_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
            answer = client.request("POST", f"{self.graph_url}/{self.user}/media", idempotent=True,
                                    limited=graph.limited, data={**fields, **self._auth()}).json()
            container = str(answer.get("id") or "")
            if not container:
                raise SendError(f"{self.label}: Container ohne id.")
            made = {"container": container, "container_at": made_at}
            context.checkpoint(made)
            self._made[context.key] = made
            status = None
        self._wait_until_finished(client, container, status, medium, context)
        published = client.request("POST", f"{self.graph_url}/{self.user}/media_publish", idempotent=False,
                                   limited=graph.limited, data={"creation_id": container, **self._auth()}).json()
        media_id = str(published.get("id") or "")
        if not media_id:
            raise SendError(f"{self.label}: Veröffentlicht, aber die Antwort nennt keine id.")
        return Delivery(media_id, self.permalink(client, media_id), detail={"container": container})

    def recorded(self, context: SendContext) -> dict:
        """The container of an earlier attempt and when it was made: of this run (remembered here,
        as the context's detail is what the claim held) or of a run before (the claim's detail)."""
        if context.key in self._made:
            return self._made[context.key]
        return {k: context.detail[k] for k in ("container", "container_at") if context.detail.get(k)}

    def check_quota(self, client) -> None:
        try:
            answer = self.get(client, f"{self.user}/content_publishing_limit", fields="quota_usage,config")
        except SendError as exc:
            if exc.retry:
                raise
            return  # the limit cannot be read: media_publish will say so itself
        for item in answer.get("data") or []:
            used, total = item.get("quota_usage"), (item.get("config") or {}).get("quota_total")
            if isinstance(used, int) and isinstance(total, int) and used >= total:
                raise SendError(f"{self.label}: {used} von {total} Beiträgen der letzten 24 Stunden sind "
                                "veröffentlicht (Tageslimit); nächster Versuch im nächsten Lauf.", retry=True)

    def status(self, client, container: str) -> tuple[str, str]:
        """(status_code, status): the second explains an ERROR with Meta's subcode."""
        answer = self.get(client, container, fields="status_code,status")
        return str(answer.get("status_code") or ""), str(answer.get("status") or "")

    def _wait_until_finished(self, client, container: str, status: str | None, medium: Medium,
                             context: SendContext) -> None:
        explanation = ""
        for _ in range(medium.attempts):
            if status is None:
                status, explanation = self.status(client, container)
            if status == "FINISHED":
                return
            if status == "ERROR":
                raise SendError(f"{self.label}: Das {medium.noun} wurde nicht angenommen ({explanation or 'ERROR'}). "
                                f"Meta lädt es von der Website: ist sie erreichbar und {medium.check}?")
            if status == "EXPIRED":
                self._made[context.key] = {}  # forgotten here as in the record
                context.checkpoint({"container": ""})
                raise SendError(f"{self.label}: Der Container ist abgelaufen (24 Stunden); der nächste Lauf legt "
                                "einen neuen an.", retry=True)
            if status == "PUBLISHED":
                raise SendError(f"{self.label}: Der Container wurde inzwischen veröffentlicht; der nächste Lauf "
                                "sieht beim Konto nach.", retry=True)
            if time.monotonic() + medium.pause > client.deadline:
                break
            time.sleep(medium.pause)
            status = None
        raise SendError(f"{self.label}: Das {medium.noun} wird noch verarbeitet; der nächste Lauf veröffentlicht es.",
                        retry=True)

    def permalink(self, client, media_id: str) -> str | None:
        try:
            return self.get(client, media_id, fields="permalink").get("permalink")
        except SendError:
            return None  # published anyway; the id is recorded


# -- the story's video ---------------------------------------------------------------------------

@dataclass(frozen=True)
class StoryVideo:
    """The video a story carries, as Meta fetches it from the live site."""

    path: str  # below content/media
    file: Path
    url: str  # absolute
    cover: tuple[str, Path] | None = None  # the video's poster image (JPEG): address and file


def story_video(release: Release, library: MediaLibrary, urls: SiteUrls) -> StoryVideo | None:
    """The first MP4 or MOV video the story's text links from the media folder (as YouTube takes it)."""
    for ref in release.story.media_refs:
        if Path(ref).suffix.lower() not in VIDEO_SUFFIXES:
            continue
        try:
            poster = library.get(ref, source=release.story.source, line=None, field=None).poster
        except (ContentError, ContentErrors):
            poster = None  # the story's own check reports the broken description
        cover = None
        if poster and Path(poster).suffix.lower() in (".jpg", ".jpeg"):
            cover = (urls.absolute(urls.media(poster)), library.root / poster)
        return StoryVideo(ref, library.root / ref, urls.absolute(urls.media(ref)), cover)
    return None


def video_problems(label: str, file: Path, shown: str, *, what: str, max_bytes: int, seconds: tuple,
                   max_width: int) -> list[str]:
    """German problems Meta would refuse the video for, as far as its boxes tell (what: "ein Reel")."""
    try:
        facts = read_video(file)
    except OSError:
        return [f"{label}: Das Video {shown} lässt sich nicht lesen."]
    if facts.format == "unbekannt":
        return [f"{label}: Die Datei {shown} ist kein MP4- oder MOV-Video; Instagram nimmt nur diese."]
    problems = []
    if facts.size > max_bytes:
        most = max_bytes / 1_000_000
        problems.append(f"{label}: Das Video {shown} ist {german_number(facts.size / 1_000_000, 1)} MB groß; für "
                        f"{what} erlaubt sind höchstens {german_number(most, 0 if most == int(most) else 1)} MB.")
    low, high = seconds
    if facts.duration is None:
        problems.append(f"{label}: Die Länge des Videos {shown} lässt sich nicht lesen (beschädigte Datei?).")
    elif not low <= facts.duration <= high:
        problems.append(f"{label}: Das Video {shown} dauert {duration_text(facts.duration)}; {what} muss "
                        f"{duration_text(low)} bis {duration_text(high)} lang sein.")
    if facts.video_codec is not None and facts.video_codec not in VIDEO_CODECS:
        problems.append(f"{label}: Das Bild des Videos {shown} ist als „{facts.video_codec}“ kodiert; Instagram "
                        "nimmt H.264 oder HEVC.")
    if facts.audio_codec is not None and facts.audio_codec not in AUDIO_CODECS:
        problems.append(f"{label}: Der Ton des Videos {shown} ist als „{facts.audio_codec}“ kodiert; Instagram "
                        "nimmt AAC.")
    if facts.width is not None and facts.width > max_width:
        problems.append(f"{label}: Das Video {shown} ist {facts.width} Pixel breit; erlaubt sind höchstens "
                        f"{max_width}.")
    if not facts.moov_first:
        problems.append(f"{label}: Im Video {shown} steht das Inhaltsverzeichnis (moov) hinter den Daten; Meta "
                        "verlangt es am Anfang. Bitte für das Web speichern, z. B. „ffmpeg -i ein.mp4 -c copy "
                        "-movflags +faststart aus.mp4“.")
    return problems


def duration_text(seconds: float) -> str:
    """3 → '3 Sekunden', 2.5 → '2,5 Sekunden', 60 → '60 Sekunden', 900 → '15 Minuten', 905 → '15:05 Minuten'."""
    if seconds <= 60:
        number = german_number(seconds, 0 if seconds == int(seconds) else 1)
        return f"{number} Sekunde" if number == "1" else f"{number} Sekunden"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} Minuten" if not rest else f"{minutes}:{rest:02d} Minuten"
