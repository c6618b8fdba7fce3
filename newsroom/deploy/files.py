"""The built site as a deploy sees it: every file with size, digest, content type and cache rule.

Digests are remembered per (path, size, mtime) in the cache folder, so a second deploy of an
unchanged 25,000-story site costs one `stat` per file, not reading a gigabyte again.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import mimetypes
import os
from pathlib import Path
from typing import NamedTuple

from newsroom.atomic import atomic_write
from newsroom.site import CAP_FOLDER, CAP_INDEX, CAP_MIME
from newsroom.walk import files_below

# What browsers, feed readers and CDNs expect; mimetypes alone knows neither feeds nor webp everywhere.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".woff2": "font/woff2",
    ".yml": "text/yaml; charset=utf-8",
    ".ico": "image/vnd.microsoft.icon",
    ".webmanifest": "application/manifest+json",
}
# Feeds by file name: readers sniff less when the type is right.
NAMED_TYPES = {"rss.xml": "application/rss+xml", "atom.xml": "application/atom+xml",
               "feed.json": "application/feed+json"}


def content_type(path: str) -> str:
    if path == CAP_INDEX:
        return "application/atom+xml"
    if path.startswith(CAP_FOLDER) and path.endswith(".xml"):
        return CAP_MIME  # the crisis message's CAP documents (newsroom/crisis/cap.py)
    name = path.rsplit("/", 1)[-1]
    if name in NAMED_TYPES:
        return NAMED_TYPES[name]
    suffix = os.path.splitext(name)[1].lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def cache_control(path: str, rules: list[tuple[str, str]]) -> str | None:
    """The first rule whose pattern matches the site path (fnmatch, `*` spans folders)."""
    for pattern, value in rules:
        if fnmatch.fnmatchcase(path, pattern):
            return value
    return None


class SiteFile(NamedTuple):
    """A built file. A tuple, not a dataclass: a deploy makes one for each of 237,000 files at
    100,000 stories, and a frozen dataclass's constructor alone costs a second there."""

    path: str  # site path, POSIX, no leading slash
    source: str  # absolute path of the built file
    size: int  # -1 with mtime_ns and mode: not read yet (scan without stat; see `stated`)
    mtime_ns: int
    md5: str  # S3's ETag of a single-part upload
    identity: tuple[int, int] = (0, 0)  # (device, inode): the very file, not only the same bytes
    mode: int = 0o644

    def stated(self) -> SiteFile:
        """This file with its size, time and mode read, if the scan left them out."""
        if self.size >= 0:
            return self
        stat = os.stat(self.source)
        return self._replace(size=stat.st_size, mtime_ns=stat.st_mtime_ns, mode=stat.st_mode,
                             identity=(stat.st_dev, stat.st_ino))

    @property
    def content_type(self) -> str:
        return content_type(self.path)

    @property
    def is_page(self) -> bool:
        """Pages and feeds go up after the files they refer to (see `upload_order`)."""
        return self.path.endswith((".html", ".xml", ".json", ".txt"))


def upload_order(files, remote=()):
    """Images, styles and media first, then new pages, then changed ones, the front page last: a page
    never points at a missing file, a page already online links to a new one only once it is there,
    and a site goes online (its index.html) only complete."""
    return sorted(files, key=lambda f: (f.is_page, f.path in remote, f.path == "index.html", f.path))


def walk(root: Path | str):
    """(site path, absolute path, stat) of every file below `root`, hidden ones left out.

    Plain strings and scandir: at 30,000 files, pathlib objects alone cost seconds."""
    for path, entry in entries(root):
        yield path, entry.path, entry.stat()


def entries(root: Path | str, folders: set[str] | None = None):
    """(site path, DirEntry) of every file below `root`, hidden ones left out, without a `stat`
    (the entry knows its inode); the site paths of the folders go into `folders` if given."""
    return files_below(root, hidden=False, folders=folders)


def scan(output: Path, digest_cache: Path | None = None, *, digests: bool = True) -> dict[str, SiteFile]:
    """Every file below `output` (hidden files and folders left out) by site path.

    Without `digests` (a folder target compares the very files, then sizes, times and bytes itself) no
    file is read and none is stat'ed: the folder's entries name their inodes, on the output folder's
    file system (one file system: the build makes it), and a target reads the rest (`SiteFile.stated`)
    only for a file whose inode it does not have already."""
    if not digests:
        device = os.stat(output).st_dev
        return {path: SiteFile(path, entry.path, -1, -1, "", (device, entry.inode()), -1) if not entry.is_symlink()
                else SiteFile(path, entry.path, -1, -1, "").stated()  # the file it points to
                for path, entry in sorted(entries(output))}  # paths differ: entries are never compared
    known = _load(digest_cache)
    files: dict[str, SiteFile] = {}
    fresh: dict[str, list] = {}
    for path, source, stat in sorted(walk(output)):
        entry = known.get(path)
        if entry and entry[0] == stat.st_size and entry[1] == stat.st_mtime_ns:
            md5 = entry[2]
        else:
            md5 = _md5(source)
        fresh[path] = [stat.st_size, stat.st_mtime_ns, md5]
        files[path] = SiteFile(path, source, stat.st_size, stat.st_mtime_ns, md5, (stat.st_dev, stat.st_ino),
                               stat.st_mode)
    if digest_cache is not None and fresh != known:
        atomic_write(digest_cache, json.dumps(fresh, sort_keys=True, separators=(",", ":")).encode())
    return files


def _md5(path: str) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load(path: Path | None) -> dict[str, list]:
    if path is None or not path.is_file():
        return {}
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}  # a damaged cache only costs reading the files again
