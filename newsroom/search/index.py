"""The site search: Pagefind indexes the built site into output/pagefind/.

Pagefind (the PyPI package, extended build for German stemming) reads every page marked
`data-pagefind-body` (stories and static pages; lists would only repeat them) in the
language of its `<html lang>` and writes a static index that the visitor's browser queries
itself: no server-side component, nothing loaded from elsewhere.

Pagefind is given only those pages: a folder beside `output/` holds a hard link to each of them
under its own path (so every URL stays the same), and Pagefind indexes that folder instead of the
whole site. It would otherwise parse every list, tag and archive page as well, only to drop them
because they carry no `data-pagefind-body`; the index is the same either way. Pagefind keeps
all it learnt about every page in memory until it writes (about 100 KB per page), so a site of more
than `PART_PAGES` pages is indexed in parts, one Pagefind run after the other, and the parts'
indexes are merged into the one index a single run would have written (`search_merge.py`). When
neither the marked pages nor the live index changed since the last run, Pagefind is not run at all.

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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from newsroom.atomic import atomic_write
from newsroom.crisis.region import emptied
from newsroom.errors import MergeUnsupported, SearchIndexError
from newsroom.search.merge import merge
from newsroom.site import GONE_FOLDER

logger = logging.getLogger("newsroom.search.index")

FOLDER = "pagefind"  # below the output folder; the site's writer never prunes it
# Point to every other file of the index: replaced last, so a visitor never meets a half index.
ENTRY_FILES = ("pagefind-entry.json", "pagefind.js")
OPTIONS: tuple[str, ...] = ()  # Pagefind's command-line options besides the folders (part of the stamp)
MARKER = b"data-pagefind-body"  # what Pagefind indexes once any page of the site carries it
# Pages per Pagefind run: it holds about 100 KB per page in memory until it writes the index,
# so 4,000 pages stay near 400 MB; larger sites are indexed in parts and merged (search_merge.py).
PART_PAGES = 4000
SCAN_THREADS = min(4, os.cpu_count() or 1)  # threads that read and hash the pages (_scan)


@dataclass
class IndexReport:
    pages: int = 0
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    seconds: float = 0.0
    skipped: bool = False  # neither the marked pages nor the index changed: Pagefind not run
    parts: int = 1  # Pagefind runs the index is merged from
    reused: int = 0  # parts whose pages did not change: their index came from the last run


def index_site(output: Path, part_pages: int | None = None) -> IndexReport:
    """Index the built site in `output`; the live index changes only when Pagefind succeeded.
    Pagefind sees at most `part_pages` pages per run (default `PART_PAGES`)."""
    started = time.perf_counter()
    part_pages = part_pages or PART_PAGES
    output = Path(output).resolve()
    if not (output / "index.html").is_file():
        raise SearchIndexError(f"{output} enthält keine gebaute Website: zuerst „invoke build“ ausführen.")
    base = output.parent / f".{output.name}"
    staging, work, stamp = Path(f"{base}.{FOLDER}"), Path(f"{base}.{FOLDER}-work"), Path(f"{base}.{FOLDER}.json")
    with open(f"{base}.lock", "w") as lock:  # the build's lock (newsroom/build/runner/output.py)
        fcntl.flock(lock, fcntl.LOCK_EX)
        pages = _scan(output)
        source = f"{_digest(pages)} {part_pages}"  # the parts decide the pages' order in the index
        previous = _read_stamp(stamp)
        if previous and previous.get("source") == source and previous.get("index") == _index_digest(output / FOLDER):
            return IndexReport(pages=previous["pages"], unchanged=previous["files"], skipped=True,
                               parts=previous.get("parts", 1), reused=previous.get("parts", 1),
                               seconds=time.perf_counter() - started)
        stamp.unlink(missing_ok=True)  # a run that fails half-way must not look current
        for leftover in (staging, work):
            shutil.rmtree(leftover, ignore_errors=True)
        try:
            indexed, parts, reused = _build_index(output, pages, work, staging, Path(f"{base}.{FOLDER}-parts"),
                                                  part_pages)
            report = _apply(staging, output / FOLDER)
        finally:
            for leftover in (staging, work):
                shutil.rmtree(leftover, ignore_errors=True)
        report.pages, report.parts, report.reused = indexed, parts, reused
        _write_stamp(stamp, {"source": source, "index": _index_digest(output / FOLDER), "pages": indexed,
                             "files": len(report.written) + report.unchanged, "parts": parts})
    report.seconds = time.perf_counter() - started
    return report


def _build_index(output: Path, pages: list[tuple[str, bytes]], work: Path, target: Path, cache: Path,
                 part_pages: int) -> tuple[int, int, int]:
    """Write the index of `pages` into `target`: one Pagefind run when they form one part,
    otherwise the parts' indexes (from `cache` when a part's pages did not change) merged.
    Returns the number of pages, of parts and of parts taken from the cache."""
    if not pages:  # no page is marked: Pagefind indexes the body of every page, as it would anyway
        shutil.rmtree(cache, ignore_errors=True)
        return _run_pagefind(output, target), 1, 0
    parts = _parts(pages, part_pages)
    if len(parts) == 1:
        shutil.rmtree(cache, ignore_errors=True)
        return _run_pagefind(_link_view(output, [p for p, _ in pages], work / "pages"), target), 1, 0
    folders, reused = [], 0
    cache.mkdir(parents=True, exist_ok=True)
    for part in parts:
        folder = cache / _digest(part)[:24]
        if (folder / "pagefind-entry.json").is_file():
            reused += 1
        else:
            fresh = Path(f"{folder}.new")
            shutil.rmtree(fresh, ignore_errors=True)
            view = _link_view(output, [p for p, _ in part], work / "pages")
            _run_pagefind(view, fresh)
            shutil.rmtree(view)
            os.replace(fresh, folder)  # complete, or not there at all
        folders.append(folder)
    try:
        indexed = merge(folders, target)
    except MergeUnsupported as exc:
        logger.warning("Suchindex: Die %d Teilindizes lassen sich nicht zusammenführen (%s); Pagefind liest "
                       "nun alle %d Seiten auf einmal, das braucht mehr Speicher.", len(parts), exc, len(pages))
        shutil.rmtree(target, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        return _run_pagefind(_link_view(output, [p for p, _ in pages], work / "pages"), target), 1, 0
    for stale in set(cache.iterdir()) - set(folders):  # parts of pages that have changed since
        shutil.rmtree(stale, ignore_errors=True)
    return indexed, len(parts), reused


def _parts(pages: list[tuple[str, bytes]], part_pages: int) -> list[list[tuple[str, bytes]]]:
    """The pages (sorted by path) cut into parts of at most `part_pages`, half that on average.
    Where a part ends depends on the path at its end only, not on how many pages came before:
    a page added or removed changes its own part, the other parts keep theirs (and their index)."""
    parts, current, every = [], [], max(1, part_pages // 2)
    for page in pages:
        current.append(page)
        ends = int.from_bytes(hashlib.sha1(page[0].encode()).digest()[:4], "big") % every == 0
        if ends or len(current) >= part_pages:
            parts.append(current)
            current = []
    if current:
        parts.append(current)
    return parts


def marked_pages(output: Path) -> tuple[list[str], str]:
    """The HTML pages Pagefind indexes (those with a `data-pagefind-body` element), sorted by
    path, and a digest of what the index is made from (their paths and bytes, Pagefind's version)."""
    pages = _scan(output)
    return [path for path, _ in pages], _digest(pages)


def _scan(output: Path) -> list[tuple[str, bytes]]:
    """(path, SHA-256 of the bytes with the crisis region emptied) of every marked page, sorted by path.

    On `SCAN_THREADS` threads: reading and hashing let go of the interpreter lock, and a crisis
    replaces every page, so every page is read again (30,000 at 25,000 stories)."""
    paths = []
    for folder, dirs, files in os.walk(output):
        if folder == str(output):  # the index itself, and the markers of gone pages (newsroom/site.py)
            dirs[:] = [d for d in dirs if d not in (FOLDER, GONE_FOLDER)]
        paths.extend(os.path.join(folder, name) for name in files if name.endswith(".html"))
    cut = len(str(output)) + 1
    threads = max(1, min(SCAN_THREADS, len(paths) // 500))
    with ThreadPoolExecutor(threads) as pool:
        shares = pool.map(_hash_marked, [paths[k::threads] for k in range(threads)])
        return sorted((path[cut:].replace(os.sep, "/"), digest) for share in shares for path, digest in share)


def _hash_marked(paths: list[str]) -> list[tuple[str, bytes]]:
    found = []
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        if _marked(data):  # hashed without the crisis region: a crisis never re-indexes (it is ignored)
            found.append((path, hashlib.sha256(emptied(data)).digest()))
    return found


def _digest(pages: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256(f"{_pagefind_version()}\0{' '.join(OPTIONS)}\n".encode())
    for path, content in pages:
        digest.update(path.encode() + b"\0" + content)
    return digest.hexdigest()


def _marked(html: bytes) -> bool:
    """Whether an element carries the attribute (not just a text that mentions it)."""
    at = html.find(MARKER)
    while at >= 0:
        if html.rfind(b"<", 0, at) > html.rfind(b">", 0, at) and html[at - 1:at].isspace():
            return True
        at = html.find(MARKER, at + 1)
    return False


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
    atomic_write(path, json.dumps(data, sort_keys=True).encode("utf-8"))


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
        if source.stat().st_nlink > 1:  # a kept part's record: the live site gets a file of its own
            shutil.copyfile(source, f"{source}.copy")
            source = Path(f"{source}.copy")
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
