"""What the build knows of a media file without decoding it: content hash, size in bytes,
pixel size as shown (EXIF orientation applied), format and embedded description.

Facts are kept in the build cache by path with the file's mtime and size, so an
unchanged file costs one `stat` per build; only a new or changed file is read and hashed.
A fresh clone (every CI run) gives each file a new mtime: then git's index vouches for the
file's content by its blob id, recorded with the facts, and nothing is read either.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from newsroom.content.git_index import FileBlobs, blob_id
from newsroom.errors import ContentError, ImageContainerError
from newsroom.media.metadata import embedded_metadata
from newsroom.media.mp4_header import read_video
from newsroom.media.originals import without_metadata

CACHE_NAME = "media:facts"
FACTS_VERSION = 7  # 4: a video's picture size, duration and frame rate; 5: a JPEG's size without metadata;
# 6: every photo format's size without metadata, a turned TIFF's size as shown; 7: a video's size without metadata
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "TIFF": "image/tiff"}
# Larger pictures are refused before decoding: a "decompression bomb" would take the build's memory.
MAX_PIXELS = 120_000_000


@dataclass(frozen=True)
class FileFacts:
    digest: str  # sha256 of the bytes
    bytes: int
    width: int | None = None  # as displayed
    height: int | None = None
    format: str | None = None  # JPEG, PNG, WEBP, TIFF, MP4, PDF
    embedded: tuple = field(default=())  # sorted (field, value) pairs from IPTC/XMP
    duration: float | None = None  # seconds (videos)
    frame_rate: float | None = None  # frames per second (videos)
    # photos and videos: the size without their metadata, photos' EXIF orientation (newsroom/media/originals.py);
    # None: passed on as delivered
    bare_bytes: int | None = None
    orientation: int = 1

    @property
    def metadata(self) -> dict:
        return dict(self.embedded)


def read_facts(path: Path, shown: str, kind: str) -> FileFacts:
    """Facts of one file, or a ContentError (German) when it cannot be what it claims."""
    return read_facts_and_blob(path, shown, kind)[0]


def read_facts_and_blob(path: Path, shown: str, kind: str) -> tuple[FileFacts, str]:
    """The facts and git's blob id of the bytes read (SHA-1)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(shown, f"Die Datei lässt sich nicht lesen ({exc.strerror}).") from None
    return _facts(path, shown, kind, data), blob_id(data)


def _facts(path: Path, shown: str, kind: str, data: bytes) -> FileFacts:
    digest = hashlib.sha256(data).hexdigest()
    if kind == "photo":
        return _photo_facts(path, shown, digest, data)
    if kind == "video":
        if len(data) < 12 or data[4:8] != b"ftyp":
            raise ContentError(shown, "Die Datei ist kein MP4-Video (beschädigt oder falsches Format).")
        video = read_video(path)  # the boxes only: a few kilobytes of the bytes just read
        try:
            bare = without_metadata("MP4", data)
        except ImageContainerError as exc:
            raise ContentError(shown, f"Die Videodatei ist beschädigt oder unvollständig: {exc}") from None
        return FileFacts(digest, len(data), video.width, video.height, "MP4", duration=video.duration,
                         frame_rate=video.frame_rate, bare_bytes=len(bare))
    if kind == "document":
        if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
            raise ContentError(shown, "Die Datei ist kein vollständiges PDF (beschädigt oder falsches Format).")
        return FileFacts(digest, len(data), format="PDF")
    return FileFacts(digest, len(data))


def _photo_facts(path: Path, shown: str, digest: str, data: bytes) -> FileFacts:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format not in PHOTO_FORMATS:
                    raise ContentError(shown, f"Das Bildformat {image.format} wird nicht unterstützt "
                                              "(JPEG, PNG, WebP oder TIFF).")
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ContentError(shown, f"Das Bild ist mit {width} × {height} Pixeln zu groß.")
                orientation = image.getexif().get(0x0112, 1)
                if orientation in (5, 6, 7, 8) and image.format != "TIFF":  # Pillow gives a TIFF's size as shown
                    width, height = height, width
                embedded = embedded_metadata(image)
                image_format = image.format
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError,
            OSError, SyntaxError, ValueError) as exc:
        reason = "unbekanntes Format" if isinstance(exc, UnidentifiedImageError) else "beschädigt"
        raise ContentError(shown, f"Die Bilddatei lässt sich nicht lesen ({reason}).") from None
    try:
        bare = without_metadata(image_format, data)
    except ImageContainerError as exc:
        raise ContentError(shown, f"Die Bilddatei ist beschädigt oder unvollständig: {exc}") from None
    orientation = orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else 1
    return FileFacts(digest, len(data), width, height, image_format, tuple(sorted(embedded.items())),
                     bare_bytes=len(bare), orientation=orientation)


class FactsIndex:
    """Facts by media path, reused from the cache while a file's mtime and size hold, or while
    git's index vouches for the blob they were read from (`blobs`: the build's reader of the
    index for the media folder)."""

    def __init__(self, cache=None, blobs: FileBlobs | None = None):
        self.cache = cache
        self._blobs = blobs or FileBlobs()
        saved = cache.blob(CACHE_NAME) if cache is not None else None
        valid = saved and saved[0] == str(FACTS_VERSION) and isinstance(saved[1], dict)
        self._saved: dict[str, tuple] = saved[1] if valid else {}
        self._now: dict[str, tuple] = {}
        self.read = 0  # files read this build (the rest came from the cache)

    def get(self, key: str, path: Path, shown: str, kind: str) -> FileFacts:
        stat = os.stat(path)
        stamp = (stat.st_mtime_ns, stat.st_size, kind)
        entry = self._now.get(key) or self._saved.get(key)
        if entry is None or entry[0] != stamp:
            if entry is not None and entry[0][1:] == stamp[1:] and self._blobs.blob(path, stat) == entry[2]:
                entry = (stamp, entry[1], entry[2])  # the same bytes under a new mtime: a fresh clone
            else:
                entry = (stamp, *read_facts_and_blob(path, shown, kind))
                self.read += 1
        self._now[key] = entry
        return entry[1]

    def save(self, *, complete: bool) -> None:
        """Keep what this build looked at; `complete`: it looked at every file, so forget the rest."""
        merged = self._now if complete else {**self._saved, **self._now}
        if self.cache is None or merged == self._saved:
            return
        self.cache.save_blob(CACHE_NAME, str(FACTS_VERSION), merged)
        self._saved = dict(merged)
