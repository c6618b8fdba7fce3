"""Web renditions of photos: several widths as WebP and JPEG, and the channels' crops around
the photo's focus point (newsroom/media/crops.py), made once and kept in a cache.

A photo's renditions live in CACHE_PATH/renditions/<hash>-<settings>/, named by the
photo's content hash and a hash of the rendition settings (widths, qualities, the code's
version and Pillow's; for the crops their ratios, widths, byte limit and the focus point):
a photo whose bytes and settings are unchanged is never decoded again, whatever its name or
place, and a new focus point draws that photo's crops alone again. The folder's
`index.json` is written last, so a folder without it (a build killed half-way) counts as
missing. Folders no build asked for are pruned after a successful build.

Every rendition is drawn upright (EXIF orientation applied) from the pixels alone: no
EXIF (GPS position, camera serial, owner), no XMP, no IPTC, no comment is carried over;
only the colour profile, which describes colours, not people. What each file does carry is
written anew from the medium's description: credit, terms of use and caption as IPTC-IIM and
XMP (newsroom/media/embedded_rights.py). They are part of the cache key, so a corrected credit
draws that photo's files again, and only them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from newsroom.atomic import atomic_write
from newsroom.errors import ContentError
from newsroom.media.crops import Crop, crop_window, decode_width, output_size
from newsroom.media.embedded_rights import EmbeddedRights, save_options
from newsroom.progress import Progress

VERSION = 2  # raise when the drawing changes: every cached rendition is made again
INDEX = "index.json"
MIME = {"webp": "image/webp", "jpg": "image/jpeg"}


@dataclass(frozen=True)
class RenditionSettings:
    widths: tuple[int, ...]
    formats: tuple[str, ...]
    jpeg_quality: int
    webp_quality: int

    @classmethod
    def from_settings(cls, settings: dict) -> RenditionSettings:
        value = settings["MEDIA_RENDITIONS"]
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in value.items()})

    def key(self, purpose: str = "web", rights: EmbeddedRights | None = None) -> str:
        from PIL import __version__ as pillow

        text = repr((VERSION, pillow, purpose, self)) if purpose == "web" else repr((VERSION, pillow, purpose))
        if rights is not None:
            text += rights.signature()
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Rendition:
    name: str  # file name in the cache folder, e.g. "640.webp"
    width: int
    height: int
    bytes: int
    format: str  # "webp" or "jpg"

    @property
    def mime(self) -> str:
        return MIME[self.format]


def widths_for(original_width: int, wanted: tuple[int, ...]) -> list[int]:
    """The wanted widths the photo can fill; a photo narrower than all gets its own width."""
    fitting = sorted(w for w in wanted if w <= original_width)
    return fitting or [original_width]


class RenditionCache:
    def __init__(self, folder: Path):
        self.folder = folder
        self.used: set[str] = set()
        self.made = 0  # photos drawn in this build

    def path(self, digest: str, key: str) -> Path:
        return self.folder / f"{digest}-{key}"

    def lookup(self, digest: str, key: str) -> list[Rendition] | None:
        self.used.add(f"{digest}-{key}")
        index = self.path(digest, key) / INDEX
        try:
            return [Rendition(**entry) for entry in json.loads(index.read_text(encoding="utf-8"))]
        except (OSError, ValueError, TypeError):
            return None

    def make_all(self, jobs: list[tuple], workers: int) -> tuple[dict, list[ContentError]]:
        """jobs: (digest, key, source path, shown name, draw function); returns
        {(digest, key): [Rendition]} and the errors of files that could not be drawn.

        Pillow releases the interpreter lock while decoding, scaling and encoding, so
        threads use every core without copying photos between processes."""
        results, errors = {}, []
        # Files with the same bytes share one folder: draw it once (two threads drawing into
        # one folder would remove each other's work).
        jobs = list({(job[0], job[1]): job for job in reversed(jobs)}.values())[::-1]

        def run(job):
            digest, key, source, shown, draw = job
            try:
                return job, self._make(digest, key, source, draw), None
            except ContentError as exc:
                return job, None, exc

        with ThreadPoolExecutor(max(1, min(workers, len(jobs)))) as pool, \
                Progress("Medien umrechnen", len(jobs), "Fotos") as progress:
            for (digest, key, *_rest), made, error in pool.map(run, jobs):
                progress.advance()
                if error:
                    errors.append(error)
                else:
                    results[(digest, key)] = made
                    self.made += 1
        return results, errors

    def _make(self, digest: str, key: str, source: Path, draw) -> list[Rendition]:
        folder = self.path(digest, key)
        self.used.add(folder.name)
        if folder.exists():
            shutil.rmtree(folder)  # a half-made folder of a killed build
        folder.mkdir(parents=True)
        renditions = []
        for name, data, width, height, fmt in draw(source):
            atomic_write(folder / name, data)
            renditions.append(Rendition(name, width, height, len(data), fmt))
        atomic_write(folder / INDEX, json.dumps([r.__dict__ for r in renditions]).encode())
        return renditions

    def prune(self) -> int:
        """Remove the renditions no part of this build asked for; returns how many."""
        if not self.folder.is_dir():
            return 0
        removed = 0
        for entry in os.scandir(self.folder):
            if entry.is_dir() and entry.name not in self.used:
                shutil.rmtree(entry.path, ignore_errors=True)
                removed += 1
        return removed


# -- drawing (Pillow) ----------------------------------------------------------------------

def _open_upright(source: Path, shown: str, largest: int):
    """The photo decoded upright in RGB, at least `largest` pixels wide where possible."""
    from PIL import Image, ImageOps

    try:
        image = Image.open(source)
        if image.format == "JPEG":
            # Decode at 1/2, 1/4 or 1/8 size when that still covers the largest rendition:
            # the JPEG decoder's own scaling is several times faster than decoding it all.
            width, height = image.size
            turned = image.getexif().get(0x0112) in (5, 6, 7, 8)
            scale = largest / (height if turned else width)
            image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError):
        raise ContentError(shown, "Die Bilddatei lässt sich nicht lesen (beschädigt oder unvollständig).") from None
    icc = image.info.get("icc_profile")
    if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        upright = flat
    elif upright.mode != "RGB":
        upright = upright.convert("RGB")
    return upright, icc


def _encode(image, fmt: str, quality: int, icc, rights: EmbeddedRights | None) -> bytes:
    buffer = io.BytesIO()
    image.info = {}  # nothing of the original's metadata may travel along
    options = {"icc_profile": icc} if icc else {}
    options.update(save_options(rights, fmt))
    if fmt == "jpg":
        image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True, exif=b"", **options)
    else:
        image.save(buffer, "WEBP", quality=quality, method=4, exif=b"", **options)
    return buffer.getvalue()


def web_drawer(settings: RenditionSettings, width: int, shown: str, rights: EmbeddedRights | None = None):
    """A function drawing every web rendition of a photo `width` pixels wide (upright)."""
    targets = widths_for(width, settings.widths)

    def draw(source: Path):
        from PIL import Image

        image, icc = _open_upright(source, shown, max(targets))
        for target in sorted(targets, reverse=True):
            height = max(1, round(image.height * target / image.width))
            scaled = image if (target, height) == image.size else image.resize(
                (target, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            for fmt in settings.formats:
                quality = settings.jpeg_quality if fmt == "jpg" else settings.webp_quality
                data = _encode(scaled.copy(), fmt, quality, icc, rights)
                yield f"{target}.{fmt}", data, target, height, fmt

    return draw


def crop_drawer(crops: list[Crop], focus: tuple[float, float], max_bytes: int, shown: str,
                size: tuple[int, int], rights: EmbeddedRights | None = None):
    """A function drawing a photo's channel crops (newsroom.media.crops): each a JPEG of the crop's
    exact ratio around `focus`, at most the crop's width (never enlarged) and `max_bytes` large.
    `size`: the photo's pixel size as shown; the crops are all drawn from one decoding."""
    windows = [(crop, crop_window(size, (crop.width, crop.height), focus)) for crop in crops]

    def draw(source: Path):
        from PIL import Image

        image, icc = _open_upright(source, shown, decode_width(size, crops, focus))
        # The JPEG decoder may have scaled the photo down (draft): windows are in the photo's own pixels.
        across, down = image.width / size[0], image.height / size[1]
        for crop, (left, top, right, bottom) in windows:
            width, height = output_size((left, top, right, bottom), crop)
            scaled = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0,
                                  box=(left * across, top * down, right * across, bottom * down))
            for quality in (88, 80, 70, 60, 50):
                data = _encode(scaled.copy(), "jpg", quality, icc, rights)
                if len(data) <= max_bytes:
                    break
            yield f"{crop.purpose}.jpg", data, width, height, "jpg"

    return draw
