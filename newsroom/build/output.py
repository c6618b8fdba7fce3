"""The staged site output: `output/` changes only when a build has fully succeeded.

The writer compares every page with the live site and puts only new or changed
files into a staging folder; nothing in `output/` is touched while the build runs.
On success, a journal lists the files to move in and the files to remove, and
is applied with one rename per file. A build that fails leaves `output/` as it
was; one killed while applying is rolled forward by the next run. Work is
proportional to what changed, not to the size of the archive.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
import traceback
from pathlib import Path

from newsroom.atomic import atomic_write, discard
from newsroom.crisis.region import splice
from newsroom.errors import NewsroomError, OutputConflict
from newsroom.progress import Progress

logger = logging.getLogger("newsroom.build.output")

# Below this much work (in pages; a feed of 50 full entries weighs about eight), forking
# the build costs more than the second core saves.
PARALLEL_WEIGHT = 100
# Below this many kept pages, the banner pass (refill()) reads them alone: a read and a splice
# cost a fraction of a page's rendering.
REFILL_PARALLEL = 1000
# Top-level folders of output/ that another step writes (the search index, newsroom/search/index/index.py):
# never the build's, so never pruned by it.
FOREIGN_FOLDERS = frozenset({"pagefind"})


class SiteWriter:
    """Stages files whose bytes differ from the live site; counts its work."""

    def __init__(self, live: Path, staging: Path, manifest: set[str] | None = None):
        self.live = live
        self.staging = staging
        # Static copies: live path → (its mtime_ns, size, git blob id of what was copied), as the last
        # build left them (`known_copies`) and as this one leaves them; `blobs`: git's index of the sources.
        self.known_copies: dict[str, tuple[int, int, str]] = {}
        self.copies: dict[str, tuple[int, int, str]] = {}
        self.blobs = None
        # Every file the last successful build left live; None: look at the disk instead.
        self.manifest = manifest
        self._unclaimed: list[str] | None = None  # computed once, after all writes
        self._jobs: list[tuple[str, object]] = []
        self._weight = 0
        self._live = str(live)  # string paths: at 30,000 pages, Path objects cost seconds
        self.claimed: dict[str, str] = {}  # relative path → who produced it
        # The incremental rule (page()): what each page was made from last time, and this time.
        self.previous: dict[str, bytes] = {}
        self.digests: dict[str, bytes] = {}
        self.rendered: list[str] = []  # pages drawn in this build, not kept
        # The crisis region's bytes (newsroom/crisis/region.py), put into every staged .html page.
        self.region = b""
        self.refilled: list[str] = []  # kept pages whose region the banner pass changed
        self._filled: set[str] = set()  # pages written through write(): their region is filled
        self._copied: set[str] = set()  # files copied as they are (copy()): never refilled
        self.written: list[str] = []
        self.unchanged = 0
        self.pruned: list[str] = []

    def _claim(self, relative: str, owner: str) -> str:
        relative = relative.lstrip("/")
        if relative in self.claimed:
            raise OutputConflict(f"{owner} und {self.claimed[relative]} würden beide {relative} schreiben.")
        self.claimed[relative] = owner
        return relative

    def begin(self, previous: dict[str, bytes], *, full: bool = False, region: bytes = b"") -> None:
        """Start from the digests the last successful build recorded (path → digest of the inputs
        its page was made from); with --full nothing is kept. `region`: the crisis region's bytes
        for every page staged (set before anything renders, so forked workers have them)."""
        self.previous = {} if full else previous
        self.region = region

    def page(self, relative: str, render, *, owner: str, inputs=None, changed: bool = False,
             weight: int = 1) -> bool:
        """The one rule of incremental builds. A page is drawn (by `render()`, in `flush()`) unless
        it is live and was made from the same `inputs` (their digest, recorded with the last
        successful build and saved with this one's commit) and the caller does not say it
        `changed`. Pages whose inputs a plan tracks instead (story pages) pass no inputs: then
        `changed` alone decides. Returns True when the page is drawn."""
        if inputs is not None:
            digest = self.digests[relative] = digest_of(inputs)
            if not changed and self.previous.get(relative) == digest and self.keep(relative, owner=owner):
                return False
        elif not changed and self.keep(relative, owner=owner):
            return False
        self.defer(relative, render, owner=owner, weight=weight)
        self.rendered.append(relative)
        return True

    def keep_if_recorded(self, relative: str, *, owner: str, inputs) -> bool:
        """page()'s first half, for producers that prepare what they draw in bulk (the feeds'
        entries): records the digest of `inputs` and keeps the live page made from the same; if
        it returns False, the caller draws the page with `page(…, changed=True)`."""
        digest = self.digests[relative] = digest_of(inputs)
        return self.previous.get(relative) == digest and self.keep(relative, owner=owner)

    def keep_recorded(self, paths: list[str], *, owner: str) -> bool:
        """Keep pages no change reached with the digests recorded for them last time (computing
        their inputs again can cost more than all else); False, claiming nothing, unless every
        one of them is live and recorded."""
        previous = self.previous
        digests = [previous.get(path) for path in paths]
        if None in digests or self.keep_many(paths, owner=owner, strict=True):
            return False
        self.digests.update(zip(paths, digests))
        return True

    def write(self, relative: str, data: str | bytes, *, owner: str) -> bool:
        """Stage one file; returns False when the live site already has these bytes."""
        relative = self._claim(relative, owner)
        self._filled.add(relative)
        if self._stage(relative, data):
            self.written.append(relative)
            return True
        self.unchanged += 1
        return False

    def defer(self, relative: str, render, *, owner: str, weight: int = 1) -> None:
        """Claim a page now and render it in `flush()`, possibly in another process;
        `weight`: its work compared with an ordinary page's."""
        self._jobs.append((self._claim(relative, owner), render))
        self._weight += weight

    def flush(self, workers: int = 1) -> None:
        """Render and stage the deferred pages, on `workers` processes when there are many.

        Workers are forked, so they share the whole build in memory; each renders every
        n-th page and reports which files it staged.
        """
        jobs, self._jobs = self._jobs, []
        weight, self._weight = self._weight, 0
        forked = workers if len(jobs) >= 2 and weight >= PARALLEL_WEIGHT else 1
        for result in _shared(self._run, jobs, forked, "Seiten schreiben"):
            if "error" in result:
                raise NewsroomError(f"Seiten konnten nicht erzeugt werden:\n{result['error']}")
            self.written.extend(result["written"])
            self.unchanged += result["unchanged"]

    def refill(self, workers: int = 1) -> list[str]:
        """The banner pass: put the region into every kept live .html page that has one (read,
        splice, stage only if different), since the live pages carry another region than this
        build's. Pages drawn in this build have it already; no page is rendered again.
        Returns the pages refilled."""
        drawn = set(self.rendered) | self._filled | self._copied
        pages = sorted(p for p in self.claimed if p.endswith(".html") and p not in drawn)
        forked = workers if len(pages) >= REFILL_PARALLEL else 1
        for result in _shared(self._refill, pages, forked, "Krisenbereich erneuern"):
            if "error" in result:
                raise NewsroomError(f"Der Krisenbereich konnte nicht erneuert werden:\n{result['error']}")
            self.refilled.extend(result["written"])
        self.written.extend(self.refilled)
        self.unchanged -= len(self.refilled)
        return self.refilled

    def _refill(self, pages, step=None) -> dict:
        written, region, live = [], self.region, self._live
        for relative in pages:
            try:
                with open(os.path.join(live, relative), "rb") as handle:
                    data = handle.read()
            except FileNotFoundError:  # kept by the manifest's word but gone: nothing to refill
                continue
            filled = splice(data, region)
            if filled is not data and filled != data:
                _write_staged(self._staged(relative), filled)
                written.append(relative)
            if step is not None:
                step()
        return {"written": written, "unchanged": len(pages) - len(written)}

    def _run(self, jobs, step=None) -> dict:
        written, unchanged = [], 0
        for relative, render in jobs:
            if self._stage(relative, render()):
                written.append(relative)
            else:
                unchanged += 1
            if step is not None:
                step()
        return {"written": written, "unchanged": unchanged}

    def _stage(self, relative: str, data: str | bytes) -> bool:
        payload = data.encode("utf-8") if isinstance(data, str) else data
        if self.region and relative.endswith(".html"):  # rendered with the region empty
            payload = splice(payload, self.region)
        live = os.path.join(self._live, relative)
        try:
            if os.stat(live).st_size == len(payload):
                with open(live, "rb") as handle:
                    if handle.read() == payload:
                        return False
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            pass
        _write_staged(self._staged(relative), payload)
        return True

    def _staged(self, relative: str) -> str:
        """Where `relative` is staged: flat, so that staging makes no folders (a crisis stages every page)."""
        return os.path.join(self.staging, staged_name(relative))

    def keep_many(self, paths: list[str], *, owner: str, strict: bool = False) -> list[str]:
        """Claim many unchanged live files at once; returns those that are not live.

        `strict`: claim nothing unless all of them are live."""
        if self.manifest is None:
            if strict:
                missing = [p for p in paths if not os.path.isfile(os.path.join(self._live, p))]
                if missing:
                    return missing
            return [p for p in paths if not self.keep(p, owner=owner)]
        # Set operations in C: at 100,000 stories a build keeps some 200,000 pages this way.
        missing = [] if self.manifest.issuperset(paths) else [p for p in paths if p not in self.manifest]
        if strict and missing:
            return missing
        live = [p for p in paths if p in self.manifest] if missing else paths
        taken = self.claimed.keys() & live
        if taken:
            self._claim(min(taken), owner)  # raises the conflict
        self.claimed.update(dict.fromkeys(live, owner))
        self.unchanged += len(live)
        return missing

    def keep(self, relative: str, *, owner: str) -> bool:
        """Claim a live file unchanged without producing it; False if it is missing."""
        if self.manifest is not None:
            if relative not in self.manifest:
                return False
        elif not os.path.isfile(os.path.join(self._live, relative)):
            return False
        self._claim(relative, owner)
        self.unchanged += 1
        return True

    def copy(self, relative: str, source: Path, *, owner: str) -> bool:
        """Stage a static file unless the live copy holds its bytes: the same size and mtime (a copy
        keeps its source's mtime) or, where every mtime is new (a fresh clone), the blob id git's
        index vouches for is the one recorded when the live copy was made."""
        relative = self._claim(relative, owner)
        self._copied.add(relative)
        stat = source.stat()
        try:
            live = os.stat(os.path.join(self._live, relative))
        except (FileNotFoundError, NotADirectoryError):
            live = None
        if live is not None and live.st_size == stat.st_size:
            known = self.known_copies.get(relative)
            if known is not None and known[:2] != (live.st_mtime_ns, live.st_size):
                known = None  # the live file changed since: its record says nothing
            if live.st_mtime_ns == stat.st_mtime_ns or (known and self._blob(source, stat) == known[2]):
                self._record(relative, live, source, stat, known)
                self.unchanged += 1
                return False
        shutil.copy2(source, self._staged(relative))
        self._record(relative, stat, source, stat, None)  # the copy gets the source's mtime and size
        self.written.append(relative)
        return True

    def _blob(self, source: Path, stat: os.stat_result) -> str | None:
        return self.blobs.blob(source, stat) if self.blobs is not None else None

    def _record(self, relative: str, live: os.stat_result, source: Path, stat: os.stat_result, known) -> None:
        blob = known[2] if known else self._blob(source, stat)
        if blob is not None:
            self.copies[relative] = (live.st_mtime_ns, live.st_size, blob)

    def unclaimed(self) -> list[str]:
        """Live files this build did not produce: they are removed on commit.

        With the previous build's manifest (every file it produced) no folder walk is
        needed; without one, the live folder is walked.
        """
        if self._unclaimed is not None:
            return self._unclaimed
        if self.manifest is not None:
            self.pruned = sorted(p for p in self.manifest - self.claimed.keys()
                                 if os.path.exists(os.path.join(self._live, p)))
            self._unclaimed = self.pruned
            return self.pruned
        found = []
        root = str(self.live)
        cut = len(root) + 1
        for dirpath, dirs, files in os.walk(root):
            if dirpath == root:
                dirs[:] = [d for d in dirs if d not in FOREIGN_FOLDERS]
            for name in files:
                relative = os.path.join(dirpath, name)[cut:].replace(os.sep, "/")
                if relative not in self.claimed:
                    found.append(relative)
        self.pruned = sorted(found)
        self._unclaimed = self.pruned
        return self.pruned


