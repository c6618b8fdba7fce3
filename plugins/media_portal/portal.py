"""The media portal as pages: entries (an item with its renditions and stories), albums,
filters by Schlagwort, Thema and year, series, and what each page shows.

Every page has a signature: the repr of everything it shows. A page whose signature
(with the build fingerprint) equals the live one's is kept, not drawn again.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from newsroom.content.slugs import slugify
from newsroom.dates import BERLIN
from newsroom.errors import ContentError
from newsroom.media.library import KIND_NAMES, MediaItem
from newsroom.media.renditions import Rendition

PORTAL = "medienportal/"
STORIES_SHOWN = 10  # an item page lists this many of the newest stories that use it
HOME_ITEMS = 12
HOME_ALBUMS = 6


@dataclass(frozen=True)
class Image:
    """A picture in several widths: `srcset` for WebP and JPEG, and the files behind them."""

    renditions: tuple[tuple[Rendition, str], ...]  # (rendition, site path), narrowest first
    alt: str

    def srcset(self, fmt: str) -> list[tuple[str, int]]:
        return [(path, r.width) for r, path in self.renditions if r.format == fmt]

    def largest(self, fmt: str = "jpg") -> tuple[Rendition, str]:
        return [entry for entry in self.renditions if entry[0].format == fmt][-1]

    def smallest(self, fmt: str = "jpg") -> tuple[Rendition, str]:
        return [entry for entry in self.renditions if entry[0].format == fmt][0]

    def fallback(self) -> tuple[Rendition, str]:
        """The JPEG for browsers without srcset: the largest up to 1024 pixels wide."""
        jpegs = [entry for entry in self.renditions if entry[0].format == "jpg"]
        return ([e for e in jpegs if e[0].width <= 1024] or jpegs)[-1]


@dataclass(frozen=True)
class StoryLink:
    id: str
    title: str
    url: str
    ts: float

    @property
    def date(self) -> datetime:
        return datetime.fromtimestamp(self.ts, BERLIN)


@dataclass(frozen=True)
class Entry:
    item: MediaItem
    url: str  # site path of the item page
    image: Image | None  # the photo itself, or a video's poster
    themen: tuple[str, ...]
    stories: tuple[StoryLink, ...]  # newest first, at most STORIES_SHOWN
    story_count: int
    original_bytes: int | None = None  # the original as handed out (newsroom/media/originals.py)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.item.kind]

    @property
    def year(self) -> str | None:
        return self.item.date[:4] if self.item.date else None

    @property
    def sort_key(self) -> tuple:
        return (self.item.date or "", self.item.path)


@dataclass
class Listing:
    """One portal list page: an album, a Schlagwort, a Thema, a year or a series."""

    kind: str  # album, tag, thema, year, series
    name: str
    url: str
    entries: list[Entry] = field(default_factory=list)
    description: str | None = None
    zip_path: str | None = None  # albums: the ZIP download

    @property
    def heading(self) -> str:
        return {"album": "Album", "tag": "Schlagwort", "thema": "Thema", "year": "Jahr", "series": "Reihe"}[self.kind]


def item_url(path: str) -> str:
    """'fotos/rheinufer.jpg' → 'medienportal/medien/fotos/rheinufer/'."""
    pure = PurePosixPath(path)
    return f"{PORTAL}medien/{pure.with_suffix('').as_posix()}/"


def rendition_path(digest: str, path: str, rendition: Rendition, key: str) -> str:
    """Site path of a rendition: named by the photo's content hash and the cache key of its drawing (settings
    and the rights it carries), so a new photo or a corrected credit gets a new address and browsers may
    keep a file forever."""
    folder = hashlib.sha256(f"{digest}-{key}".encode()).hexdigest()[:16]
    return f"{PORTAL}bilder/{folder}/{PurePosixPath(path).stem}-{rendition.name}"


def story_links(visible: list, keys: set[str]) -> dict[str, list]:
    """media path → visible cards using it (lead image or in the text), newest first."""
    using: dict[str, list] = defaultdict(list)
    for card in visible:  # already newest first
        for reference, _line, _field in card.media_checks:
            if reference in keys:
                using[reference].append(card)
    return using


class Portal:
    def __init__(self, entries: list[Entry], settings: dict):
        self.entries = sorted(entries, key=lambda e: e.sort_key, reverse=True)
        self.by_path = {e.item.path: e for e in self.entries}
        self.series_settings = settings["MEDIA_SERIES"]
        self.albums = self._group("album", lambda e: [e.item.album] if e.item.album else [], f"{PORTAL}alben/")
        for album in self.albums:
            album.zip_path = f"{album.url}{slugify(album.name)}.zip"
        self.tags = self._group("tag", lambda e: e.item.tags, f"{PORTAL}schlagworte/")
        self.themen = self._group("thema", lambda e: e.themen, f"{PORTAL}themen/")
        self.years = self._group("year", lambda e: [e.year] if e.year else [], f"{PORTAL}jahre/", by_name=True)
        self.series = self._group("series", lambda e: [e.item.series] if e.item.series else [], f"{PORTAL}reihen/")
        for series in self.series:
            series.description = self.series_settings.get(series.name)

    def _group(self, kind: str, names, base: str, by_name: bool = False) -> list[Listing]:
        groups: dict[str, Listing] = {}
        for entry in self.entries:
            for name in names(entry):
                listing = groups.get(name)
                if listing is None:
                    listing = groups[name] = Listing(kind, name, f"{base}{slugify(name) if kind != 'year' else name}/")
                listing.entries.append(entry)
        if by_name:
            return sorted(groups.values(), key=lambda g: g.name, reverse=True)
        if kind == "album":  # the album with the newest item first
            return sorted(groups.values(), key=lambda g: (g.entries[0].sort_key, g.name), reverse=True)
        return sorted(groups.values(), key=lambda g: g.name.casefold())

    def listing(self, kind: str, name: str | None) -> Listing | None:
        if not name:
            return None
        if not hasattr(self, "_index"):
            self._index = {(l.kind, l.name): l for l in self.listings()}
        return self._index.get((kind, name))

    def listings(self) -> list[Listing]:
        return self.albums + self.tags + self.themen + self.years + self.series

    def overview(self) -> tuple:
        """What the home page shows besides the latest items (also its signature)."""
        return tuple((l.kind, l.name, l.url, len(l.entries)) for l in self.listings())


def check_addresses(entries: list[Entry], display) -> list[ContentError]:
    """Two files that would share one item page (rheinufer.jpg and rheinufer.png)."""
    seen: dict[str, str] = {}
    errors = []
    for entry in entries:
        first = seen.setdefault(entry.url, entry.item.path)
        if first != entry.item.path:
            errors.append(ContentError(display(entry.item.path), f"Die Seite im Medienportal hätte dieselbe Adresse "
                                       f"/{entry.url} wie {first}. Bitte eine der Dateien umbenennen."))
    return errors
