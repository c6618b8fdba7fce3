"""The site search: Pagefind indexes the built site into output/pagefind/, one bundle per part.

Pagefind (the PyPI package, extended build for German stemming) reads every page marked
`data-pagefind-body` (stories and static pages; lists would only repeat them) in the
language of its `<html lang>` and writes a static index that the visitor's browser queries
itself: no server-side component, nothing loaded from elsewhere.

Pagefind keeps all it learnt about every page in memory until it writes (about 100 KB per page),
so the pages are indexed in parts (newsroom/search/parts.py: one per year, "seiten" for the
undated pages), each a complete Pagefind bundle in `output/pagefind/<teil>/`, listed in
`output/pagefind/teile.json`; the search page loads the first and merges the others with
Pagefind's `mergeIndex`. Pagefind is given only a part's pages: a folder beside `output/` holds
a hard link to each of them under its own path (so every URL stays the same). Only the parts whose
pages changed since the last run (`.output.pagefind.json`) run Pagefind again, at most
`PARALLEL_RUNS` at a time; the others stay untouched.

Indexing looks at every page (reading only those the build wrote since the last run:
`.output.pagefind-scan`), so it is a step of its own (`invoke search`, run by `make build` and
before a deploy) rather than part of every build. The new bundles are written beside
`output/` and applied file by file like a build: identical files stay untouched (Pagefind names
its chunks by their content, so a one-story change replaces a few files and a deploy uploads
only those), every part's new chunks go in before the entry files that point to them,
`teile.json` after all parts, and stale files and parts go last. Runs take the build's lock, so a
build and an indexing never interleave.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
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
from newsroom.errors import SearchIndexError
from newsroom.search.parts import LISTING, Page, Part, listing, partition
from newsroom.site import GONE_FOLDER
from newsroom.walk import files_below

FOLDER = "pagefind"  # below the output folder; the site's writer never prunes it
# Point to every other file of a bundle: replaced last, so a visitor never meets a half index.
ENTRY_FILES = ("pagefind-entry.json", "pagefind.js")
OPTIONS: tuple[str, ...] = ()  # Pagefind's command-line options besides the folders (part of the stamp)
# Around parts of a page Pagefind ignores (data-pagefind-ignore) that list other pages: related stories,
# the stories using a medium. Left out of the page's digest, so a new story does not re-index the
# pages that merely list it; Pagefind writes the same bundle with or without them.
UNINDEXED = (b"<!--newsroom:nicht-im-index-->", b"<!--/newsroom:nicht-im-index-->")
MARKER = b"data-pagefind-body"  # what Pagefind indexes once any page of the site carries it
DATUM = re.compile(rb'\sdata-pagefind-sort="datum:([^"]*)"')  # the page's date (templates; the contract)
LANG = re.compile(rb'<html\b[^>]*?\slang="([^"]*)"', re.IGNORECASE)  # the language Pagefind indexes a page in
DATUM_FORM = re.compile(rb"\d{4}-(0[1-9]|1[0-2])-\d{2}T\d{2}:\d{2}")
# Pages per part: Pagefind holds about 100 KB per page in memory until it writes the bundle,
# so 4,000 pages stay near 400 MB.
PART_PAGES = 4000
# Pagefind runs at a time: two parts of PART_PAGES stay under 1 GB together, and each run
# uses every core while it writes.
PARALLEL_RUNS = 2
SCAN_THREADS = min(4, os.cpu_count() or 1)  # threads that read and hash the pages (_scan)
SCAN_HEADER = "newsroom-search-scan 2"  # first line of the scan record (_read_scan)


@dataclass
class IndexReport:
    pages: int = 0
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    seconds: float = 0.0
    skipped: bool = False  # no part changed and no file was written or removed: Pagefind not run
    parts: int = 0  # parts of the index (teile.json)
    ran: int = 0  # parts that ran Pagefind; the others' pages did not change


def index_site(output: Path, part_pages: int | None = None) -> IndexReport:
    """Index the built site in `output`; the live index changes only when every Pagefind run succeeded.
    A year of more than `part_pages` pages (default `PART_PAGES`) is split into month ranges."""
    started = time.perf_counter()
    part_pages = part_pages or PART_PAGES
    output = Path(output).resolve()
    if not (output / "index.html").is_file():
        raise SearchIndexError(f"{output} enthält keine gebaute Website: zuerst „invoke build“ ausführen.")
    base = output.parent / f".{output.name}"
    staging, work, stamp = Path(f"{base}.{FOLDER}"), Path(f"{base}.{FOLDER}-work"), Path(f"{base}.{FOLDER}.json")
    live = output / FOLDER
    with open(f"{base}.lock", "w") as lock:  # the build's lock (newsroom/build/runner/output.py)
        fcntl.flock(lock, fcntl.LOCK_EX)
        parts = partition(_scan(output, Path(f"{base}.{FOLDER}-scan")), part_pages)
        previous = (_read_stamp(stamp) or {}).get("parts", {})
        kept, changed = {}, []
        for part in parts:
            source, known = _digest(part.pages), previous.get(part.name)
            if known and known.get("source") == source and known.get("index") == _index_digest(live / part.name):
                kept[part.name] = known
            else:
                changed.append((part, source))
        if kept != previous:  # a run that fails half-way must not make a changed part look current
            _write_stamp(stamp, {"parts": kept})
        for leftover in (staging, work):
            shutil.rmtree(leftover, ignore_errors=True)
        try:
            counts = _run_parts([part for part, _ in changed], output, work, staging)
            counts |= {name: known["pages"] for name, known in kept.items()}
            report = _apply(staging, live, parts, [part.name for part, _ in changed], listing(parts, counts))
        finally:
            for leftover in (staging, work):
                shutil.rmtree(leftover, ignore_errors=True)
        report.unchanged += sum(known["files"] for known in kept.values())
        recorded = dict(kept)
        for part, source in changed:
            files = sum(1 for p in (live / part.name).rglob("*") if p.is_file())
            recorded[part.name] = {"source": source, "index": _index_digest(live / part.name),
                                   "pages": counts[part.name], "files": files}
        if recorded != previous:
            _write_stamp(stamp, {"parts": recorded})
    report.pages = sum(counts.values())
    report.parts, report.ran = len(parts), len(changed)
    report.skipped = not (changed or report.written or report.removed)
    report.seconds = time.perf_counter() - started
    return report


def _run_parts(parts: list[Part], output: Path, work: Path, staging: Path) -> dict[str, int]:
    """Pagefind over each part's pages into `staging/<teil>/`, `PARALLEL_RUNS` at a time; the pages indexed."""
    def run(part: Part) -> tuple[str, int]:
        view = _link_view(output, [page.path for page in part.pages], work / part.name)
        try:
            return part.name, _run_pagefind(view, staging / part.name) or len(part.pages)
        finally:
            shutil.rmtree(view, ignore_errors=True)

    if not parts:
        return {}
    with ThreadPoolExecutor(min(PARALLEL_RUNS, len(parts))) as pool:
        return dict(pool.map(run, parts))