def _shared(run, jobs: list, workers: int, label: str) -> list[dict]:
    """`run(share, step)` over `jobs` on `workers` processes: forked, so they share the whole
    build in memory; each takes every n-th job and reports what it staged (JSON, by pipe)."""
    if workers < 2 or len(jobs) < 2:
        return [run(jobs)]
    children = []
    for k in range(1, workers):
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: work its share, report, exit without cleanup
            os.close(reader)
            try:
                report = run(jobs[k::workers])
            except BaseException:  # noqa: BLE001 - reported to the parent
                report = {"error": traceback.format_exc()}
            with os.fdopen(writer, "w", encoding="utf-8") as pipe:
                json.dump(report, pipe)
            os._exit(0)
        os.close(writer)
        children.append((pid, reader))
    results = []
    try:
        # The parent works its share; its pace times the workers estimates everyone's.
        with Progress(label, len(jobs), "Seiten") as progress:
            results.append(run(jobs[0::workers], lambda: progress.advance(workers)))
    finally:
        for pid, reader in children:
            with os.fdopen(reader, encoding="utf-8") as pipe:
                data = pipe.read()
            os.waitpid(pid, 0)
            results.append(json.loads(data) if data else {"error": "Worker ohne Ergebnis beendet."})
    return results


# Deleting costs about 0.3 ms a file here (the disk is mounted with discard): past this many replaced
# files they are deleted by a process of their own while the build returns; the next build's start
# takes over what a killed one left.
DISCARD_AT_ONCE = 500


