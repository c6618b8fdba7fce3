"""A JPEG original as journalists download it: its picture data stays untouched (no new
compression) and its metadata is replaced. Every APPn segment but JFIF (APP0), the colour profile
(APP2 ICC_PROFILE) and Adobe's colour transform (APP14) goes, with comments and whatever follows
the picture (the secondary images of MPF, which carry EXIF of their own): no GPS position, serial
number, owner or maker note is passed on. The orientation stays, in a minimal EXIF, so the photo
stands as before; then credit, terms, caption and the medium's page as in a rendition
(newsroom/media/embedded_rights.py): XMP in APP1, IPTC-IIM in APP13.
"""

from __future__ import annotations

import struct

from newsroom.errors import ImageContainerError
from newsroom.media.embedded_rights import EmbeddedRights, app1_xmp, app13
from newsroom.media.exif_orientation import orientation_tiff

_KEEP_APPS = {0xE0, 0xEE}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn carry no length


def jpeg_without_metadata(data: bytes) -> bytes | None:
    """The JPEG with its metadata removed as described above; None when it is not a JPEG this can read."""
    if data[:2] != b"\xff\xd8":
        return None
    kept, at = [b"\xff\xd8"], 2
    try:
        while True:
            while data[at] == 0xFF and data[at + 1] == 0xFF:  # fill bytes before a marker
                at += 1
            if data[at] != 0xFF:
                return None
            marker = data[at + 1]
            if marker == 0xD9:  # EOI: the picture ends; anything after it is left out
                kept.append(b"\xff\xd9")
                return b"".join(kept)
            if marker in _STANDALONE:
                kept.append(data[at:at + 2])
                at += 2
                continue
            length = struct.unpack(">H", data[at + 2:at + 4])[0]
            segment = data[at:at + 2 + length]
            if len(segment) != 2 + length:
                return None
            at += 2 + length
            if marker == 0xDA:  # SOS: the entropy-coded data runs to the next marker other than RSTn
                end = at
                while True:
                    end = data.index(b"\xff", end)
                    following = data[end + 1]
                    if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                        end += 1 if following == 0xFF else 2
                        continue
                    break
                kept.append(segment + data[at:end])
                at = end
            elif (0xE0 <= marker <= 0xEF and marker not in _KEEP_APPS
                  and not (marker == 0xE2 and segment[4:16] == b"ICC_PROFILE\x00")) or marker == 0xFE:
                continue  # metadata: EXIF, XMP, IPTC, MPF, maker notes, comments
            else:
                kept.append(segment)
    except (IndexError, ValueError, struct.error):
        return None


def _orientation_exif(orientation: int) -> bytes:
    tiff = orientation_tiff(orientation)
    if not tiff:
        return b""
    body = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def original_additions(rights: EmbeddedRights, orientation: int) -> bytes:
    """The segments a JPEG original gets after its JFIF segment: the orientation, XMP, IPTC-IIM."""
    return _orientation_exif(orientation) + app1_xmp(rights) + app13(rights)


def stamped_jpeg(clean: bytes, rights: EmbeddedRights, orientation: int) -> bytes:
    """A JPEG from jpeg_without_metadata with the rights (and the orientation) put in after SOI and JFIF."""
    at = 2
    if clean[2:4] == b"\xff\xe0":
        at += 2 + struct.unpack(">H", clean[4:6])[0]
    return clean[:at] + original_additions(rights, orientation) + clean[at:]


def without_metadata(data: bytes) -> bytes:
    """jpeg_without_metadata, or an ImageContainerError when the segments cannot be read."""
    bare = jpeg_without_metadata(data)
    if bare is None:
        raise ImageContainerError("Die JPEG-Segmente lassen sich nicht bis zum Bildende lesen.")
    return bare


def additions_size(rights: EmbeddedRights, orientation: int) -> int:
    return len(original_additions(rights, orientation))


stamped = stamped_jpeg
