"""What a story's preview shows of one channel, as the channel will show it: its post and problems,
each post of a thread counted against the channel's limit the way the channel counts (the adapter's
own `count`), and the picture the channel gets (its crop, with size and aspect ratio) with its alt text."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from newsroom.media.crops import CROP_LABELS
from newsroom.publishing.channel import Channel, Post, Release
from newsroom.publishing.text import german_number

# Formats a browser shows; any other file a channel gets is listed by its address only.
SHOWN = {".jpg", ".jpeg", ".png", ".webp", ".gif"}
UNITS = {"characters": "Zeichen", "graphemes": "Zeichen", "weighted": "Zeichen (gewichtet)", "bytes": "Bytes",
         "utf16": "Zeichen"}
RULES = {
    "graphemes": "jedes sichtbare Zeichen einmal, auch ein zusammengesetztes Emoji",
    "weighted": "Emoji sowie chinesische, japanische und koreanische Schriftzeichen zählen doppelt",
    "bytes": "in UTF-8, Umlaute zählen 2, Emoji 4",
    "utf16": "ein Emoji zählt 2",
}


@dataclass(frozen=True)
class TextCount:
    """The post's text against the channel's limit, in the channel's unit (German)."""

    count: int
    maximum: int
    unit: str
    rule: str  # how the channel counts; empty when every character counts one

    @property
    def over(self) -> int:
        return max(0, self.count - self.maximum)

    @property
    def summary(self) -> str:
        return f"{german_number(self.count)} von {german_number(self.maximum)} {self.unit}"

    @property
    def excess(self) -> str:
        return f"{german_number(self.over)} {self.unit} zu viel"


@dataclass(frozen=True)
class PreviewImage:
    """An image as the channel gets it, and the copy beside the preview that shows it."""

    source: Path  # the file sent: the lead image or a rendition made for the channel
    name: str  # its copy in meldungen/bilder/
    media: str  # the medium, a path below content/media
    role: str  # what it is to the channel (German)
    alt: str | None
    size: tuple[int, int] | None = None  # pixels as sent, when the file can be read
    unsent: str = ""  # why no alt text goes with it although the medium has one (German), e.g. Telegram takes none

    @property
    def shape(self) -> str:
        """"1.080 × 1.350 Pixel, Seitenverhältnis 4:5" (German), empty when the size is unknown."""
        if not self.size:
            return ""
        width, height = self.size
        return f"{german_number(width)} × {german_number(height)} Pixel, Seitenverhältnis {aspect(width, height)}"


@dataclass(frozen=True)
class PartView:
    """One post of what the channel shows: the only one, or one of a thread."""

    number: int
    text: str
    count: TextCount | None


@dataclass(frozen=True)
class ChannelView:
    name: str
    label: str
    post: Post | None  # None: no adapter loaded for the channel
    problems: tuple[str, ...] = ()
    count: TextCount | None = None
    images: tuple[PreviewImage, ...] = ()
    parts: tuple[PartView, ...] = ()

    @property
    def thread(self) -> bool:
        return len(self.parts) > 1


def channel_view(name: str, adapter: Channel, post: Post, problems: list[str], release: Release,
                 labels: dict[str, str]) -> ChannelView:
    parts = tuple(PartView(number, text, text_count(adapter, text))
                  for number, text in enumerate(post.posts, start=1))
    return ChannelView(name, adapter.label, post, tuple(problems), text_count(adapter, post.text),
                       tuple(images_sent(post, release, labels)), parts)


def text_count(adapter: Channel, text: str) -> TextCount | None:
    limit = adapter.text_limit()
    if limit is None:
        return None
    rules = [RULES[limit.unit]] if limit.unit in RULES else []
    if limit.url_length is not None:
        rules.append(f"jeder Link zählt {limit.url_length}")
    elif limit.unit != "bytes":
        rules.append("Links zählen mit ihrer vollen Länge")
    rule = f"Gezählt wie bei {adapter.label}: {'; '.join(rules)}." if rules else ""
    return TextCount(adapter.count(text), limit.maximum, UNITS.get(limit.unit, limit.unit), rule)


def images_sent(post: Post, release: Release, labels: dict[str, str]):
    """The picture the post names as sent (`Post.image`, the channel's crop), else the images among
    the post's media: the lead image (by its address or its page in the media portal) and renditions
    of it made for a channel."""
    path = release.image_path or release.story.image
    if post.image is not None and path:
        file = Path(post.image)
        if file.suffix.lower() in SHOWN:
            purpose = next((p for p, (_url, made) in release.image_renditions.items() if Path(made) == file), "")
            role = crop_role(purpose, labels)
            # Only the alt text the channel receives; one that takes none is said so, not reported missing.
            unsent = "" if post.alt or not release.image_alt else \
                f"{labels.get(post.channel, post.channel)} übermittelt keinen Alternativtext."
            yield PreviewImage(file, copy_name(path, purpose, file.suffix), path, role,
                               post.alt or None, pixels(file), unsent)
        return
    if not path or release.image_file is None:
        return
    found: dict[str, tuple[Path, str, str]] = {}
    for purpose, (url, file) in release.image_renditions.items():
        found[url] = (Path(file), purpose, crop_role(purpose, labels))
    for url in [release.image_url, *(link.url for link in release.media if link.path == path)]:
        if url:
            found.setdefault(url, (release.image_file, "", "Aufmacherbild"))
    shown: set[str] = set()
    for url in post.media:
        file, purpose, role = found.get(url, (None, "", ""))
        if file is None or file.suffix.lower() not in SHOWN:
            continue
        name = copy_name(path, purpose, file.suffix)
        if name not in shown:
            shown.add(name)
            yield PreviewImage(file, name, path, role, release.image_alt, pixels(file))


def crop_role(purpose: str, labels: dict[str, str]) -> str:
    """'Aufmacherbild, Zuschnitt „Querformat“': the lead image as a channel's crop (newsroom/media/crops.py)."""
    if not purpose:
        return "Aufmacherbild"
    return f"Aufmacherbild, Zuschnitt „{CROP_LABELS.get(purpose) or labels.get(purpose, purpose)}“"


def pixels(file: Path) -> tuple[int, int] | None:
    """Width and height as shown (EXIF rotation applied), read from the file's header."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as image:
            orientation = image.getexif().get(0x0112)
            width, height = image.size
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    # EXIF orientations 5–8 turn the picture by 90°.
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def aspect(width: int, height: int) -> str:
    """"4:5", "16:9", "1,91:1": the ratio as platforms name it, else width:height as a decimal to one."""
    from math import gcd

    divisor = gcd(width, height)
    small = (width // divisor, height // divisor)
    if max(small) <= 21:
        return f"{small[0]}:{small[1]}"
    return f"{german_number(width / height, 2)}:1"


def copy_name(path: str, purpose: str, suffix: str) -> str:
    """A file name in bilder/ that stays the same for the same medium and purpose."""
    stem = re.sub(r"[^a-z0-9]+", "-", PurePosixPath(path).stem.lower()).strip("-")[:40] or "bild"
    tag = hashlib.sha256(f"{purpose}\0{path}".encode()).hexdigest()[:10]
    return "-".join(part for part in (stem, purpose, tag) if part) + suffix.lower()