def _discard(folder: Path) -> None:
    """Delete the folder of replaced files; when it is deleted in the background, under a name of its
    own first, so that the next build's can take the usual one."""
    try:
        files = len(os.listdir(folder))
    except FileNotFoundError:
        return
    if files >= DISCARD_AT_ONCE and folder.suffix == ".replaced":
        folder = folder.rename(folder.with_name(f"{folder.name}.{time.time_ns()}"))
    discard(folder, files, at_once=DISCARD_AT_ONCE)


def _write_staged(path: str, data: bytes) -> None:
    """A new file in this build's private staging folder: no reader, no temporary name needed
    (a killed build's staging folder is removed whole by the next one)."""
    with open(path, "wb") as handle:
        os.fchmod(handle.fileno(), 0o644)  # as atomic_write: readable by the web server
        handle.write(data)


def staged_name(relative: str) -> str:
    """A file's name in the staging folder, which is flat: a crisis stages every page, and making and
    deleting their 34,000 folders there would cost more than writing the pages (the disk discards)."""
    name = relative.replace("%", "%25").replace("/", "%2F")
    if len(name.encode("utf-8")) > 240:  # a file name's limit is 255 bytes; "%h" is no escape's start
        name = "%h" + hashlib.blake2b(relative.encode("utf-8"), digest_size=16).hexdigest()
    return name


