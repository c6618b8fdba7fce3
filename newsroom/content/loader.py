"""Loading the whole archive: unchanged files cost one stat, changed ones are parsed
(on every core when there are many) or taken from the parse cache by content hash.

At 25,000 stories a cold parse is dominated by Markdown; after that a build reads
only files whose size or mtime changed, and of those only the ones whose content git's
index cannot vouch for (newsroom/content/git_index.py: a fresh clone reads nothing it need not).
"""

from __future__ import annotations

import hashlib
import marshal
import multiprocessing
import os
import pickle
import tempfile
import weakref
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, NamedTuple

from newsroom.build.cache import BuildCache, unpickled
from newsroom.build.state import ArchiveState, Card
from newsroom.content.frontmatter import declared_status
from newsroom.content.git_index import GitIndex, VouchedFiles, blob_id
from newsroom.content.reader import StoryVocabulary
from newsroom.content.story import UNPUBLISHED, Story
from newsroom.errors import ContentError, ContentErrors
from newsroom.paths import symlink_error
from newsroom.progress import Progress

PARALLEL_THRESHOLD = 64  # below this, starting worker processes costs more than it saves
CHUNK = 100
# Git's index is consulted when more than this share of the files changed their stat data (a
# clone, a checkout of another branch); for a few files, reading them is quicker than waiting for it.
GIT_INDEX_SHARE = 10


@dataclass
class LoadResult:
    cards: dict[str, Card] = field(default_factory=dict)  # source → card, every valid story
    # source → the full story pickled as parsed (not yet placed), for those read now or preloaded: a
    # pickled story takes 2.2 kB, its objects 5.3 kB, and a full build at 100,000 stories holds all.
    packed: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # source → (mtime_ns, size, git blob id)
    errors: list[ContentError] = field(default_factory=list)
    broken_drafts: set[str] = field(default_factory=set)  # sources of failed files whose status line says draft
    unchecked_media: dict[str, tuple] = field(default_factory=dict)  # failed file → its media references
    provisional: dict[str, Story] = field(default_factory=dict)  # failed file → its best reading (channel checks)
    parsed: int = 0
    read: int = 0  # files read and hashed (the others: unchanged stat data, or vouched for by git's index)


