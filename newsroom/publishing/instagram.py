"""Instagram's content publishing as the feed post, the Reel and the Story share it: one account
(NEWSROOM_INSTAGRAM_*), one daily limit, the same three steps (newsroom/publishing/meta_containers.py).

POST /{ig-user-id}/media makes a container: `image_url` (feed, Story), `media_type=REELS` with
`video_url`, or `media_type=STORIES` with `image_url` or `video_url`; GET
/{container}?fields=status_code,status until FINISHED (ERROR with the reason in `status`); POST
/{ig-user-id}/media_publish with `creation_id` → the media id. Before that, GET
/{ig-user-id}/content_publishing_limit: feed posts, Reels and Stories count against the same
50 posts per 24 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from newsroom.errors import ContentError, ContentErrors
from newsroom.media.mp4_header import read_video
from newsroom.publishing.channel import Release
from newsroom.publishing.meta_containers import ContainerPublishing, Edges, Medium
from newsroom.publishing.text import german_number
from newsroom.secrets import Credentials

if TYPE_CHECKING:
    from newsroom.media.library import MediaLibrary
    from newsroom.site import SiteUrls

REELS, STORIES = "REELS", "STORIES"
VIDEO_SUFFIXES = (".mp4", ".mov")  # what Meta takes (MPEG-4 Part 14 or QuickTime)
VIDEO_CODECS = {"avc1": "H.264", "avc3": "H.264", "hvc1": "HEVC", "hev1": "HEVC"}
AUDIO_CODECS = {"mp4a": "AAC"}
INSTAGRAM = Edges("media", "media_publish", "content_publishing_limit", ("status_code", "status"), "Konto")


def content_publishing(label: str, graph_url: str, credentials: Credentials) -> ContainerPublishing:
    """The Instagram account's container publishing, for the channel `label` names."""
    return ContainerPublishing(label, graph_url, credentials, INSTAGRAM)


def image_medium(settings: dict) -> Medium:
    return Medium("Das Bild", "es", "Meta lädt es von der Website: ist sie erreichbar und das Bild ein JPEG?",
                  settings["INSTAGRAM_POLL_ATTEMPTS"], float(settings["INSTAGRAM_POLL_SECONDS"]))


def video_medium(settings: dict) -> Medium:
    return Medium("Das Video", "es", "Meta lädt es von der Website: ist sie erreichbar und das Video ein MP4 oder "
                  "MOV (H.264 oder HEVC, Ton AAC)?", settings["INSTAGRAM_VIDEO_POLL_ATTEMPTS"],
                  float(settings["INSTAGRAM_VIDEO_POLL_SECONDS"]))


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
