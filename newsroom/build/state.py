"""The archive as the build sees it between runs: one light card per story.

A card holds what lists, related stories, links and checks need (not the body), so
25,000 of them load in a few dozen milliseconds. `ArchiveState` is what the last
successful build produced from which sources; comparing it with this build's cards
says which pages can change (see plugins/stories/reach.py).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress, repeat
from operator import is_not
from sys import intern
from typing import NamedTuple

from newsroom.content.slugs import slugify
from newsroom.content.story import Story
from newsroom.dates import BERLIN

STATE_VERSION = 16  # 15: easy (the list of stories in Leichte Sprache); 16: translations, alternates


_SHARED: dict[tuple, tuple] = {}


def _shared(value: tuple) -> tuple:
    """One object per distinct small tuple (districts, months, tag sets) across all cards."""
    return _SHARED.setdefault(value, value)


class Card(NamedTuple):
    id: str
    source: str
    digest: str  # sha256 of the file: the key of its parsed Story in the cache
    title: str
    url: str
    ts: float  # publication time as a Unix timestamp
    status: str
    summary: str
    category: str
    department: str
    districts: tuple[int, ...]
    tags: tuple[str, ...]
    image: str | None
    related_ids: tuple[str, ...]
    story_refs: tuple[str, ...]
    media_checks: tuple
    # Derived once at parse time, used by every build's lists and related stories:
    tag_slugs: tuple[str, ...]  # slugify(tag) for each tag, same order
    month: tuple[int, int]  # (year, month) of the publication time in Berlin
    channels: tuple[str, ...] = ()  # channel names chosen in the front matter; the publisher plans from these
    embargo_ts: float | None = None  # when the press may receive it ahead of `ts`, under embargo
    former_ids: tuple[str, ...] = ()  # earlier ids, oldest first (invoke rename-id)
    owner: str = ""  # who writes it (the desk's week plan)
    # After publication (newsroom/content/amendments.py): the corrections as (key, time), oldest
    # first; when it was withdrawn (status "withdrawn"); the newest change note or correction.
    corrections: tuple[tuple[str, float], ...] = ()
    withdrawn_ts: float | None = None
    noted_ts: float | None = None
    easy: bool = False  # it has a version in Leichte Sprache (front matter `leichte_sprache`)

    @classmethod
    def from_story(cls, story: Story) -> Card:
        # Shared values are interned: the saved state then stores each once (pickle's memo).
        tags = tuple(intern(t) for t in story.tags)
        return cls(story.id, story.source, story.content_hash, story.title, story.url, story.date.timestamp(),
                   intern(story.status), story.summary, intern(story.category), intern(story.department),
                   _shared(story.districts), tags, story.image and intern(story.image), story.related_ids,
                   story.story_refs, story.media_checks, _shared(tuple(intern(slugify(t)) for t in tags)),
                   _shared((story.date.year, story.date.month)),
                   _shared(tuple(intern(c.name) for c in story.channels)),
                   story.embargo.timestamp() if story.embargo else None, story.former_ids, story.owner,
                   tuple((c.key, c.date.timestamp()) for c in story.corrections),
                   story.withdrawal.date.timestamp() if story.withdrawal else None,
                   story.noted.timestamp() if story.noted else None, bool(story.easy_html))

    @property
    def key(self) -> str:
        """The story's key in the record of sends: its first id, kept across renames."""
        return self.former_ids[0] if self.former_ids else self.id

    @property
    def claim_detail(self) -> dict:
        """What a claim records besides the channel's own entries: nothing for a story."""
        return {}

    @property
    def date(self) -> datetime:
        return datetime.fromtimestamp(self.ts, BERLIN)

    @property
    def save_as(self) -> str:
        return self.url + "index.html"

    def is_visible(self, now: float) -> bool:
        return self.status == "published" and self.ts <= now

    def listed(self) -> tuple:
        """What a list entry shows; when it changes, every list with the story is redrawn."""
        return (self.title, self.url, self.ts, self.category, self.summary, self.image)


@dataclass
class ArchiveState:
    """What the last successful build of one output folder was made from."""

    fingerprint: str = ""
    now: float = float("-inf")
    git_head: str | None = None
    # source → (mtime_ns, size, git blob id of the bytes the card was made from); the sha256 is in the card
    files: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    cards: dict[str, Card] = field(default_factory=dict)  # source → card
    git: dict[str, tuple] = field(default_factory=dict)  # source → (created, updated, editors, commits), times as Unix timestamps
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)  # story id → related ids shown
    pages: dict[str, bytes] = field(default_factory=dict)  # list/overview page path → digest of what it showed
    media: dict[str, object] = field(default_factory=dict)  # media path → its item as shown
    press: dict[str, tuple] = field(default_factory=dict)  # story key → (press number, issued) as shown
    # Translations (newsroom/languages): source → (mtime_ns, size, card); story id → its pages' languages and paths
    translations: dict[str, tuple] = field(default_factory=dict)
    alternates: dict[str, tuple] = field(default_factory=dict)
    # Digest of the crisis region every live page carries (newsroom/crisis/region.py); None: unknown.
    region: bytes | None = None
    version: int = STATE_VERSION
    # The keys of each saved shard, as loaded: saving finds a changed shard's other keys here.
    shard_keys: dict[str, list] = field(default_factory=dict, repr=False, compare=False)  # of key views

    @property
    def empty(self) -> bool:
        return not self.cards


