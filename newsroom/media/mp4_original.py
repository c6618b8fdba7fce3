"""A video (`.mp4`, the only video file the library takes; QuickTime files have the same boxes) as
journalists download it: the media data and every chunk offset stay as they are; only the
metadata changes, never a box's size or place.

- Where the camera or phone wrote the place or the owner into the user data (`moov/udta`, also a
  track's `udta` and the `meta` box's Apple keys), the box is neutralised: its type becomes `free`
  and its payload zeros, same size. Neutralised: `©xyz` (ISO 6709 position), `loci` (3GPP
  location), `©own`/`own ` (owner), `©ART`/`©aut`/`auth` (the person who filmed: the credit in
  the XMP names whom the newsroom names) and the `meta` box (iTunes and Apple keys, among them
  `com.apple.quicktime.location.ISO6709`, `…make`, `…model`: the position and the device).
- A top-level `uuid` box with the XMP UUID (BE7ACFCB-97A9-42E8-9C71-999491E3AFAC, XMP
  specification part 3) from the camera or an earlier editor becomes a `free` box of the same
  size, or goes when it is the file's last box.
- The rights (newsroom/media/embedded_rights.py) go in one XMP `uuid` box at the end of the file,
  where no offset into `mdat` moves.

A file whose boxes do not fit together (a box running past the end, a size smaller than its
header, no `moov`) is an ImageContainerError: newsroom/media/files.py names the file.
"""

from __future__ import annotations

import struct

from newsroom.errors import ImageContainerError
from newsroom.media.embedded_rights import EmbeddedRights, xmp

XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
# Boxes whose content is boxes, on the way to the user data of the movie and of its tracks.
_PARENTS = {b"moov", b"trak", b"udta"}
# Location and owner, and the Apple `meta` box (keys for position and device); see the module docstring.
NEUTRALISED = {b"\xa9xyz", b"loci", b"\xa9own", b"own ", b"\xa9ART", b"\xa9aut", b"auth", b"meta"}
_DEPTH = 8  # deeper nesting than moov/trak/udta is a broken file


def _walk(data: bytes, start: int, end: int) -> list[tuple[int, int, int, bytes]]:
    """(offset, header length, box length, type) of the boxes between `start` and `end`."""
    boxes, at = [], start
    while at < end:
        if at + 8 > end:
            if not any(data[at:end]):
                break  # QuickTime ends a user data list with four zero bytes
            raise ImageContainerError(f"Nach Byte {at} folgen nur Reste eines Blocks (Box).")
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        header = 8
        if length == 1:
            if at + 16 > end:
                raise ImageContainerError(f"Der Block „{_shown(kind)}“ ist abgeschnitten.")
            length, header = struct.unpack(">Q", data[at + 8:at + 16])[0], 16
        elif length == 0:  # "to the end of the file": only the last top-level box
            length = end - at
        if kind == b"uuid":
            header += 16
        if length < header:
            raise ImageContainerError(f"Der Block „{_shown(kind)}“ bei Byte {at} ist kürzer als sein Kopf.")
        if at + length > end:
            where = "das Dateiende" if end == len(data) else "seinen umgebenden Block"
            raise ImageContainerError(f"Der Block „{_shown(kind)}“ bei Byte {at} reicht über {where} hinaus.")
        boxes.append((at, header, length, kind))
        at += length
    return boxes


def _neutralised(data: bytes, start: int, end: int, depth: int) -> list[tuple[int, bytes]]:
    """(offset, bytes to put there) turning the boxes named above into zeroed `free` boxes."""
    if depth > _DEPTH:
        raise ImageContainerError("Die Blöcke (Boxen) sind zu tief verschachtelt.")
    edits = []
    for at, header, length, kind in _walk(data, start, end):
        if kind in NEUTRALISED:
            edits.append((at, _free(length, header == 16)))
        elif kind in _PARENTS:
            edits.extend(_neutralised(data, at + header, at + length, depth + 1))
    return edits


def _free(length: int, large: bool) -> bytes:
    """A zeroed `free` box of `length` bytes, its size in the same header form as the box it replaces."""
    if large:
        return struct.pack(">I4sQ", 1, b"free", length) + bytes(length - 16)
    return struct.pack(">I4s", length, b"free") + bytes(length - 8)


def without_metadata(data: bytes) -> bytes:
    """The video with location and owner neutralised and no XMP box of its own; an
    ImageContainerError (German) when its boxes cannot be read. An unchanged video is the same
    object (no copy of a large file)."""
    if len(data) < 8 or data[4:8] not in (b"ftyp", b"moov", b"wide", b"free", b"mdat", b"skip"):
        raise ImageContainerError("Die Datei beginnt nicht wie ein MP4- oder MOV-Video.")
    top = _walk(data, 0, len(data))
    if not any(kind == b"moov" for *_rest, kind in top):
        raise ImageContainerError("Der Index des Videos (moov) fehlt.")
    edits = []
    for at, header, length, kind in top:
        if kind == b"moov":
            edits.extend(_neutralised(data, at + header, at + length, 1))
    cut = len(data)
    for at, header, length, kind in reversed(top):
        if kind != b"uuid" or data[at + header - 16:at + header] != XMP_UUID:
            continue
        if at + length == cut:
            cut = at  # the last box(es): dropped, nothing after them moves
        else:
            edits.append((at, _free(length, header == 32)))
    last = next((box for box in reversed(top) if box[0] < cut), None)
    if last and struct.unpack(">I", data[last[0]:last[0] + 4])[0] == 0:
        # A last box sized "to the end of the file" gets its size, so the XMP box is not read as part of it.
        if last[2] > 0xFFFFFFFF:
            raise ImageContainerError(f"Der letzte Block „{_shown(last[3])}“ hat keine Größenangabe und ist "
                                      "über 4 GB groß.")
        edits.append((last[0], struct.pack(">I", last[2])))
    if not edits and cut == len(data):
        return data
    bare = bytearray(memoryview(data)[:cut])
    for at, replacement in edits:
        if at < cut:
            bare[at:at + len(replacement)] = replacement
    return bytes(bare)


def additions(rights: EmbeddedRights) -> bytes:
    """The XMP `uuid` box put at the end."""
    packet = xmp(rights)
    return struct.pack(">I4s", 8 + 16 + len(packet), b"uuid") + XMP_UUID + packet


def additions_size(rights: EmbeddedRights, orientation: int = 1) -> int:
    return len(additions(rights))


def stamped(bare: bytes, rights: EmbeddedRights, orientation: int = 1) -> bytes:
    """A video from without_metadata with the rights after its last box."""
    return bare + additions(rights)


def _shown(kind: bytes) -> str:
    return kind.decode("latin-1") if all(32 <= b < 127 or b == 0xA9 for b in kind) else kind.hex()
