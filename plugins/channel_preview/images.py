"""The images of the story previews, copied into meldungen/bilder/: the previews are opened
from disk and their policy allows images from beside them only (img-src 'self').

A copy is named by its medium and purpose (views.copy_name), written only when its bytes
differ from the file the channel gets, and removed once no preview uses it."""

from __future__ import annotations

import filecmp
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from newsroom.atomic import atomic_write

logger = logging.getLogger("newsroom.servers.preview")
FOLDER = "bilder"


def place(source: Path, target: Path) -> bool:
    """Copy `source` to `target` unless it holds the same bytes; True when written."""
    try:
        if target.stat().st_size == source.stat().st_size and filecmp.cmp(source, target, shallow=False):
            return False
    except FileNotFoundError:
        pass
    try:
        data = source.read_bytes()
    except OSError as exc:
        logger.warning("Vorschau: Bild %s nicht lesbar (%s); die Vorschau zeigt es nicht.", source, exc)
        return False
    atomic_write(target, data)
    return True


def prune(folder: Path, used: Iterable[str]) -> None:
    """Remove the copies no preview uses any more."""
    keep = set(used)
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.name not in keep and entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)
