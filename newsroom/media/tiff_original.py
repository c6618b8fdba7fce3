"""A TIFF original as journalists download it: the file is laid out anew around its first image,
whose strips or tiles are copied byte for byte (no new compression), in the file's own byte
order. Of its tags only those that say how to read and show the pixels stay (size, samples,
compression, photometric interpretation, strips or tiles, resolution, predictor, colour map,
JPEG tables, YCbCr, the colour profile). Everything else goes: the EXIF and GPS directories (GPS
position, serial numbers, owner, maker notes), artist, copyright, description, date, software,
host computer, earlier XMP and IPTC, and every further image (thumbnails, sub-images, pages).

In go the orientation (274, when not upright), the XMP packet (tag 700, BYTE, as Adobe's XMP
specification part 3 says) and the IPTC-IIM datasets (tag 33723, UNDEFINED, as Photoshop and
Pillow's IPTC reader read them), both from newsroom/media/embedded_rights.py.

The layout: header, the one IFD, the values that do not fit into an entry (in tag order), then
the image data; every piece starts on an even offset. So the rights add a known number of bytes,
and a file laid out once is laid out the same way again.
"""

from __future__ import annotations

import struct

from newsroom.errors import ImageContainerError
from newsroom.media.embedded_rights import EmbeddedRights, iim, xmp

BYTE, SHORT, LONG, UNDEFINED = 1, 3, 4, 7
TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
ORIENTATION, XMP_TAG, IPTC_TAG = 274, 700, 33723
STRIPS, TILES = (273, 279), (324, 325)  # offsets, byte counts
KEPT = {256, 257, 258, 259, 262, 266, 277, 278, 279, 280, 281, 282, 283, 284, 296, 301, 317, 318, 319, 320,
        322, 323, 325, 332, 338, 339, 340, 341, 347, 529, 530, 531, 532, 34675}
OLD_JPEG = 6  # compression whose data hangs on tags 513/514 outside the strips: not supported


def _even(size: int) -> int:
    return size + (size & 1)


def _read(data: bytes) -> tuple[str, dict[int, tuple[int, int, bytes]], int, list[bytes]]:
    """Byte order, the kept entries of the first IFD (tag → type, count, raw value), the tag naming the
    image data's offsets (strips or tiles) and the image data."""
    if data[:4] in (b"II+\x00", b"MM\x00+"):
        raise ImageContainerError("BigTIFF-Dateien werden als Original nicht unterstützt.")
    if data[:4] not in (b"II*\x00", b"MM\x00*"):
        raise ImageContainerError("Die Datei beginnt nicht wie eine TIFF-Datei.")
    order = "<" if data[:2] == b"II" else ">"
    try:
        at = struct.unpack(order + "I", data[4:8])[0]
        count = struct.unpack(order + "H", data[at:at + 2])[0]
        entries = {}
        for index in range(count):
            start = at + 2 + 12 * index
            tag, kind, number = struct.unpack(order + "HHI", data[start:start + 8])
            if tag not in KEPT and tag not in STRIPS and tag not in TILES:
                continue
            if kind not in TYPE_SIZES:
                raise ImageContainerError(f"Das TIFF-Feld {tag} hat einen unbekannten Typ ({kind}).")
            size = TYPE_SIZES[kind] * number
            offset = start + 8 if size <= 4 else struct.unpack(order + "I", data[start + 8:start + 12])[0]
            if offset + size > len(data):
                raise ImageContainerError(f"Der Wert des TIFF-Felds {tag} liegt hinter dem Dateiende.")
            entries[tag] = (kind, number, data[offset:offset + size])
    except struct.error:
        raise ImageContainerError("Das Verzeichnis der TIFF-Datei (IFD) ist abgeschnitten.") from None
    if _numbers(order, entries.get(259)) == [OLD_JPEG]:
        raise ImageContainerError("Die veraltete JPEG-Kompression (6) wird für Originale nicht unterstützt.")
    offsets_tag, counts_tag = TILES if TILES[0] in entries else STRIPS
    offsets, counts = _numbers(order, entries.get(offsets_tag)), _numbers(order, entries.get(counts_tag))
    for tag in (*STRIPS, *TILES):
        if tag != counts_tag:  # the offsets are written by the layout
            entries.pop(tag, None)
    if not offsets or len(offsets) != len(counts):
        raise ImageContainerError("Die TIFF-Datei nennt ihre Bilddaten nicht vollständig.")
    if any(offset + size > len(data) for offset, size in zip(offsets, counts)):
        raise ImageContainerError("Die Bilddaten der TIFF-Datei sind abgeschnitten.")
    return order, entries, offsets_tag, [data[offset:offset + size] for offset, size in zip(offsets, counts)]


