"""A photo's original as journalists download it (`medien/<path>`, album ZIPs): a JPEG keeps its
picture data untouched (no new compression) and gets its metadata replaced. Every APPn segment but
JFIF (APP0), the colour profile (APP2 ICC_PROFILE) and Adobe's colour transform (APP14) goes, with
comments and whatever follows the picture (the secondary images of MPF, which carry EXIF of their
own): no GPS position, serial number, owner or maker note is passed on. The orientation stays, in a
minimal EXIF, so the photo stands as before; then credit, terms, caption and the medium's page as
in a rendition (newsroom/media/embedded_rights.py). PNG, WebP and TIFF originals are passed on as
delivered.

The size of the file handed out follows from the facts kept in the build cache (the JPEG's size
without its metadata, newsroom/media/files.py) and the rights, so feeds and pages state it
without reading the file.
"""

from __future__ import annotations

import struct
from pathlib import Path

from newsroom.media.embedded_rights import EmbeddedRights, app1_xmp, app13

_KEEP_APPS = {0xE0, 0xEE}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn carry no length


def jpeg_without_metadata(data: bytes) -> bytes | None:
    """The JPEG with its metadata removed as described above; None when it is not a JPEG this can read
    (the original is then passed on as it is)."""
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
    if orientation in (0, 1):
        return b""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    body = exif.tobytes()  # b"Exif\0\0" and the TIFF structure
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


def stamps(item) -> bool:
    """The original is handed out with its metadata replaced (a JPEG this module can read)."""
    return item.kind == "photo" and item.facts is not None and item.facts.bare_bytes is not None


def published_size(item, page: str | None) -> int:
    """Bytes of the original as the site hands it out."""
    if not stamps(item):
        return item.facts.bytes
    return item.facts.bare_bytes + len(original_additions(EmbeddedRights.of(item, page), item.facts.orientation))


def published_original(item, source: Path, page: str | None) -> bytes:
    """The original's bytes as the site hands them out."""
    data = source.read_bytes()
    bare = jpeg_without_metadata(data) if stamps(item) else None
    if bare is None:
        return data
    return stamped_jpeg(bare, EmbeddedRights.of(item, page), item.facts.orientation)


def signature(item, page: str | None) -> tuple:
    """What the handed-out original is made of (a page's or the writer's inputs)."""
    if not stamps(item):
        return ("original", item.facts.digest)
    return ("original", item.facts.digest, EmbeddedRights.of(item, page).signature(), item.facts.orientation)
