"""The build cache (SQLite in CACHE_PATH, outside output/): work a build need not repeat.

- parsed stories by content hash (Markdown is rendered once per version of a file);
- small blobs keyed by what they were computed from: the git history index, and
  per output folder the archive state and manifest of the last successful build.

Deleting the folder is always safe: the next build is a cold one with the same output.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS stories (hash TEXT, vocabulary TEXT, record BLOB, PRIMARY KEY (hash, vocabulary));
CREATE TABLE IF NOT EXISTS blobs (name TEXT PRIMARY KEY, key TEXT, value BLOB);
"""


DATABASE = "build.sqlite"
WAL_LIMIT = 16 * 1024 * 1024
LOOKUP_CHUNK = 500  # host parameters per query (SQLite allows 999 in old builds)


class BuildCache:
    def __init__(self, folder: Path | None):
        self.db = None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(folder / DATABASE, timeout=60)
            # A cache survives a killed process with WAL; it need not survive a power cut
            # (a state lost that way only costs a full build: see build.py's ordering).
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)

    @staticmethod
    def written_ns(folder: Path | None) -> int | None:
        """When a build last wrote the cache in `folder` (the database or its log), or None."""
        times = []
        for name in (DATABASE, DATABASE + "-wal"):
            try:
                times.append(os.stat(folder / name).st_mtime_ns)
            except (OSError, TypeError):
                pass
        return max(times, default=None)

    # -- parsed stories -----------------------------------------------------------------

    def stories(self, hashes: list[str], vocabulary: str) -> dict[str, object]:
        """Parsed stories by content hash; those pickled by another version of the code are left out."""
        loaded = ((digest, _loads(record)) for digest, record in self._story_rows(hashes, vocabulary))
        return {digest: value for digest, value in loaded if value is not _STALE}

    def packed_stories(self, hashes: list[str], vocabulary: str) -> dict[str, bytes]:
        """As `stories`, but pickled: a full build holds every story until its page is drawn."""
        return dict(self._story_rows(hashes, vocabulary))

    def _story_rows(self, hashes: list[str], vocabulary: str):
        """(hash, pickled record) of the stories found; each looked up by the primary key (a join with
        a table of wanted hashes made SQLite scan all stories: 50 ms at 25,000 for one story)."""
        if not self.db or not hashes:
            return
        hashes = list(hashes)
        for start in range(0, len(hashes), LOOKUP_CHUNK):
            chunk = hashes[start:start + LOOKUP_CHUNK]
            yield from self.db.execute(
                f"SELECT hash, record FROM stories WHERE vocabulary = ? AND hash IN ({','.join('?' * len(chunk))})",
                (vocabulary, *chunk))

    def save_stories(self, records: dict[str, object], vocabulary: str) -> None:
        if not self.db or not records:
            return
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO stories VALUES (?, ?, ?)",
                                [(h, vocabulary, pickle.dumps(r, protocol=5)) for h, r in records.items()])

    @contextmanager
    def saving_stories(self, vocabulary: str):
        """`save(hash, pickled record)` as stories are parsed; all of them are committed together
        when the block ends without an error."""
        if not self.db:
            yield lambda _digest, _data: None
            return
        with self.db:
            insert = self.db.execute
            yield lambda digest, data: insert("INSERT OR REPLACE INTO stories VALUES (?, ?, ?)",
                                              (digest, vocabulary, data))

    def story_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM stories").fetchone()[0] if self.db else 0

    def prune_stories(self, keep: set[str], vocabulary: str) -> None:
        """Forget parses of file versions that no longer exist (after a successful build)."""
        if not self.db:
            return
        with self.db:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (hash TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM keep")
            self.db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", [(h,) for h in keep])
            self.db.execute("DELETE FROM stories WHERE hash NOT IN (SELECT hash FROM keep) OR vocabulary != ?",
                            (vocabulary,))

    # -- blobs -------------------------------------------------------------------------------

    def blob(self, name: str) -> tuple[str, object] | None:
        if not self.db:
            return None
        row = self.db.execute("SELECT key, value FROM blobs WHERE name = ?", (name,)).fetchone()
        value = _loads(row[1]) if row else _STALE
        return None if value is _STALE else (row[0], value)

    def blobs(self, prefix: str) -> dict[str, tuple[str, object]]:
        """Every blob whose name starts with prefix, in one query."""
        if not self.db:
            return {}
        rows = self.db.execute("SELECT name, key, value FROM blobs WHERE substr(name, 1, ?) = ?",
                               (len(prefix), prefix))
        loaded = ((name, key, _loads(value)) for name, key, value in rows)
        return {name: (key, value) for name, key, value in loaded if value is not _STALE}

    def blobs_named(self, names: list[str]) -> dict[str, tuple[str, object]]:
        """The blobs with these names, in one query."""
        if not self.db:
            return {}
        marks = ",".join("?" * len(names))
        rows = self.db.execute(f"SELECT name, key, value FROM blobs WHERE name IN ({marks})", names)
        loaded = ((name, key, _loads(value)) for name, key, value in rows)
        return {name: (key, value) for name, key, value in loaded if value is not _STALE}

    def save_blob(self, name: str, key: str, value: object) -> None:
        self.save_blobs([(name, key, value)])

    def save_blobs(self, entries: list[tuple[str, str, object]]) -> None:
        """Several blobs in one transaction: all of them or none."""
        if not self.db:
            return
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO blobs VALUES (?, ?, ?)",
                                [(name, key, pickle.dumps(value, protocol=5)) for name, key, value in entries])

    def forget(self, prefix: str) -> None:
        """Drop every blob whose name starts with prefix."""
        if self.db:
            with self.db:
                self.db.execute("DELETE FROM blobs WHERE substr(name, 1, ?) = ?", (len(prefix), prefix))

    def close(self) -> None:
        if self.db:
            # A build that wrote much (a cold one) folds its log into the database now, so
            # that the next small build does not pay for it.
            wal = Path(self.db.execute("PRAGMA database_list").fetchone()[2] + "-wal")
            if wal.exists() and wal.stat().st_size > WAL_LIMIT:
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.db.close()
            self.db = None


_STALE = object()


def unpickled(data: bytes):
    """The value pickled in `data`, or None when another version of the code pickled it."""
    value = _loads(data)
    return None if value is _STALE else value


def _loads(data: bytes):
    """An entry written by other code (a class since moved or changed) is a miss, not a crash."""
    try:
        return pickle.loads(data)
    except (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError, ValueError):
        return _STALE


def live_prefix(output) -> str:
    """Cache names under this prefix describe the live output; they are dropped before it changes."""
    return f"live:{output}:"
