"""The staged site output: the live `output/` is replaced only by a complete build.

A build works in a staging folder that starts as a hard-linked copy of the last good
site (cheap even for 25,000 pages). The writer replaces files by rename, never in
place, so the live site's inodes are never touched; files the build no longer
produces are pruned; and only a successful build swaps the staging folder in.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import logging
import os
import shutil
from pathlib import Path

from .atomic import atomic_write
from .errors import NewsroomError

logger = logging.getLogger("newsroom.output")


class OutputConflict(NewsroomError):
    """Two things of one build want the same output file."""


class SiteWriter:
    """Writes output files atomically and only when their bytes changed; counts its work."""

    def __init__(self, root: Path):
        self.root = root
        self.claimed: dict[str, str] = {}  # relative path → who produced it
        self.written: list[str] = []
        self.unchanged = 0
        self.pruned: list[str] = []

    def _claim(self, relative: str, owner: str) -> Path:
        relative = relative.lstrip("/")
        if relative in self.claimed:
            raise OutputConflict(
                f"{owner} und {self.claimed[relative]} würden beide {relative} schreiben."
            )
        self.claimed[relative] = owner
        return self.root / relative

    def write(self, relative: str, data: str | bytes, *, owner: str) -> bool:
        """Write one file; returns False when the same bytes were already there."""
        target = self._claim(relative, owner)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        try:
            if target.stat().st_size == len(payload) and target.read_bytes() == payload:
                self.unchanged += 1
                return False
        except FileNotFoundError:
            pass
        atomic_write(target, payload)
        self.written.append(relative)
        return True

    def copy(self, relative: str, source: Path, *, owner: str) -> bool:
        """Copy a static file unless an identical copy (size and mtime) is in place."""
        target = self._claim(relative, owner)
        stat = source.stat()
        try:
            existing = target.stat()
            if existing.st_size == stat.st_size and int(existing.st_mtime) == int(stat.st_mtime):
                self.unchanged += 1
                return False
        except FileNotFoundError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copy2(source, tmp)
        os.replace(tmp, target)
        self.written.append(relative)
        return True

    def prune(self) -> None:
        """Remove every file the build did not produce, then empty folders."""
        for dirpath, dirnames, filenames in os.walk(self.root, topdown=False):
            for name in filenames:
                full = Path(dirpath, name)
                relative = full.relative_to(self.root).as_posix()
                if relative not in self.claimed:
                    full.unlink()
                    self.pruned.append(relative)
            if dirpath != str(self.root) and not os.listdir(dirpath):
                os.rmdir(dirpath)
        self.pruned.sort()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one atomic step (Linux renameat2); False when unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.EPERM, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))


class StagedOutput:
    """Context manager: yields a staging folder; `commit()` makes it the live output."""

    def __init__(self, output_path: Path):
        self.output = output_path.resolve()
        parent = self.output.parent
        self.staging = parent / f".{self.output.name}.staging"
        self.retired = parent / f".{self.output.name}.previous"
        self._lock_path = parent / f".{self.output.name}.lock"
        self._lock = None
        self.committed = False

    def __enter__(self) -> StagedOutput:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self._lock = open(self._lock_path, "w")
        # One build at a time per output folder; a second one waits.
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        for leftover in (self.staging, self.retired):  # from a build that was killed
            if leftover.exists():
                shutil.rmtree(leftover)
        if self.output.is_dir():
            shutil.copytree(self.output, self.staging, copy_function=os.link, symlinks=True)
        else:
            self.staging.mkdir()
        return self

    def commit(self) -> None:
        if not self.output.exists():
            os.rename(self.staging, self.output)
        elif _exchange(self.staging, self.output):
            shutil.rmtree(self.staging)  # now holds the previous site
        else:
            os.rename(self.output, self.retired)
            os.rename(self.staging, self.output)
            shutil.rmtree(self.retired)
        self.committed = True

    def __exit__(self, *exc_info) -> None:
        try:
            if not self.committed and self.staging.exists():
                shutil.rmtree(self.staging)
        finally:
            if self._lock:
                fcntl.flock(self._lock, fcntl.LOCK_UN)
                self._lock.close()
