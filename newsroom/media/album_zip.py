"""An album as one ZIP download, byte-identical for the same files and texts.

Entries are sorted, stored (photos do not compress), dated by a fixed moment and given
fixed permissions, so the archive depends on nothing but its content: a build without
change writes none, and a download's checksum stays valid.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def album_zip(files: list[tuple[str, Path | bytes]]) -> bytes:
    """files: (name inside the archive, file on disk or bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, source in sorted(files, key=lambda entry: entry[0]):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever builds it
            data = source if isinstance(source, bytes) else source.read_bytes()
            archive.writestr(info, data, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()
