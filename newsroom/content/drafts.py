"""Drafts as web pages before publication: which stories, and where their pages go.

A draft page is drawn with the site's own templates into PUBLISH_PREVIEW_PATH/entwurf/, beside the
channel previews and never in the output folder, so no deploy, feed, sitemap or search index can
see it. `invoke serve` shows that folder at /entwurf/ (newsroom/servers/preview.py) and prints the
links it finds in the folder's list (LIST, written with the pages).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from newsroom.build.state import Card
from newsroom.content.story import DRAFT, PUBLISHED
from newsroom.dates import german_datetime

FOLDER = "entwurf"  # below PUBLISH_PREVIEW_PATH, and the address `invoke serve` shows it at
LIST = "entwuerfe.json"
BANNER = "Entwurf – nicht veröffentlicht"


@dataclass(frozen=True)
class DraftLink:
    """One drawn draft as the list names it: its id, title, state in words, planned time and site path."""

    id: str
    title: str
    state: str
    when: str
    path: str

    @classmethod
    def of(cls, card: Card) -> DraftLink:
        return cls(card.id, card.title, state_of(card), german_datetime(card.date), page_path(card.id))


def unpublished(cards: list[Card], now: float) -> list[Card]:
    """The stories a reader cannot see yet but an editor may look at: drafts, and published ones
    whose time (and so their embargo, which ends before it) lies in the future. Planned stories
    have no text yet; withdrawn ones keep their own page."""
    return [c for c in cards if c.status == DRAFT or (c.status == PUBLISHED and c.ts > now)]


def state_of(card: Card) -> str:
    """A draft waits for its status; a scheduled story for its time (and then appears by itself)."""
    return "Entwurf" if card.status == DRAFT else "Geplant"


def folder_of(settings: dict) -> Path:
    return Path(settings["PUBLISH_PREVIEW_PATH"]) / FOLDER


def page_path(story_id: str) -> str:
    """The draft's site path ('entwurf/<id>/'); ids are lower-case letters, digits and hyphens."""
    return f"{FOLDER}/{story_id}/"


def list_bytes(links: list[DraftLink]) -> bytes:
    return json.dumps([asdict(link) for link in links], ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def read_links(folder: Path) -> list[DraftLink]:
    """The drafts the last build drew into `folder`; none when it has drawn none."""
    try:
        entries = json.loads((folder / LIST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return []
    return [DraftLink(**entry) for entry in entries]


@dataclass
class DraftRecord:
    """What the last build drew into a drafts folder: each page's signature by draft id, and the
    index's; kept in the build cache (never in the archive state, which is the same with or without
    drafts). Unknown (`known` False) after another fingerprint (code, theme, settings) or with --full."""

    name: str
    fingerprint: str
    known: bool = False
    pages: dict[str, bytes] = field(default_factory=dict)
    index: bytes | None = None

    @classmethod
    def load(cls, cache, folder: Path, fingerprint: str, fresh: bool = False) -> DraftRecord:
        record = cls(f"drafts:{folder.resolve()}", fingerprint)
        saved = None if fresh else cache.blob(record.name)
        if saved and saved[0] == fingerprint and isinstance(saved[1], dict):
            record.known, record.pages, record.index = True, saved[1]["pages"], saved[1]["index"]
        return record

    def save(self, cache, pages: dict[str, bytes], index: bytes) -> None:
        if not self.known or pages != self.pages or index != self.index:
            cache.save_blob(self.name, self.fingerprint, {"pages": pages, "index": index})
