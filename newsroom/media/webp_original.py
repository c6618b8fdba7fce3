"""A WebP original as journalists download it: the RIFF container is written anew around the
chunks that make the picture, copied byte for byte (no new compression): the colour profile
(ICCP), animation (ANIM, ANMF), transparency (ALPH) and the bitstream (VP8, VP8L). EXIF (GPS
position, serial numbers, owner), XMP of the camera or an earlier editor, unknown chunks and
anything after the RIFF size go.

WebP has no IPTC-IIM block: the rights travel as XMP (newsroom/media/embedded_rights.py) in the
`XMP ` chunk, the orientation (when not upright) in a minimal `EXIF` chunk. Both need the extended
format, so a simple file (VP8 or VP8L alone) gets a VP8X header, its canvas read from the bitstream's
own header; the VP8X flags name what follows, as the WebP container specification asks.
"""

from __future__ import annotations

import struct

from newsroom.errors import ImageContainerError
from newsroom.media.embedded_rights import EmbeddedRights, xmp
from newsroom.media.exif_orientation import orientation_tiff

KEPT = (b"ICCP", b"ANIM", b"ANMF", b"ALPH", b"VP8 ", b"VP8L")
ICC, ALPHA, EXIF, XMP, ANIMATION = 0x20, 0x10, 0x08, 0x04, 0x02


def chunk(name: bytes, data: bytes) -> bytes:
    return name + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) % 2 else b"")


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ImageContainerError("Die Datei beginnt nicht wie eine WebP-Datei (RIFF/WEBP).")
    end = 8 + struct.unpack("<I", data[4:8])[0]
    if end > len(data):
        raise ImageContainerError("Die WebP-Datei ist kürzer, als ihr RIFF-Kopf angibt.")
    found, at = [], 12
    while at + 8 <= end:
        name, size = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        if at + 8 + size > end:
            raise ImageContainerError(f"Der WebP-Block „{name.decode('latin-1')}“ ist abgeschnitten.")
        found.append((name, data[at + 8:at + 8 + size]))
        at += 8 + size + (size & 1)
    return found


def _simple_canvas(name: bytes, bitstream: bytes) -> tuple[int, int, int]:
    """Width, height and the alpha flag of a simple WebP, from the VP8 frame or VP8L header."""
    if name == b"VP8 " and len(bitstream) >= 10 and bitstream[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", bitstream[6:10])
        return width & 0x3FFF, height & 0x3FFF, 0  # the top two bits are the upscaling hint
    if name == b"VP8L" and len(bitstream) >= 5 and bitstream[0] == 0x2F:
        bits = struct.unpack("<I", bitstream[1:5])[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, ALPHA if bits >> 28 & 1 else 0
    raise ImageContainerError("Der Bildkopf der WebP-Datei (VP8/VP8L) lässt sich nicht lesen.")


def without_metadata(data: bytes) -> bytes:
    """The WebP with a VP8X header and the chunks listed above; an ImageContainerError (German) when it
    cannot be read."""
    chunks = _chunks(data)
    if not chunks:
        raise ImageContainerError("Die WebP-Datei enthält kein Bild.")
    kept = [(name, body) for name, body in chunks if name in KEPT]
    if chunks[0][0] == b"VP8X":
        header = chunks[0][1]
        if len(header) < 10:
            raise ImageContainerError("Der WebP-Kopf VP8X ist zu kurz.")
        width = int.from_bytes(header[4:7], "little") + 1
        height = int.from_bytes(header[7:10], "little") + 1
        flags = header[0] & (ALPHA | ANIMATION)
    elif chunks[0][0] in (b"VP8 ", b"VP8L"):
        width, height, flags = _simple_canvas(*chunks[0])
        kept = kept[:1]
    else:
        raise ImageContainerError("Die WebP-Datei beginnt mit keinem bekannten Block (VP8, VP8L, VP8X).")
    if not (0 < width <= 1 << 24 and 0 < height <= 1 << 24):
        raise ImageContainerError("Die Bildgröße im WebP-Kopf ist ungültig.")
    if not any(name in (b"VP8 ", b"VP8L", b"ANMF") for name, _body in kept):
        raise ImageContainerError("Die WebP-Datei enthält kein Bild.")
    if any(name == b"ICCP" for name, _body in kept):
        flags |= ICC
    vp8x = bytes([flags]) + b"\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    body = b"WEBP" + chunk(b"VP8X", vp8x) + b"".join(chunk(name, data) for name, data in kept)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def additions(rights: EmbeddedRights, orientation: int) -> bytes:
    """The chunks put at the end, in the order the specification lists them: EXIF, then XMP."""
    exif = orientation_tiff(orientation)
    return (chunk(b"EXIF", exif) if exif else b"") + chunk(b"XMP ", xmp(rights))


def additions_size(rights: EmbeddedRights, orientation: int) -> int:
    return len(additions(rights, orientation))


def stamped(bare: bytes, rights: EmbeddedRights, orientation: int) -> bytes:
    """A WebP from without_metadata with the orientation and the rights, flagged in VP8X."""
    flags = bare[20] | XMP | (EXIF if orientation_tiff(orientation) else 0)
    body = bare[12:20] + bytes([flags]) + bare[21:] + additions(rights, orientation)
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body
