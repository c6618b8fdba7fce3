"""A folder as target (a web server's document root, a mounted share).

Files are compared like rsync's quick check (size and modification time) and, when only the
time differs, by content; a changed file is written to a temporary name and renamed, so the
web server never serves half a page.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import DeployError
from .files import SiteFile, walk
from .target import Target


class DirectoryTarget(Target):
    uses_digests = False  # sizes and times first, bytes only when the time differs
    def __init__(self, root: Path):
        self.root = root

    def describe(self) -> str:
        return str(self.root)

    def remote_state(self) -> dict[str, object]:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeployError(f"Zielordner {self.root} lässt sich nicht anlegen: {exc.strerror}") from None
        return {path: (stat.st_size, stat.st_mtime_ns) for path, _absolute, stat in walk(self.root)}

    def changed(self, local: SiteFile, remote) -> bool:
        size, mtime_ns = remote
        if size != local.size:
            return True
        if mtime_ns == local.mtime_ns:
            return False
        target = self.root / local.path
        if filecmp.cmp(local.source, target, shallow=False):
            os.utime(target, ns=(local.mtime_ns, local.mtime_ns))  # next time the quick check suffices
            return False
        return True

    def upload(self, local: SiteFile) -> None:
        target = self.root / local.path
        if target.is_dir():  # a folder where the site now has a file
            shutil.rmtree(target)
        for parent in reversed(Path(local.path).parents[:-1]):
            if (self.root / parent).is_file():  # a file where the site now has a folder
                (self.root / parent).unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        try:
            shutil.copy2(local.source, tmp)  # copy2 keeps the time for the next quick check
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def delete(self, paths: list[str]) -> None:
        folders = set()
        for path in paths:
            (self.root / path).unlink(missing_ok=True)
            folders.update(Path(path).parents)
        # Empty folders go too, deepest first; the root itself stays.
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            if folder.parts:
                try:
                    (self.root / folder).rmdir()
                except OSError:
                    pass  # not empty