def marked_pages(output: Path) -> tuple[list[str], str]:
    """The HTML pages Pagefind indexes (those with a `data-pagefind-body` element), sorted by
    path, and a digest of what the index is made from (their paths and bytes, Pagefind's version)."""
    pages = _scan(output)
    return [page.path for page in pages], _digest(pages)


def _scan(output: Path, known: Path | None = None) -> list[Page]:
    """Every marked page with the SHA-256 of its bytes (the crisis region emptied) and its datum, sorted by path.

    What an earlier scan learnt of a file is kept in `known` under the file's identity (inode,
    modification time, size): the build replaces a changed page with a new file and leaves the others
    untouched, so only new files are read (a crisis replaces every page, and every page is read again).
    Reading is spread over `SCAN_THREADS` threads: reading and hashing let go of the interpreter lock."""
    earlier = _read_scan(known) if known else {}
    seen: dict[str, tuple[str, Page | None]] = {}
    unread = []
    for relative, entry in files_below(output, leave_out=(FOLDER, GONE_FOLDER)):
        if not relative.endswith(".html"):
            continue
        stat = entry.stat()
        identity = f"{stat.st_ino}.{stat.st_mtime_ns}.{stat.st_size}"
        path = entry.path
        if earlier.get(relative, ("",))[0] == identity:
            seen[relative] = earlier[relative]
        else:
            unread.append((path, relative, identity))
    threads = max(1, min(SCAN_THREADS, len(unread) // 500))
    with ThreadPoolExecutor(threads) as pool:
        for share in pool.map(_read_marked, [unread[k::threads] for k in range(threads)]):
            seen.update(share)
    if known and (unread or len(seen) != len(earlier)):
        _write_scan(known, seen)
    return sorted((page for _, page in seen.values() if page), key=lambda page: page.path)


def _read_marked(files: list[tuple[str, str, str]]) -> dict[str, tuple[str, Page | None]]:
    found = {}
    for path, relative, identity in files:
        with open(path, "rb") as handle:
            data = handle.read()
        page = None
        if _marked(data):  # hashed without the crisis region: a crisis never re-indexes (it is ignored)
            data = _without_unindexed(emptied(data))
            page = Page(relative, hashlib.sha256(data).digest(), _datum(data, relative), _lang(data))
        found[relative] = (identity, page)
    return found


def _read_scan(path: Path) -> dict[str, tuple[str, Page | None]]:
    """The scan record: a line per HTML file, "path identity digest datum lang" ("-" for none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return {}
    if not text.startswith(SCAN_HEADER):
        return {}  # another format or another Pagefind: read every page again
    found = {}
    for line in text.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) != 5:
            return {}
        relative, identity, digest, datum, lang = fields
        found[relative] = (identity, Page(relative, bytes.fromhex(digest), None if datum == "-" else datum, lang)
                           if digest != "-" else None)
    return found


def _write_scan(path: Path, seen: dict[str, tuple[str, Page | None]]) -> None:
    lines = [SCAN_HEADER]
    for relative in sorted(seen):
        if "\t" in relative or "\n" in relative:
            continue  # not a line of the record: read again next time
        identity, page = seen[relative]
        lines.append("\t".join((relative, identity, page.digest.hex() if page else "-",
                                 (page.datum or "-") if page else "-", page.lang if page else "-")))
    atomic_write(path, ("\n".join(lines) + "\n").encode("utf-8"))


def _without_unindexed(html: bytes) -> bytes:
    """`html` without the inside of its UNINDEXED regions; a region that holds anything Pagefind
    does read from ignored parts (a filter, a meta value, a sort key) is kept."""
    start, end = UNINDEXED
    kept, at = [], 0
    while (first := html.find(start, at)) >= 0 and (last := html.find(end, first)) >= 0:
        inside = html[first + len(start):last]
        kept.append(html[at:first + len(start)])
        if b"data-pagefind-" in inside.replace(b"data-pagefind-ignore", b""):
            kept.append(inside)
        at = last
    kept.append(html[at:])
    return b"".join(kept)


def _datum(html: bytes, path: str) -> str | None:
    found = DATUM.search(html)
    if found is None:
        return None
    if not DATUM_FORM.fullmatch(found.group(1)):
        raise SearchIndexError(f"{path}: data-pagefind-sort „datum:{found.group(1).decode(errors='replace')}“ "
                               "ist kein Datum der Form JJJJ-MM-TTThh:mm; die Vorlage der Seite prüfen.")
    return found.group(1).decode()


def _lang(html: bytes) -> str:
    """The page's language as Pagefind reads it: its <html lang> in lower case, "unknown" without one."""
    found = LANG.search(html, 0, 1024)
    return found.group(1).decode("ascii", errors="replace").lower() if found and found.group(1) else "unknown"


def _digest(pages) -> str:
    digest = hashlib.sha256(f"{_pagefind_version()}\0{' '.join(OPTIONS)}\n".encode())
    for page in pages:
        digest.update(page.path.encode() + b"\0" + page.digest)
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
    """A folder with only the given pages, each under its own path: hard links, so nothing is copied."""
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
    for line in result.stdout.splitlines():  # "Indexed 42 pages", "Indexed 1 page"
        words = line.split()
        if len(words) == 3 and words[0] == "Indexed" and words[2] in ("page", "pages"):
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
    """A part's live bundle as it lies on disk (paths, sizes, modification times): a changed or
    missing file of it means Pagefind must run again, even for the same pages."""
    digest = hashlib.sha256()
    if os.path.isdir(live):  # else no bundle (yet): the empty digest, which no part's record holds
        for path, entry in sorted(files_below(live)):
            stat = entry.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _read_stamp(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("parts"), dict) else None


def _write_stamp(path: Path, data: dict) -> None:
    atomic_write(path, json.dumps(data, sort_keys=True).encode("utf-8"))


def _apply(new: Path, live: Path, parts: list[Part], ran: list[str], teile: bytes) -> IndexReport:
    """Put the bundles of the parts in `ran` (in `new/<teil>/`) and `teile` live; the other parts stay untouched."""
    report = IndexReport()
    fresh = {name: sorted(p.relative_to(new / name).as_posix() for p in (new / name).rglob("*") if p.is_file())
             for name in ran}
    chunks = [f"{name}/{relative}" for name in ran for relative in fresh[name] if relative not in ENTRY_FILES]
    entries = [f"{name}/{relative}" for name in ran for relative in ENTRY_FILES if relative in fresh[name]]
    for relative in chunks + entries:
        source, target = new / relative, live / relative
        if _same(source.read_bytes(), target):
            report.unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        report.written.append(relative)
    if _same(teile, live / LISTING):
        report.unchanged += 1
    else:
        atomic_write(live / LISTING, teile)
        report.written.append(LISTING)
    for name in ran:  # chunks no entry file points to any more
        _remove(live / name, set(fresh[name]), f"{name}/", report)
    names = {part.name for part in parts} | {LISTING}
    for child in sorted(live.iterdir()):  # parts that are gone, and anything else in the folder
        if child.name in names:
            continue
        if child.is_dir():
            _remove(child, set(), f"{child.name}/", report)
        else:
            child.unlink()
            report.removed.append(child.name)
    return report


def _same(data: bytes, target: Path) -> bool:
    try:
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


def _remove(folder: Path, keep: set[str], prefix: str, report: IndexReport) -> None:
    """Every file below `folder` not in `keep`, then the folders left empty (the folder too)."""
    for path in sorted(folder.rglob("*"), reverse=True):  # files before their folders
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and relative not in keep:
            path.unlink()
            report.removed.append(prefix + relative)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    if not any(folder.iterdir()):
        folder.rmdir()