def digest_of(inputs) -> bytes:
    """A short digest of a page's inputs: bytes as they are, anything else by its repr (tuples of
    plain values, whose repr is stable). Twelve bytes: 10,000 of them load in the build state."""
    data = inputs if isinstance(inputs, bytes) else repr(inputs).encode()
    return hashlib.blake2b(data, digest_size=12).digest()


class StagedOutput:
    """Context manager around one build's output; `commit(writer)` applies it."""

    def __init__(self, output_path: Path):
        self.output = output_path.resolve()
        parent = self.output.parent
        self.staging = parent / f".{self.output.name}.staging"
        self.journal = parent / f".{self.output.name}.journal"
        self.replaced = parent / f".{self.output.name}.replaced"
        self._lock_path = parent / f".{self.output.name}.lock"
        self._lock = None
        self.committed = False

    def __enter__(self) -> StagedOutput:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self._lock = open(self._lock_path, "w")
        # One build at a time per output folder; a second one waits.
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        if self.journal.exists():  # a build was killed while applying: finish its work
            logger.warning("Vorheriger Build wurde beim Übernehmen unterbrochen; wird abgeschlossen.")
            self._apply(json.loads(self.journal.read_text(encoding="utf-8")))
        for leftover in self.output.parent.glob(f"{self.replaced.name}*"):  # a build killed before discarding
            _discard(leftover)
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir()
        self.output.mkdir(exist_ok=True)
        return self

    def commit(self, writer: SiteWriter) -> None:
        plan = {"move": writer.written, "remove": writer.unclaimed()}
        atomic_write(self.journal, json.dumps(plan).encode("utf-8"))
        self._apply(plan)
        self.committed = True

    def _apply(self, plan: dict) -> None:
        """Idempotent: safe to run again after a crash half-way through."""
        for relative in plan["remove"]:
            try:
                os.unlink(self.output / relative)
            except FileNotFoundError:
                pass
        # String paths and each folder made once: a crisis moves every page of the site (30,000).
        output, staging, ready = str(self.output), str(self.staging), set()
        # ext4 writes a file's data out at once when a rename replaces another file (auto_da_alloc): about
        # 1.7 ms a page here, a minute when a crisis changes every page. The live file is first moved aside,
        # so the rename replaces nothing; the page is missing only for the microseconds between the two.
        aside = str(self.replaced)
        os.makedirs(aside, exist_ok=True)
        # Folders this apply made hold nothing yet: no live file to move aside (a cold build's every page).
        fresh: set[str] = set()
        for index, relative in enumerate(plan["move"]):
            source = os.path.join(staging, staged_name(relative))
            target = os.path.join(output, relative)
            folder = relative.rpartition("/")[0]
            if folder not in ready:
                if not os.path.exists(source):
                    continue  # moved before the crash
                self._make_folders(folder, ready, fresh)
            if not os.path.lexists(source):
                continue  # moved before the crash
            if folder not in fresh:
                try:
                    os.rename(target, os.path.join(aside, str(index)))  # a folder that became a page goes aside too
                except FileNotFoundError:
                    pass
            os.rename(source, target)
        for relative in plan["remove"]:  # folders left empty
            folder = (self.output / relative).parent
            while folder != self.output and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        os.unlink(self.journal)
        shutil.rmtree(self.staging, ignore_errors=True)
        _discard(self.replaced)

    def _make_folders(self, folder: str, ready: set[str], fresh: set[str]) -> None:
        """Make `folder` and its parents below the output, each once (a cold build moves 30,000
        pages into 25,000 folders); a page where a folder must go is removed."""
        parts = folder.split("/") if folder else []
        for depth in range(1, len(parts) + 1):
            relative = "/".join(parts[:depth])
            if relative in ready:
                continue
            made = os.path.join(str(self.output), relative)
            # In a folder this apply made there is no old page in the way.
            if relative.rpartition("/")[0] not in fresh and os.path.isfile(made):  # a page became a folder
                os.unlink(made)
            try:
                os.mkdir(made)
                fresh.add(relative)
            except FileExistsError:
                pass
            ready.add(relative)
        ready.add(folder)

    def __exit__(self, *exc_info) -> None:
        try:
            if not self.committed and self.staging.exists() and not self.journal.exists():
                shutil.rmtree(self.staging)
        finally:
            if self._lock:
                fcntl.flock(self._lock, fcntl.LOCK_UN)
                self._lock.close()
