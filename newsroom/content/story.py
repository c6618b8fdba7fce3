"""The story model: one piece of city news, written once, published to every channel."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from newsroom.content.amendments import ChangeNote, Correction, Withdrawal

PLANNED, DRAFT, PUBLISHED, WITHDRAWN = "planned", "draft", "published", "withdrawn"
STATUSES = (PLANNED, DRAFT, PUBLISHED, WITHDRAWN)
UNPUBLISHED = (PLANNED, DRAFT)  # never built into the site nor sent; their problems are warnings
# Withdrawn (newsroom/content/amendments.py): its page stays at its address behind a banner (or
# answers 410); it leaves every list, feed and index, and every channel takes it back.


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class ChannelChoice:
    """A channel the story goes to, with the editor's own text for it if given."""

    name: str
    text: str | None = None


@dataclass(frozen=True)
class GitDates:
    """What git knows about a story file; None fields when git cannot tell."""

    created: datetime | None = None
    updated: datetime | None = None
    editors: tuple[str, ...] = ()  # public names (PUBLIC_AUTHORS) of the authors; never a raw git author
    commits: int = 0


@dataclass(frozen=True)
class Story:
    """One story as read from its file; immutable: a place or git dates make a copy (`placed`,
    newsroom/content/archive.py)."""

    source: str  # path relative to the project, e.g. content/stories/2026/x.md
    id: str
    title: str
    date: datetime  # publication time, Europe/Berlin
    status: str
    summary: str
    category: str  # Thema
    department: str  # Amt
    districts: tuple[int, ...]
    tags: tuple[str, ...]
    contact: Contact
    slug: str
    image: str | None = None  # below content/media
    related_ids: tuple[str, ...] = ()
    # Earlier ids, oldest first (set by `invoke rename-id`): the first is the story's key in
    # the record of sends, so a renamed story is never sent again under its new id.
    former_ids: tuple[str, ...] = ()
    embargo: datetime | None = None
    channels: tuple[ChannelChoice, ...] = ()
    body_html: str = ""  # with story:/media: placeholders
    easy_html: str = ""  # the Leichte Sprache version (front matter `leichte_sprache`), same placeholders
    story_refs: tuple[str, ...] = ()
    media_refs: tuple[str, ...] = ()
    content_hash: str = ""
    media_checks: tuple[tuple[str, int | None, str | None], ...] = ()  # (path, line, field)
    owner: str = ""  # who writes it: a person's handle or an Amt (the desk's week plan shows it)
    changes: tuple[ChangeNote, ...] = ()  # newest first
    corrections: tuple[Correction, ...] = ()  # oldest first
    withdrawal: Withdrawal | None = None  # with status "withdrawn"
    # Set by `placed` once the archive knows the story's address.
    url: str = ""
    save_as: str = ""
    git: GitDates = field(default_factory=GitDates)

    @property
    def key(self) -> str:
        """The story's lasting identity (its first id): the record of sends and feed entry ids
        keep it across renames, so readers and recipients see the same story."""
        return self.former_ids[0] if self.former_ids else self.id

    def placed(self, source: str, url: str) -> Story:
        """A copy of a parsed story as the file `source`, published at `url` (parsed stories are
        cached by content, and the same bytes may live in two files)."""
        return replace(self, source=source, url=url, save_as=url + "index.html")

    @property
    def updated(self) -> datetime | None:
        """Shown as "Aktualisiert am": a change committed after publication, not the first commit,
        or the newest change note or correction when that is later."""
        git = self.git
        updated = git.updated.timestamp() if git.updated else None
        shown = git.updated if shown_update_time(self.date.timestamp(), updated, git.commits) else None
        noted = self.noted
        return noted if noted is not None and (shown is None or noted > shown) else shown

    @property
    def noted(self) -> datetime | None:
        """The newest change note or correction: a change in substance that readers are told of."""
        moments = [*(n.date for n in self.changes[:1]), *(c.date for c in self.corrections[-1:])]
        return max(moments) if moments else None


def shown_update_time(published: float, updated: float | None, commits: int) -> float | None:
    """The rule for "Aktualisiert am": a change committed after publication that is not
    the story's first commit (times as Unix timestamps)."""
    return updated if updated and commits > 1 and updated > published else None