_PARTS = ("files", "cards", "git", "related", "pages", "press", "translations", "alternates")
# Every part has an entry per story file or page, so each is cut in shards: a one-story
# edit rewrites the few shards its entries fall into, not the whole state.
SHARDS = 32
_MISSING = object()


def _names(output: str, part: str) -> list[str]:
    return [f"archive:{output}:{part}:{n}" for n in range(SHARDS)]


def shard_of(key: str) -> int:
    """The shard of one entry (of the state here, of the manifest in manifest.py)."""
    return zlib.crc32(key.encode()) % SHARDS


def _changed_shards(new: dict, old: dict) -> tuple[set[int], list[str]]:
    """Shards holding a key that was added, removed or got another value, and the added keys.
    Values of unchanged files are the very objects of the last state: most compare by identity."""
    added = [key for key in new.keys() - old.keys()]
    removed = old.keys() - new.keys()
    shards = {shard_of(key) for key in [*added, *removed]}
    # A dict comparison runs in C: when the entries both have agree, no Python loop is needed.
    if added or removed:
        common_new, common_old = dict(new), dict(old)
        for key in added:
            del common_new[key]
        for key in removed:
            del common_old[key]
    else:
        common_new, common_old = new, old
    if common_new == common_old:
        return shards, added
    suspects = not_same(new, old)
    shards.update(shard_of(key) for key in suspects if key in old and old[key] != new[key])
    return shards, added


def not_same(new: dict, old: dict) -> list:
    """The keys of `new` whose value is not the very object `old` holds (or that `old` lacks). A pass
    over every entry, run in C: at 100,000 stories a Python loop here costs a tenth of a second."""
    return list(compress(new, map(is_not, new.values(), map(old.get, new, repeat(_MISSING)))))


def load_state(cache, output: str) -> ArchiveState | None:
    """The saved state of one output folder, or None; stored in shards (see save_state)."""
    meta = cache.blob(f"archive:{output}")
    if (not meta or not isinstance(meta[1], dict) or meta[1].get("version") != STATE_VERSION
            or meta[1].get("applying") or "parts" not in meta[1]):
        return None
    values = {k: v for k, v in meta[1].items() if k not in ("applying", "parts")}
    found = cache.blobs_named([name for part in _PARTS for name in _names(output, part)])
    values["shard_keys"] = {}
    for part in _PARTS:
        merged: dict = {}
        shards = values["shard_keys"][part] = []
        for name, build_id in zip(_names(output, part), meta[1]["parts"][part]):
            saved = found.get(name)
            if not saved or saved[0] != build_id:
                return None  # written by another build: do not mix
            merged.update(saved[1])
            shards.append(saved[1].keys())  # a view, not a copy: saving looks at a few shards only
        values[part] = merged
    # Stored as plain tuples: they unpickle three times faster than named ones.
    make = tuple.__new__
    values["cards"] = {source: make(Card, fields) for source, fields in values["cards"].items()}
    return ArchiveState(**values)


def save_state(cache, output: str, new: ArchiveState, old: ArchiveState, build_id: str) -> int:
    """Write the shards that changed, then the record that ties them together; returns
    how many shards were written."""
    old_meta = cache.blob(f"archive:{output}")
    old_parts = old_meta[1].get("parts", {}) if old_meta and isinstance(old_meta[1], dict) else {}
    parts, writes = {}, []
    for part in _PARTS:
        value, before = getattr(new, part), getattr(old, part)
        reuse = not old.empty and len(old_parts.get(part, ())) == SHARDS
        if reuse and value is before:
            parts[part] = old_parts[part]
            continue
        dirty, added = _changed_shards(value, before) if reuse else (set(range(SHARDS)), [])
        shards: dict[int, dict] = {number: {} for number in dirty}
        keys = old.shard_keys.get(part) if reuse else None
        if keys is not None and len(keys) == SHARDS:  # only the changed shards' keys are looked at
            pairs = [(number, key) for number in dirty for key in keys[number] if key in value]
            pairs += [(shard_of(key), key) for key in added]
        else:
            pairs = [(shard_of(key), key) for key in value]
        for number, key in pairs:
            shard = shards.get(number)
            if shard is not None:
                item = value[key]
                shard[key] = tuple(item) if part == "cards" else item
        names = _names(output, part)
        ids = []
        for number in range(SHARDS):
            if number in shards:
                ids.append(build_id)
                writes.append((names[number], build_id, shards[number]))
            else:
                ids.append(old_parts[part][number])
        parts[part] = ids
    meta = {name: getattr(new, name) for name in ("fingerprint", "now", "git_head", "media", "region", "version")}
    writes.append((f"archive:{output}", build_id, {**meta, "parts": parts}))
    cache.save_blobs(writes)
    return len(writes) - 1


def forget_state(cache, output: str) -> None:
    """Mark the state unusable while the live site is being changed (parts are kept for reuse)."""
    meta = cache.blob(f"archive:{output}")
    if meta and isinstance(meta[1], dict):
        cache.save_blob(f"archive:{output}", meta[0], {**meta[1], "applying": True})
