"""A PNG original as journalists download it: the chunks that make the picture are copied byte
for byte (no new compression), every other chunk goes. Kept: the header, palette, image data and
end (IHDR, PLTE, IDAT, IEND), what says how to show the pixels (transparency, gamma, chromaticities,
colour profile, significant bits, sRGB, the HDR chunks, background, histogram, pixel size) and the
frames of an animated PNG (acTL, fcTL, fdAT). Left out: text chunks (tEXt, zTXt, iTXt, with any XMP
of the camera or an earlier editor), EXIF (eXIf, which can hold a GPS position and serial
numbers), the time stamp, signatures, private chunks and anything after IEND.

Right after IHDR come a minimal eXIf with the orientation (when not upright) and an iTXt chunk with
the keyword `XML:com.adobe.xmp` holding the XMP packet (newsroom/media/embedded_rights.py), where
Adobe's XMP specification (part 3) puts it; PNG has no IPTC-IIM block. The XMP writer drops NUL,
so no text can end the chunk's fields early.
"""

from __future__ import annotations

import struct
import zlib

from newsroom.errors import ImageContainerError
from newsroom.media.embedded_rights import EmbeddedRights, xmp
from newsroom.media.exif_orientation import orientation_tiff

SIGNATURE = b"\x89PNG\r\n\x1a\n"
XMP_KEYWORD = b"XML:com.adobe.xmp"
KEPT = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"iCCP", b"sBIT", b"sRGB", b"cICP",
        b"mDCV", b"mDCv", b"cLLI", b"cLLi", b"bKGD", b"hIST", b"pHYs", b"acTL", b"fcTL", b"fdAT"}
_HEADER_END = len(SIGNATURE) + 8 + 13 + 4  # the signature and the IHDR chunk


def chunk(name: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + name + data + struct.pack(">I", zlib.crc32(name + data))


def without_metadata(data: bytes) -> bytes:
    """The PNG with only the chunks listed above; an ImageContainerError (German) when it cannot be read."""
    if not data.startswith(SIGNATURE):
        raise ImageContainerError("Die Datei beginnt nicht wie eine PNG-Datei.")
    kept, at = [SIGNATURE], len(SIGNATURE)
    while True:
        if at + 12 > len(data):
            raise ImageContainerError("Die PNG-Datei endet vor ihrem Schlussblock IEND.")
        length, name = struct.unpack(">I4s", data[at:at + 8])
        end = at + 12 + length
        if length > 0x7FFFFFFF or end > len(data):
            raise ImageContainerError(f"Der PNG-Block „{_shown(name)}“ ist abgeschnitten.")
        if at == len(SIGNATURE) and (name != b"IHDR" or length != 13):
            raise ImageContainerError("Der PNG-Kopf (IHDR) fehlt.")
        if name in KEPT:
            if struct.unpack(">I", data[end - 4:end])[0] != zlib.crc32(data[at + 4:end - 4]):
                raise ImageContainerError(f"Die Prüfsumme des PNG-Blocks „{_shown(name)}“ stimmt nicht.")
            kept.append(data[at:end])
        at = end
        if name == b"IEND":
            return b"".join(kept)


def additions(rights: EmbeddedRights, orientation: int) -> bytes:
    """The chunks put in after IHDR: the orientation as eXIf, the XMP as iTXt."""
    exif = orientation_tiff(orientation)
    # iTXt: keyword, NUL, not compressed (0, 0), no language tag and no translated keyword (NUL, NUL), text
    itxt = chunk(b"iTXt", XMP_KEYWORD + b"\x00\x00\x00\x00\x00" + xmp(rights))
    return (chunk(b"eXIf", exif) if exif else b"") + itxt


def additions_size(rights: EmbeddedRights, orientation: int) -> int:
    return len(additions(rights, orientation))


def stamped(bare: bytes, rights: EmbeddedRights, orientation: int) -> bytes:
    """A PNG from without_metadata with the orientation and the rights after its header."""
    return bare[:_HEADER_END] + additions(rights, orientation) + bare[_HEADER_END:]


def _shown(name: bytes) -> str:
    return name.decode("ascii", "replace") if name.isalpha() else name.hex()
