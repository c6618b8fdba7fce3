"""Loading the whole archive: unchanged files come from the cache, the rest are
parsed on every core.

At 25,000 stories a cold parse is dominated by Markdown; after that a build reads
only files whose size or mtime changed, and re-parses only new content hashes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .cache import BuildCache
from .errors import ContentError, ContentErrors
from .markup import BodyRenderer
from .reader import StoryVocabulary, read_story
from .story import Story

PARALLEL_THRESHOLD = 64  # below this, starting worker processes costs more than it saves
CHUNK = 100


@dataclass
class LoadResult:
    stories: list[tuple[Story, Path]] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    parsed: int = 0
    from_cache: int = 0


@dataclass(frozen=True)
class _Job:
    source: str
    path: Path
    digest: str
    raw: bytes


def story_files(root: Path) -> list[Path]:
    """Every *.md below root, hidden files and folders (editor backups) left out."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath, f) for f in filenames if f.endswith(".md") and not f.startswith("."))
    return sorted(found)


def _parse_chunk(jobs: list[_Job], vocabulary: StoryVocabulary) -> list[tuple[str, Story | ContentErrors]]:
    renderer = BodyRenderer()
    results = []
    for job in jobs:
        try:
            results.append((job.digest, read_story(job.raw, job.source, vocabulary, renderer)))
        except ContentErrors as exc:
            results.append((job.digest, exc))
        except ContentError as exc:
            results.append((job.digest, ContentErrors([exc])))
    return results


def load_stories(root: Path, display_root: Path, vocabulary: StoryVocabulary, cache: BuildCache,
                 workers: int = 1) -> LoadResult:
    result = LoadResult()
    known = cache.file_hashes()
    files: dict[str, tuple[int, int, str]] = {}
    entries: list[tuple[str, Path, str]] = []
    raw_of: dict[str, bytes] = {}
    for path in story_files(root):
        source = os.path.relpath(path, display_root)
        stat = path.stat()
        previous = known.get(source)
        if previous and previous[0] == stat.st_mtime_ns and previous[1] == stat.st_size:
            digest = previous[2]
        else:
            raw = path.read_bytes()
            digest = hashlib.sha256(raw).hexdigest()
            raw_of[source] = raw
        files[source] = (stat.st_mtime_ns, stat.st_size, digest)
        entries.append((source, path, digest))

    fingerprint = vocabulary.fingerprint()
    cached = cache.stories(sorted({digest for _s, _p, digest in entries}), fingerprint)
    jobs = [
        _Job(source, path, digest, raw_of.pop(source, None) or path.read_bytes())
        for source, path, digest in entries if digest not in cached
    ]
    parsed: dict[str, Story | ContentErrors] = {}
    if workers > 1 and len(jobs) > PARALLEL_THRESHOLD:
        chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for chunk_results in pool.map(_parse_chunk, chunks, [vocabulary] * len(chunks)):
                parsed.update(chunk_results)
    elif jobs:
        parsed.update(_parse_chunk(jobs, vocabulary))

    new_records = {}
    for source, path, digest in entries:
        record = cached.get(digest)
        if record is not None:
            result.from_cache += 1
        else:
            record = parsed[digest]
            result.parsed += 1
            if isinstance(record, ContentErrors):
                # Messages name this file; the same bytes elsewhere are parsed again.
                result.errors.extend(record.errors)
                parsed.pop(digest)
                files.pop(source)
                continue
            new_records[digest] = record
        story = Story(**{**record.__dict__, "source": source})
        result.stories.append((story, path))
    cache.save_stories(new_records, fingerprint, keep={d for _s, _p, d in entries})
    cache.save_file_hashes(files)
    return result