def scan(root: Path, display_root: Path) -> list[tuple[str, str, int | None, int | None, int | None, int | None]]:
    """(source, path, mtime_ns, size, ctime_ns, inode) of every *.md below root; hidden files and
    folders left out.

    A symbolic link (file or folder, whatever its name) is listed with mtime, size, ctime and inode
    None and never followed: load_stories refuses it (newsroom.paths)."""
    prefix = os.path.relpath(root, display_root).replace(os.sep, "/")
    found = []

    def walk(folder: str, relative: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_symlink():
                    found.append((f"{prefix}/{relative}{entry.name}", entry.path, None, None, None, None))
                elif entry.is_dir():
                    walk(entry.path, f"{relative}{entry.name}/")
                elif entry.name.endswith(".md") and entry.is_file():
                    stat = entry.stat()
                    found.append((f"{prefix}/{relative}{entry.name}", entry.path, stat.st_mtime_ns, stat.st_size,
                                  stat.st_ctime_ns, stat.st_ino))

    if root.is_dir() and not root.is_symlink():  # a linked stories folder is refused by find_symlinks
        walk(str(root), "")
    found.sort()
    return found


class Scanned(NamedTuple):
    """`scan()`'s files, and a function giving what git's index vouches for among them (None: git
    cannot tell); it is called only when many files changed their stat data."""

    files: list[tuple[str, str, int | None, int | None, int | None, int | None]]
    index: Callable[[], GitIndex | VouchedFiles | None]


def scan_now(root: Path, display_root: Path) -> Scanned:
    return Scanned(scan(root, display_root), lambda: GitIndex.load(root, display_root))


def scan_in_background(root: Path, display_root: Path, cache_written_ns: int | None = None):
    """Start `scan()` in a forked process; returns a function that waits for its result (a `Scanned`).

    25,000 stat calls take a fifth of a second here. In a thread they would crawl: each call
    gives up the interpreter lock and waits up to 5 ms to get it back from the main thread,
    which is busy unpickling the last build's state. A process of its own has no such lock.
    Once the scan is reported, the same process reads git's index (a tenth of a second at
    25,000) when many files are newer than the build cache (`cache_written_ns`): a fresh clone
    with a restored cache. Only the state, loaded meanwhile, can tell whether it is needed;
    when it is and was not read there, the build reads it itself.
    """
    if not hasattr(os, "fork"):
        found = scan_now(root, display_root)
        return lambda: found
    # Files, not pipes: the child never blocks on a reader that may not come (a build that
    # fails before reading its stories), and exits as soon as it has written. A byte on a pipe
    # says the scan is written, so the build need not wait for the index.
    report, verdict = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    ready, done = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: scan, report, read the index, report, exit without any cleanup of the parent's state
        try:
            os.close(ready)
            files = scan(root, display_root)
            report.write(marshal.dumps(files))
            report.flush()
            os.write(done, b".")
            if cache_written_ns is not None:
                newer = sum(1 for _s, _p, mtime_ns, *_rest in files if mtime_ns and mtime_ns > cache_written_ns)
                if newer * GIT_INDEX_SHARE > len(files):
                    index = GitIndex.load(root, display_root)
                    verdict.write(marshal.dumps((index.algorithm, index.vouched(files)) if index else None))
                    verdict.flush()
        finally:
            os._exit(0)
    os.close(done)
    reaped = weakref.finalize(verdict, _reap, pid)  # also when the index is never asked for
    waiting = weakref.finalize(report, os.close, ready)

    def index() -> GitIndex | VouchedFiles | None:
        reaped()  # waits for the child
        verdict.seek(0)
        data = verdict.read()
        verdict.close()
        try:
            vouched = marshal.loads(data)
        except (EOFError, ValueError, TypeError):  # not read there (or the child failed): read here
            return GitIndex.load(root, display_root)
        return VouchedFiles(*vouched) if vouched else None

    def result() -> Scanned:
        written = os.read(ready, 1)  # empty when the child ended without writing the scan
        waiting()
        report.seek(0)
        data = report.read()
        report.close()
        try:
            if not written:
                raise EOFError
            return Scanned(marshal.loads(data), index)
        except (EOFError, ValueError, TypeError):  # no report: the scan failed there, so its error is raised here
            return scan_now(root, display_root)

    return result


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _parse_chunk(jobs: list[tuple[str, str, str]], vocabulary: StoryVocabulary) -> list[tuple[str, object]]:
    """(source, the story pickled, as the parse cache keeps it, or its ContentErrors) of each
    (source, digest, path): the file is read again here, from the page cache, so that the bytes of
    100,000 stories are never held at once."""
    from newsroom.content.markup import BodyRenderer  # Markdown is imported only when something is parsed
    from newsroom.content.reader import read_story

    renderer = BodyRenderer()
    results = []
    for source, digest, path in jobs:
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
            if hashlib.sha256(raw).hexdigest() != digest:
                raise ContentError(source, "Die Datei wurde während des Builds geändert. "
                                           "Bitte den Build wiederholen.")
            results.append((source, pickle.dumps(read_story(raw, source, vocabulary, renderer), protocol=5)))
        except (ContentErrors, ContentError) as exc:
            errors = exc if isinstance(exc, ContentErrors) else ContentErrors([exc])
            errors.status = declared_status(raw)  # a draft's problems do not stop the build
            results.append((source, errors))
        except OSError as exc:
            results.append((source, ContentErrors([ContentError(
                source, f"Die Datei lässt sich nicht lesen ({exc.strerror}).")])))
    return results


def load_stories(root: Path, display_root: Path, vocabulary: StoryVocabulary, cache: BuildCache,
                 state: ArchiveState, story_url, workers: int = 1, scanned=None) -> LoadResult:
    """Every story's card; full stories only for files that changed since `state`.

    `scanned` may hold a `Scanned` made beforehand (see scan_in_background).
    """
    result = LoadResult()
    changed: list[tuple[str, str, str]] = []  # (source, digest, path) of files whose card is made anew
    scanned = scanned if scanned is not None else scan_now(root, display_root)
    restamped = []  # files whose stat data changed since `state`
    for item in scanned.files:
        source, path, mtime_ns, size, _ctime_ns, _inode = item
        if size is None:  # a symbolic link: never read
            result.errors.append(symlink_error(path, source))
            continue
        old = state.files.get(source)
        if old and old[0] == mtime_ns and old[1] == size and source in state.cards:
            result.files[source] = old
            result.cards[source] = state.cards[source]
        else:
            restamped.append(item)
    index = scanned.index() if len(restamped) * GIT_INDEX_SHARE > len(scanned.files) > 0 else None
    for source, path, mtime_ns, size, ctime_ns, inode in restamped:
        old = state.files.get(source)
        card = state.cards.get(source)
        if (index and old and card and old[1] == size
                and old[2] == index.blob(source, mtime_ns, ctime_ns, inode, size)):
            result.files[source] = (mtime_ns, size, old[2])  # the content the card was made from
            result.cards[source] = card
            continue
        with open(path, "rb") as handle:
            raw = handle.read()
        result.read += 1
        digest = hashlib.sha256(raw).hexdigest()
        result.files[source] = (mtime_ns, size, blob_id(raw, index.algorithm if index else "sha1"))
        if card and card.digest == digest:  # touched, not changed
            result.cards[source] = card
        else:
            changed.append((source, digest, path))

    fingerprint = vocabulary.fingerprint()
    # Pickled, unpickled one at a time: a full build finds every story in the parse cache.
    cached = cache.packed_stories(sorted({digest for _s, digest, _p in changed}), fingerprint)
    jobs = [job for job in changed if job[1] not in cached]
    result.parsed = len(jobs)
    # Parsed stories are taken, and saved to the parse cache (pickled once, by the parser), chunk by
    # chunk as they come, in the order of `changed`: at 100,000 stories nothing is held twice.
    with cache.saving_stories(fingerprint) as save, _parsed(jobs, vocabulary, workers) as outcomes:
        for job in changed:
            source, digest, _path = job
            packed = cached.get(digest)
            record = unpickled(packed) if packed is not None else None
            if record is None:
                if packed is None:
                    parsed_source, packed = next(outcomes)
                    assert parsed_source == source  # the parsers keep the order of the jobs
                else:  # pickled by another version of the code: parsed again, here (rare)
                    (_source, packed), = _parse_chunk([job], vocabulary)
                    result.parsed += 1
                if not isinstance(packed, bytes):
                    _take_errors(result, source, packed, story_url)
                    continue
                save(digest, packed)
                record = pickle.loads(packed)
            _take(result, source, record, packed, story_url)
    return result


def _take(result: LoadResult, source: str, record: Story, packed: bytes, story_url) -> None:
    story = record.placed(source, story_url(record))
    result.packed[source] = packed  # the story itself is made again when its page is drawn
    result.cards[source] = Card.from_story(story)


def _take_errors(result: LoadResult, source: str, record: ContentErrors, story_url) -> None:
    result.errors.extend(record.errors)
    if getattr(record, "status", None) in UNPUBLISHED:  # never published: its problems do not stop the build
        result.broken_drafts.add(source)
    if getattr(record, "media_checks", ()):
        result.unchecked_media[source] = record.media_checks
    if getattr(record, "provisional", None) is not None:
        result.provisional[source] = record.provisional.placed(source, story_url(record.provisional))
    del result.files[source]  # read again next time


@contextmanager
def _parsed(jobs: list[tuple[str, str, str]], vocabulary: StoryVocabulary, workers: int):
    """An iterator over (source, pickled story or ContentErrors) of `jobs`, in their order; on every
    core when there are many."""
    if workers > 1 and len(jobs) > PARALLEL_THRESHOLD:
        chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool, \
                Progress("Meldungen lesen", len(jobs), "Meldungen") as progress:
            def outcomes():
                for chunk in pool.map(_parse_chunk, chunks, [vocabulary] * len(chunks)):
                    progress.advance(len(chunk))
                    yield from chunk
            yield outcomes()
    else:
        yield iter(_parse_chunk(jobs, vocabulary) if jobs else ())
