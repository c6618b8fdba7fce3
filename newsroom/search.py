"""The site search: Pagefind indexes the built site into output/pagefind/.

Pagefind (the PyPI package, extended build for German stemming) reads every page marked
`data-pagefind-body` (stories and static pages; lists would only repeat them) in the
language of its `<html lang>` and writes a static index that the visitor's browser queries
itself: no server-side component, nothing loaded from elsewhere.

Pagefind is given only those pages: a folder beside `output/` holds a hard link to each of them
under its own path (so every URL stays the same), and Pagefind indexes that folder instead of the
whole site. It would otherwise parse every list, tag and archive page as well, only to drop them
because they carry no `data-pagefind-body`; the index is byte-identical either way. When neither
the marked pages nor the live index changed since the last run, Pagefind is not run at all.

Indexing reads every marked page, so it is a step of its own (`invoke search`, run by `make
build` and before a deploy) rather than part of every build. The new index is written beside
`output/` and applied file by file like a build: identical files stay untouched (Pagefind names
its chunks by their content, so a one-story change replaces a few files and a deploy uploads
only those), new chunks go in before the entry file that points to them, and stale ones go last.
Runs take the build's lock, so a build and an indexing never interleave.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from .errors import NewsroomError

logger = logging.getLogger("newsroom.search")

FOLDER = "pagefind"  # below the output folder; the site's writer never prunes it
# Point to every other file of the index: replaced last, so a visitor never meets a half index.
ENTRY_FILES = ("pagefind-entry.json", "pagefind.js")
OPTIONS: tuple[str, ...] = ()  # Pagefind's command-line options besides the folders (part of the stamp)
MARKER = b"data-pagefind-body"  # what Pagefind indexes once any page of the site carries it


class SearchIndexError(NewsroomError):
    """Pagefind failed or is not installed."""


@dataclass
class IndexReport:
    pages: int = 0
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    seconds: float = 0.0
    skipped: bool = False  # neither the marked pages nor the index changed: Pagefind not run


def index_site(output: Path) -> IndexReport:
    """Index the built site in `output`; the live index changes only when Pagefind succeeded."""
    started = time.perf_counter()
    output = Path(output).resolve()
    if not (output / "index.html").is_file():
        raise SearchIndexError(f"{output} enthält keine gebaute Website: zuerst „invoke build“ ausführen.")
    base = output.parent / f".{output.name}"
    staging, view, stamp = Path(f"{base}.{FOLDER}"), Path(f"{base}.{FOLDER}-pages"), Path(f"{base}.{FOLDER}.json")
    with open(f"{base}.lock", "w") as lock:  # the build's lock (newsroom/output.py)
        fcntl.flock(lock, fcntl.LOCK_EX)
        pages, source = marked_pages(output)
        previous = _read_stamp(stamp)
        if previous and previous.get("source") == source and previous.get("index") == _index_digest(output / FOLDER):
            report = IndexReport(pages=previous["pages"], unchanged=previous["files"], skipped=True)
        else:
            stamp.unlink(missing_ok=True)  # a run that fails half-way must not look current
            for leftover in (staging, view):
                shutil.rmtree(leftover, ignore_errors=True)
            try:
                site = _link_view(output, pages, view) if pages else output
                indexed = _run_pagefind(site, staging)
                report = _apply(staging, output / FOLDER)
            finally:
                for leftover in (staging, view):
                    shutil.rmtree(leftover, ignore_errors=True)
            report.pages = indexed
            _write_stamp(stamp, {"source": source, "index": _index_digest(output / FOLDER), "pages": indexed,
                                 "files": len(report.written) + report.unchanged})
    report.seconds = time.perf_counter() - started
    return report


def marked_pages(output: Path) -> tuple[list[str], str]:
    """The HTML pages Pagefind indexes (those marked `data-pagefind-body`), sorted, and a digest
    of their paths and bytes together with Pagefind's version: what the index is made from."""
    digest = hashlib.sha256(f"{_pagefind_version()}\0{' '.join(OPTIONS)}\n".encode())
    pages = []
    for folder, dirs, files in os.walk(output):
        if folder == str(output):
            dirs[:] = [d for d in dirs if d != FOLDER]
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".html"):
                path = os.path.join(folder, name)
                with open(path, "rb") as handle:
                    data = handle.read()
                if MARKER in data:
                    relative = os.path.relpath(path, output).replace(os.sep, "/")
                    pages.append(relative)
                    digest.update(relative.encode() + b"\0" + hashlib.sha256(data).digest())
    return sorted(pages), digest.hexdigest()


def _link_view(output: Path, pages: list[str], view: Path) -> Path:
    """A folder with only the marked pages, each under its own path: hard links, so nothing is copied."""
    for relative in pages:  # sorted: the same pages make the same folder, and Pagefind walks it alike
        target = view / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(output / relative, target)
        except OSError:  # a file system without hard links
            shutil.copyfile(output / relative, target)
    return view


def _run_pagefind(site: Path, target: Path) -> int:
    command = [sys.executable, "-m", "pagefind", *OPTIONS, "--site", str(site), "--output-path", str(target)]
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    except OSError as exc:
        raise SearchIndexError(f"Pagefind konnte nicht gestartet werden: {exc}") from None
    if result.returncode or not (target / "pagefind-entry.json").is_file():
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise SearchIndexError(f"Pagefind ist gescheitert (Exit-Code {result.returncode}): {detail}")
    for line in result.stdout.splitlines():  # "Indexed 42 pages"
        words = line.split()
        if len(words) == 3 and words[0] == "Indexed" and words[2] == "pages":
            return int(words[1])
    return 0


def _pagefind_version() -> str:
    """The Python package and the binary it runs (the extended build): either changes the index."""
    versions = []
    for package in ("pagefind", "pagefind_bin_extended", "pagefind_bin"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            pass
    # The wrapper runs this binary instead when the variable is set.
    return ", ".join(versions) + f"; {os.environ.get('PAGEFIND_BINARY_PATH', '')}"


def _index_digest(live: Path) -> str:
    """The live index as it lies on disk (paths, sizes, modification times): a changed or
    missing file of it means Pagefind must run again, even for the same pages."""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(live):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            stat = os.stat(path)
            digest.update(f"{os.path.relpath(path, live)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _read_stamp(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_stamp(path: Path, data: dict) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)


def _apply(new: Path, live: Path) -> IndexReport:
    report = IndexReport()
    fresh = sorted(p.relative_to(new).as_posix() for p in new.rglob("*") if p.is_file())
    ordered = [p for p in fresh if p not in ENTRY_FILES] + [p for p in ENTRY_FILES if p in fresh]
    for relative in ordered:
        source, target = new / relative, live / relative
        if target.is_file() and target.stat().st_size == source.stat().st_size \
                and target.read_bytes() == source.read_bytes():
            report.unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        report.written.append(relative)
    keep = set(fresh)
    if live.is_dir():
        for path in sorted(live.rglob("*"), reverse=True):  # files before their folders
            relative = path.relative_to(live).as_posix()
            if path.is_file() and relative not in keep:
                path.unlink()
                report.removed.append(relative)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return report
