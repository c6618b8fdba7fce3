"""Atomic file writes (a temporary file in the same folder, then a rename), and deleting what they replaced."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old or the new file, never half of one.

    The rename also gives the file a new inode, which the staged output relies on: a
    file hard-linked from the live site is replaced, never modified in place.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically unless the file already holds these bytes; returns whether it wrote."""
    try:
        if path.read_bytes() == data:
            return False
    except (FileNotFoundError, IsADirectoryError):
        pass
    atomic_write(path, data)
    return True


def discard(folder: str | Path, files: int | None = None, *, at_once: int) -> None:
    """Delete a folder of files moved aside: at once when it holds fewer than `at_once` files, else
    by a process of its own, so the caller returns (deleting costs about 0.3–0.8 ms a file on a disk
    mounted with discard, moving a file aside 0.05 ms)."""
    if files is None:
        try:
            files = len(os.listdir(folder))
        except FileNotFoundError:
            return
    if files < at_once:
        shutil.rmtree(folder, ignore_errors=True)
        return
    subprocess.Popen(["rm", "-rf", "--", str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)
