"""What Instagram needs to know of an image, read from its header without decoding it:
the format, the size in pixels as shown (EXIF rotation applied) and the size in bytes.

Only the first segments of a file are read, so checking every story in `invoke check`
stays cheap. Renditions (cropping, converting PNG to JPEG) belong to the media portal.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

# Start-of-frame markers that carry the frame size (not DHT C4, JPG C8, DAC CC).
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
_HEIF_BRANDS = {b"avif": "AVIF", b"avis": "AVIF", b"heic": "HEIC", b"heix": "HEIC", b"mif1": "HEIF"}


@dataclass(frozen=True)
class ImageFacts:
    format: str  # "JPEG", "PNG", "GIF", "WEBP", "AVIF", "HEIC", "TIFF" or "unbekannt"
    width: int | None  # as displayed, after EXIF rotation
    height: int | None
    size: int  # bytes


def read_image(path: Path) -> ImageFacts:
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(32)
        if head.startswith(b"\xff\xd8"):
            handle.seek(2)
            width, height = _jpeg_size(handle)
            return ImageFacts("JPEG", width, height, size)
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        width, height = struct.unpack(">II", head[16:24])
        return ImageFacts("PNG", width, height, size)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", head[6:10])
        return ImageFacts("GIF", width, height, size)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ImageFacts("WEBP", None, None, size)
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return ImageFacts(_HEIF_BRANDS[head[8:12]], None, None, size)
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return ImageFacts("TIFF", None, None, size)
    return ImageFacts("unbekannt", None, None, size)


def _jpeg_size(handle) -> tuple[int | None, int | None]:
    """Walk the segments up to the frame header; rotate by the EXIF orientation if any."""
    rotated = False
    while True:
        byte = handle.read(1)
        if not byte:
            return None, None
        if byte != b"\xff":
            continue
        marker = handle.read(1)
        while marker == b"\xff":  # fill bytes
            marker = handle.read(1)
        if not marker:
            return None, None
        code = marker[0]
        if code in _STANDALONE or code == 0x00:
            continue
        if code in (0xD9, 0xDA):  # end of image or start of scan before any frame header
            return None, None
        raw = handle.read(2)
        if len(raw) < 2:
            return None, None
        length = struct.unpack(">H", raw)[0]
        data = handle.read(length - 2)
        if code in _SOF and len(data) >= 5:
            height, width = struct.unpack(">HH", data[1:5])
            return (height, width) if rotated else (width, height)
        if code == 0xE1 and data.startswith(b"Exif\x00\x00"):
            rotated = _exif_orientation(data[6:]) in (5, 6, 7, 8)


def _exif_orientation(tiff: bytes) -> int | None:
    """Tag 0x0112 of IFD0 in an EXIF TIFF block: 5–8 mean the picture is shown turned by 90°."""
    if tiff[:2] == b"II":
        order = "<"
    elif tiff[:2] == b"MM":
        order = ">"
    else:
        return None
    try:
        offset = struct.unpack(order + "I", tiff[4:8])[0]
        count = struct.unpack(order + "H", tiff[offset:offset + 2])[0]
        for index in range(count):
            entry = tiff[offset + 2 + 12 * index:offset + 14 + 12 * index]
            tag, kind = struct.unpack(order + "HH", entry[:4])
            if tag == 0x0112 and kind == 3:
                return struct.unpack(order + "H", entry[8:10])[0]
    except struct.error:
        return None
    return None
