"""A photo's original as journalists download it (`medien/<path>`, album ZIPs): every format the
media library takes as a photo (JPEG, PNG, WebP, TIFF; newsroom/media/files.py PHOTO_FORMATS)
keeps its picture data untouched (no new compression) and gets its metadata replaced: GPS
position, serial numbers, owner, comments, texts and thumbnails go; the orientation stays; credit,
terms, caption and the medium's page go in as in a rendition (newsroom/media/embedded_rights.py).
What each container keeps and where the rights go: jpeg_original.py, png_original.py,
webp_original.py, tiff_original.py. A video (MP4) keeps its media data and every offset
into it, loses location and owner and gets the rights as XMP (mp4_original.py). A video's poster image is handed out the same way, with the
video's rights (plugins/assets). A file whose structure cannot be read is a content error
(newsroom/media/files.py), never passed on as delivered.

The size of the file handed out follows from the facts kept in the build cache (the file's size
without its metadata) and the rights, so feeds and pages state it without reading the file.
"""

from __future__ import annotations

from pathlib import Path

from newsroom.errors import ImageContainerError
from newsroom.media import jpeg_original, mp4_original, png_original, tiff_original, webp_original
from newsroom.media.embedded_rights import EmbeddedRights

CONTAINERS = {"JPEG": jpeg_original, "PNG": png_original, "WEBP": webp_original, "TIFF": tiff_original,
              "MP4": mp4_original}


def without_metadata(image_format: str, data: bytes) -> bytes:
    """The file without its metadata, as stamped() takes it; an ImageContainerError (German) when its
    structure cannot be read."""
    if image_format not in CONTAINERS:
        raise ImageContainerError(f"Das Bildformat {image_format} wird als Original nicht unterstützt.")
    return CONTAINERS[image_format].without_metadata(data)


def stamps(item) -> bool:
    """The original is handed out with its metadata replaced (a photo or video whose file could be read)."""
    return item.kind in ("photo", "video") and item.facts is not None and item.facts.bare_bytes is not None


def stamped_size(facts, rights: EmbeddedRights) -> int:
    """Bytes of a photo file (its FileFacts) as handed out with `rights`."""
    return facts.bare_bytes + CONTAINERS[facts.format].additions_size(rights, facts.orientation)


def stamped_file(facts, data: bytes, rights: EmbeddedRights) -> bytes:
    """A photo file's bytes (as described by its FileFacts) as handed out with `rights`."""
    bare = without_metadata(facts.format, data)
    return CONTAINERS[facts.format].stamped(bare, rights, facts.orientation)


def stamped_signature(facts, rights: EmbeddedRights) -> tuple:
    """What a photo file handed out with `rights` is made of (a page's or the writer's inputs)."""
    return ("original", facts.digest, rights.signature(), facts.orientation)


def published_size(item, page: str | None) -> int:
    """Bytes of the original as the site hands it out."""
    if not stamps(item):
        return item.facts.bytes
    return stamped_size(item.facts, EmbeddedRights.of(item, page))


def published_original(item, source: Path, page: str | None) -> bytes:
    """The original's bytes as the site hands them out."""
    data = source.read_bytes()
    if not stamps(item):
        return data
    return stamped_file(item.facts, data, EmbeddedRights.of(item, page))


def signature(item, page: str | None) -> tuple:
    """What the handed-out original is made of (a page's or the writer's inputs)."""
    if not stamps(item):
        return ("original", item.facts.digest)
    return stamped_signature(item.facts, EmbeddedRights.of(item, page))
