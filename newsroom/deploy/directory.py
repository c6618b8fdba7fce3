"""A folder as target (a web server's document root, a mounted share), in the layout of releases.py.

Each deploy fills a hidden new release: files unchanged since the live release are hard-linked from
it (compared like rsync's quick check, size and modification time, and by content when only the
time differs), new and changed ones copied. Checked complete, the release is renamed into place
and `current` switched to it with one rename(2); older releases beyond the kept ones go.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from pathlib import Path

from newsroom.atomic import atomic_write
from newsroom.deploy.files import SiteFile, walk
from newsroom.deploy.releases import (
    CURRENT,
    MARKER,
    MARKER_TEXT,
    RELEASES,
    foreign,
    live_release,
    next_release,
    obsolete,
    refuse_foreign,
    verify,
)
from newsroom.deploy.target import Target
from newsroom.errors import DeployError


class DirectoryTarget(Target):
    uses_digests = False  # sizes and times first, bytes only when the time differs

    def __init__(self, root: Path, keep: int):
        self.root = root
        self.keep = keep
        self.releases = root / RELEASES
        self.live: Path | None = None
        self.release: str | None = None
        self.staging: Path | None = None

    def describe(self) -> str:
        return str(self.root)

    def claim(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            names = os.listdir(self.root)
        except OSError as exc:
            raise DeployError(f"Zielordner {self.root} lässt sich nicht anlegen: {exc.strerror}") from None
        if MARKER not in names:
            strangers = foreign(names)
            if strangers:
                raise refuse_foreign(str(self.root), strangers)
            atomic_write(self.root / MARKER, MARKER_TEXT.encode())  # first: a killed deploy leaves it ours
        current = self.root / CURRENT
        link = os.readlink(current) if current.is_symlink() else None
        if link is None and os.path.lexists(current) or link is not None and live_release(link) is None:
            raise DeployError(f"{current} ist kein symbolischer Link auf {RELEASES}/<nummer>; so legt "
                              "invoke deploy ihn nie an. Nichts wurde verändert. Bitte an das Newsroom-Team wenden.")
        if link is not None and (self.releases / live_release(link)).is_dir():
            self.live = self.releases / live_release(link)
        self.releases.mkdir(exist_ok=True)
        for name in os.listdir(self.releases):
            if name.startswith(".") and name.endswith(".partial"):  # a killed deploy's, never live
                shutil.rmtree(self.releases / name)
        if self.live is not None:
            self._prune(self.live.name)  # what a killed deploy left, even if nothing changed since

    def _prune(self, current: str) -> None:
        for name in obsolete(os.listdir(self.releases), current, self.keep):
            shutil.rmtree(self.releases / name)

    def remote_state(self) -> dict[str, object]:
        if self.live is None:
            return {}
        return {path: (stat.st_size, stat.st_mtime_ns) for path, _absolute, stat in walk(self.live)}

    def changed(self, local: SiteFile, remote) -> bool:
        size, mtime_ns = remote
        if size != local.size:
            return True
        if mtime_ns == local.mtime_ns:
            return False
        live = self.live / local.path
        if filecmp.cmp(local.source, live, shallow=False):
            os.utime(live, ns=(local.mtime_ns, local.mtime_ns))  # next time the quick check suffices
            return False
        return True

    def begin(self, unchanged: list[SiteFile]) -> None:
        self.release = next_release(os.listdir(self.releases))
        self.staging = self.releases / f".{self.release}.partial"
        self.staging.mkdir()
        for site_file in unchanged:
            target = self._place(site_file)
            try:
                os.link(self.live / site_file.path, target)
            except OSError:  # too many links, or a file system without them
                self._copy(site_file, target)

    def upload(self, local: SiteFile) -> None:
        self._copy(local, self._place(local))

    def _place(self, local: SiteFile) -> Path:
        target = self.staging / local.path
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    @staticmethod
    def _copy(local: SiteFile, target: Path) -> None:
        shutil.copy2(local.source, target)  # copy2 keeps the time for the next quick check
        os.chmod(target, 0o644)

    def delete(self, paths: list[str]) -> None:
        pass  # the new release simply lacks them

    def commit(self, local: dict[str, SiteFile]) -> None:
        found = {path: stat.st_size for path, _absolute, stat in walk(self.staging)}
        verify(str(self.root), found, {path: f.size for path, f in local.items()})
        os.rename(self.staging, self.releases / self.release)
        self.staging = None
        swap = self.root / f".{CURRENT}.tmp"
        if os.path.lexists(swap):
            swap.unlink()
        os.symlink(f"{RELEASES}/{self.release}", swap)
        os.replace(swap, self.root / CURRENT)  # the one moment the site switches
        _sync_folder(self.root)
        self._prune(self.release)

    def close(self) -> None:
        if self.staging is not None and self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


def _sync_folder(folder: Path) -> None:
    """Make the switch survive a power cut, not only a killed process."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
