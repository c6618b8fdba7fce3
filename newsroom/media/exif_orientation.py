"""The one EXIF field a handed-out original keeps: its orientation, so the photo stands as
delivered. Written as a minimal TIFF structure (IFD0 with tag 0x0112 alone), the form EXIF
takes in JPEG's APP1 (after `Exif\\0\\0`), PNG's eXIf and WebP's EXIF chunk."""

from __future__ import annotations


def orientation_tiff(orientation: int) -> bytes:
    """The EXIF TIFF structure naming `orientation`; empty for 1 (upright) and unknown values."""
    if orientation not in range(2, 9):
        return b""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()[6:]  # without b"Exif\0\0"
