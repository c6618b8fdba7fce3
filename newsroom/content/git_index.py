"""Which story files git's index vouches for: their blob ids, without reading them.

A fresh clone (every CI run) gives each file a new mtime, so the build state's (mtime, size)
vouches for nothing, and 25,000 stories would be read and hashed again. Git's index records,
for each file it checked out or added, the blob id of its content (a hash of "blob <size>\\0"
and the bytes) with the file's stat data at that moment. While a file's stat data still
equals that record, it holds that blob; the build then compares the blob id with the one it
recorded for the card (newsroom/content/loader.py) and reads nothing.

Git as the distributions build it compares timestamps in whole seconds: every entry written in
the same second as the index is "racily clean", and `git status` or `git diff-files` read such
files again (right after a clone, most of them: a quarter of a second at 25,000). Here stat
data is compared to the nanosecond (mtime, ctime, inode, size), and an entry is trusted only
when the file's mtime is older than the index file: a change after the index was written gives
a later mtime. Entries git is told not to check (assume-unchanged, skip-worktree), conflicts,
links and submodules are never trusted; outside git, or when git cannot tell, nothing is (the
files are read as without git).

The index is read by git (`git ls-files -s -v --debug` prints each entry's stat data), whatever
its version or extensions; output that does not parse exactly gives up rather than guess.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import NamedTuple

from newsroom.git_command import run_git

# One entry of `git ls-files -s -v --debug -z`: tag, mode, blob id, stage, path, then the stat data.
_ENTRY = re.compile(
    r"(.) (\d+) ([0-9a-f]+) (\d)\t([^\0]*)\0"
    r"  ctime: (\d+:\d+)\n  mtime: (\d+:\d+)\n  dev: \d+\tino: (\d+)\n  uid: \d+\tgid: \d+\n"
    r"  size: (\d+)\tflags: [0-9a-f]+\n")
_SIZE_LINE = "\n  size: "  # once per entry
_FILE_MODES = ("100644", "100755")
_ALGORITHMS = {40: "sha1", 64: "sha256"}
_U32 = 0xFFFFFFFF  # the index keeps seconds, inode and size in 32 bits
_NS = 1_000_000_000


def blob_id(raw: bytes, algorithm: str = "sha1") -> str:
    """Git's id of a file with these bytes (without clean filters or line-ending conversion)."""
    return hashlib.new(algorithm, b"blob %d\0" % len(raw) + raw).hexdigest()


class GitIndex:
    """The index entries below one folder that git would call clean without reading the file."""

    def __init__(self, entries: dict[str, tuple[str, str, str, str, str]], algorithm: str, written_ns: int):
        self._entries = entries  # source → (blob id, ctime "s:ns", mtime "s:ns", inode, size), as git prints them
        self.algorithm = algorithm  # of the repository's object ids: ids of files read are made with it
        self._written_ns = written_ns  # mtime of the index file

    @classmethod
    def load(cls, root: Path, display_root: Path) -> GitIndex | None:
        """The index of the repository holding `root`, its entries keyed like `scan()`'s sources
        (paths relative to display_root); None outside git or when git cannot tell."""
        where = run_git(root, "rev-parse", "--git-path", "index", timeout=120)
        if where is None or where.returncode != 0 or not where.stdout.strip():
            return None
        index = root / where.stdout.strip("\n")
        try:
            # Before the entries are read: an index written later only makes more entries look racy.
            written_ns = index.stat().st_mtime_ns
        except OSError:
            return None
        listed = run_git(root, "ls-files", "-s", "-v", "--debug", "-z", timeout=120)
        if listed is None or listed.returncode != 0:
            return None
        prefix = os.path.relpath(root, display_root).replace(os.sep, "/")
        text = listed.stdout
        found = _ENTRY.findall(text)
        if len(found) != text.count(_SIZE_LINE):
            return None  # an entry not understood: trust nothing
        entries = {f"{prefix}/{path}": (blob, *stat) for tag, mode, blob, stage, path, *stat in found
                   if tag == "H" and stage == "0" and mode in _FILE_MODES}
        algorithms = {_ALGORITHMS.get(len(entry[0])) for entry in entries.values()}
        if len(algorithms) > 1 or None in algorithms:
            return None
        return cls(entries, algorithms.pop() if algorithms else "sha1", written_ns)

    def blob(self, source: str, mtime_ns: int, ctime_ns: int, inode: int, size: int) -> str | None:
        """The blob id the file holds if the index vouches for it, else None."""
        entry = self._entries.get(source)
        if entry is None or mtime_ns >= self._written_ns:
            return None
        blob, ctime, mtime, entry_inode, entry_size = entry
        if (entry_size == str(size & _U32) and mtime == f"{(mtime_ns // _NS) & _U32}:{mtime_ns % _NS}"
                and ctime == f"{(ctime_ns // _NS) & _U32}:{ctime_ns % _NS}" and entry_inode == str(inode & _U32)):
            return blob
        return None


    def vouched(self, scanned: list[tuple]) -> dict[str, str]:
        """source → blob id of the files of a `scan()` that the index vouches for."""
        blob = self.blob
        found = {}
        for source, _path, mtime_ns, size, ctime_ns, inode in scanned:
            if size is not None:
                vouched = blob(source, mtime_ns, ctime_ns, inode, size)
                if vouched is not None:
                    found[source] = vouched
        return found


class FileBlobs:
    """Blob ids of single files below a few folders (media, the theme's static files), for what is
    copied or read whole rather than scanned: each folder's index entries are read once, and only
    when a file is asked about. Outside git, in a repository with SHA-256 ids, or for a file the
    index does not vouch for: None (the caller compares contents as without git)."""

    def __init__(self, *roots: Path):
        self._roots = [Path(root) for root in roots]
        self._indexes: dict[Path, GitIndex | None] = {}

    def blob(self, path: Path, stat: os.stat_result) -> str | None:
        for root in self._roots:
            try:
                relative = Path(path).relative_to(root).as_posix()
            except ValueError:
                continue
            if root not in self._indexes:
                self._indexes[root] = GitIndex.load(root, root.parent) if root.is_dir() else None
            index = self._indexes[root]
            if index is None or index.algorithm != "sha1":  # ids recorded from contents are SHA-1
                return None
            return index.blob(f"{root.name}/{relative}", stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino,
                              stat.st_size)
        return None


class VouchedFiles(NamedTuple):
    """What the index vouched for when the files were scanned (in the scan's own process)."""

    algorithm: str
    blobs: dict[str, str]

    def blob(self, source: str, *_stat) -> str | None:
        return self.blobs.get(source)