def _numbers(order: str, entry: tuple[int, int, bytes] | None) -> list[int]:
    if entry is None or entry[0] not in (SHORT, LONG):
        return []
    kind, number, raw = entry
    return list(struct.unpack(order + ("H" if kind == SHORT else "I") * number, raw))


def _layout(order: str, entries: dict, offsets_tag: int, blocks: list[bytes]) -> bytes:
    """The TIFF file: header, IFD, out-of-line values, image data (each block once, even offsets)."""
    fields = dict(entries)
    fields[offsets_tag] = (LONG, len(blocks), b"\x00" * 4 * len(blocks))  # filled in below
    tags = sorted(fields)
    values_at = 8 + 2 + 12 * len(tags) + 4
    data_at = values_at + sum(_even(len(fields[tag][2])) for tag in tags if len(fields[tag][2]) > 4)
    unique: dict[bytes, int] = {}
    for block in blocks:  # strips shared by several entries are written once
        if block not in unique:
            unique[block] = data_at
            data_at += _even(len(block))
    fields[offsets_tag] = (LONG, len(blocks), struct.pack(order + "I" * len(blocks), *(unique[b] for b in blocks)))
    directory, values = [struct.pack(order + "H", len(tags))], []
    at = values_at
    for tag in tags:
        kind, number, raw = fields[tag]
        if len(raw) <= 4:
            directory.append(struct.pack(order + "HHI", tag, kind, number) + raw.ljust(4, b"\x00"))
        else:
            directory.append(struct.pack(order + "HHII", tag, kind, number, at))
            values.append(raw.ljust(_even(len(raw)), b"\x00"))
            at += _even(len(raw))
    directory.append(b"\x00\x00\x00\x00")  # no further image
    header = (b"II*\x00" if order == "<" else b"MM\x00*") + struct.pack(order + "I", 8)
    return b"".join([header, *directory, *values, *(block.ljust(_even(len(block)), b"\x00") for block in unique)])


def without_metadata(data: bytes) -> bytes:
    """The first image with the kept tags only; an ImageContainerError (German) when it cannot be read."""
    return _layout(*_read(data))


def _additions(order: str, rights: EmbeddedRights, orientation: int) -> dict[int, tuple[int, int, bytes]]:
    packet, datasets = xmp(rights), iim(rights)
    added = {XMP_TAG: (BYTE, len(packet), packet), IPTC_TAG: (UNDEFINED, len(datasets), datasets)}
    if orientation in range(2, 9):
        added[ORIENTATION] = (SHORT, 1, struct.pack(order + "H", orientation))
    return added


def additions_size(rights: EmbeddedRights, orientation: int) -> int:
    """What the orientation and the rights add: an entry each, and their values where they do not fit in one."""
    added = _additions("<", rights, orientation).values()
    return sum(12 + (_even(len(raw)) if len(raw) > 4 else 0) for _kind, _number, raw in added)


def stamped(bare: bytes, rights: EmbeddedRights, orientation: int) -> bytes:
    """A TIFF from without_metadata with the orientation and the rights among its tags."""
    order, entries, offsets_tag, blocks = _read(bare)
    return _layout(order, {**entries, **_additions(order, rights, orientation)}, offsets_tag, blocks)
