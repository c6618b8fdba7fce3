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
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_write

# What browsers, feed readers and CDNs expect; mimetypes alone knows neither feeds nor webp everywhere.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
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


@dataclass(frozen=True)
class SiteFile:
    path: str  # site path, POSIX, no leading slash
    source: Path
    size: int
    mtime_ns: int
    md5: str  # S3's ETag of a single-part upload

    @property
    def content_type(self) -> str:
        return content_type(self.path)

    @property
    def is_page(self) -> bool:
        """Pages and feeds go up after the files they refer to (see `upload_order`)."""
        return self.path.endswith((".html", ".xml", ".json", ".txt"))


def upload_order(files):
    """Images, styles and media first, pages and feeds last: a page never points at a missing file."""
    return sorted(files, key=lambda f: (f.is_page, f.path))


def scan(output: Path, digest_cache: Path | None = None) -> dict[str, SiteFile]:
    """Every file below `output` (hidden files and folders left out) by site path."""
    known = _load(digest_cache)
    files: dict[str, SiteFile] = {}
    fresh: dict[str, list] = {}
    for folder, dirs, names in os.walk(output):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            source = Path(folder, name)
            stat = source.stat()
            path = source.relative_to(output).as_posix()
            entry = known.get(path)
            if entry and entry[0] == stat.st_size and entry[1] == stat.st_mtime_ns:
                md5 = entry[2]
            else:
                md5 = _md5(source)
            fresh[path] = [stat.st_size, stat.st_mtime_ns, md5]
            files[path] = SiteFile(path, source, stat.st_size, stat.st_mtime_ns, md5)
    if digest_cache is not None and fresh != known:
        atomic_write(digest_cache, json.dumps(fresh, sort_keys=True, separators=(",", ":")).encode())
    return files


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
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
