"""A press appointment (Medientermin): where and when journalists are invited, and whom to ask."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from newsroom.content.story import Contact

# status → German label; "confirmed" when the file names none.
STATUSES = {"planned": "Geplant", "confirmed": "Bestätigt", "cancelled": "Abgesagt"}
DEFAULT_STATUS = "confirmed"
CHANNELS = ("press",)  # what an appointment may be sent to (read and checked; sent elsewhere)


@dataclass(frozen=True)
class Place:
    address: str
    meeting_point: str | None = None  # where the press meets, e.g. "Haupteingang, Foyer"


@dataclass(frozen=True)
class Appointment:
    """One appointment as read from its file; `placed` gives it its address."""

    source: str  # e.g. content/termine/2026/ratssitzung.md
    id: str
    title: str
    start: datetime  # Europe/Berlin
    end: datetime
    place: Place
    topic: str  # one of THEMEN
    contact: Contact
    slug: str  # from the file name
    status: str = DEFAULT_STATUS
    accreditation: str | None = None
    story_id: str | None = None  # a related story
    story_line: int | None = None  # the line of `story`, for the archive-level check
    channels: tuple[str, ...] = ()
    body_html: str = ""  # with story:/media: placeholders, like a story's
    story_refs: tuple[str, ...] = ()  # story:<id> links in the body
    media_checks: tuple[tuple[str, int | None, str | None], ...] = ()  # media:<path> links: (path, line, field)
    content_hash: str = ""
    url: str = ""  # site path of its page

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    def placed(self, source: str, url: str) -> Appointment:
        return replace(self, source=source, url=url)
