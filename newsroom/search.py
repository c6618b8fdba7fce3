"""The site search: Pagefind indexes the built site into output/pagefind/.

Pagefind (the PyPI package, extended build for German stemming) reads every page marked
`data-pagefind-body` (stories and static pages; lists would only repeat them) in the
language of its `<html lang>` and writes a static index that the visitor's browser queries
itself: no server-side component, nothing loaded from elsewhere.

Indexing reads the whole site, so it is a step of its own (`invoke search`, run by `make
build` and before a deploy) rather than part of every build. The new index is written beside
`output/` and applied file by file like a build: identical files stay untouched (Pagefind names
its chunks by their content, so a one-story change replaces a few files and a deploy uploads
only those), new chunks go in before the entry file that points to them, and stale ones go last.
Runs take the build's lock, so a build and an indexing never interleave.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import NewsroomError

logger = logging.getLogger("newsroom.search")

FOLDER = "pagefind"  # below the output folder; the site's writer never prunes it
# Point to every other file of the index: replaced last, so a visitor never meets a half index.
ENTRY_FILES = ("pagefind-entry.json", "pagefind.js")


class SearchIndexError(NewsroomError):
    """Pagefind failed or is not installed."""


@dataclass
class IndexReport:
    pages: int = 0
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    seconds: float = 0.0


def index_site(output: Path) -> IndexReport:
    """Index the built site in `output`; the live index changes only when Pagefind succeeded."""
    started = time.perf_counter()
    output = Path(output).resolve()
    if not (output / "index.html").is_file():
        raise SearchIndexError(f"{output} enthält keine gebaute Website: zuerst „invoke build“ ausführen.")
    staging = output.parent / f".{output.name}.{FOLDER}"
    with open(output.parent / f".{output.name}.lock", "w") as lock:  # the build's lock (newsroom/output.py)
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.rmtree(staging, ignore_errors=True)
        try:
            pages = _run_pagefind(output, staging)
            report = _apply(staging, output / FOLDER)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    report.pages = pages
    report.seconds = time.perf_counter() - started
    return report


def _run_pagefind(site: Path, target: Path) -> int:
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(target)]
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
