"""One build, as every plugin sees it: typed, instead of string keys in Pelican's context.

The runner makes a `BuildContext` before any plugin reads, loads the stories into it (the
archive every other part depends on) and puts it into Pelican's context under the one key
`build` (see `of()`). What plugins offer each other goes through its methods, each of which
names what it offers (see newsroom/build/plugins.py, where plugins declare it):

- `sitemap`: pages for the sitemap ("sitemap"),
- `offer_feed()` / `feed_sources`: feeds besides the stories' ("feeds"),
- `offer_media_pages()` / `media_pages`: the media portal's pages and renditions of a medium
  ("media-pages"), which channels link and attach,
- `offer_sendables()` / `sendables`: sends besides the stories' ("sendables"), e.g. the press
  appointments' invitations, planned, approved and sent by the publish run like a story's,
- `offer_calendar()` / `calendar`: dated entries besides the stories for the desk's week plan
  and the Pressedienst's digest ("calendar"), e.g. the press appointments,
- `after_commit()` / `after_failure()`: work once the new site is live, or after a failed build.

An offer made after its consumer has read is an error, not a silently missing page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from newsroom.errors import ConfigurationError, ContentError

if TYPE_CHECKING:
    from newsroom.build.cache import BuildCache
    from newsroom.build.state import ArchiveState
    from newsroom.content.archive import StoryArchive
    from newsroom.crisis.model import Crisis
    from newsroom.feeds.catalog import FeedSource
    from newsroom.media.library import MediaLibrary

KEY = "build"  # the only key of Pelican's context the newsroom's plugins share


class MediaPages(Protocol):
    """What the media portal offers channels about a medium (a path below content/media)."""

    def page(self, path: str) -> str | None:
        """Site path of the medium's page in the portal, or None."""

    def renditions(self, path: str) -> dict[str, tuple[str, object]]:
        """Purpose (e.g. "instagram") → (absolute URL, file) of a rendition drawn for a channel."""


class Sendables(Protocol):
    """Sends besides the stories' that the publish run plans, gates and sends like a story's."""

    def cards(self, receipt: Callable, recorded: set[str]) -> list:
        """Cards as the plan reads a story's (id = the key in the record, source, digest, title, ts,
        status, channels, embargo_ts, former_ids, claim_detail), decided from the record of sends
        (`receipt(key)`, `recorded`: the keys it holds)."""

    def find(self, name: str, receipt: Callable, recorded: set[str]):
        """The card named by its key or by the id of what it is made from (`invoke approve`), or None."""

    def release(self, card):
        """The card's Release (newsroom/publishing/channel.py), as a channel renders it.

        Optional: `render(adapter, card)` draws each channel's post itself (the crisis message's
        replies), `notices` are German lines for the plan (channels left out), and a card with
        `priority` is due at once and sent first (newsroom/publishing/plan.py)."""


@dataclass(frozen=True)
class CalendarEntry:
    """Something on the desk's week plan that is not a story: when, what, and a few lines on it."""

    moment: datetime
    title: str
    kind: str  # German, e.g. "Medientermin (bestätigt)"
    url: str = ""  # site path of its page
    lines: tuple[str, ...] = ()
    topic: str = ""  # a Thema, for the desk's filters
    key: str = ""  # what its sends are made from (an appointment's id), to show their state
    # When it was first published (an appointment's first commit): the Pressedienst's digest
    # (plugins/alerts/digests.py) lists the entries that have one, by it and by `moment`.
    announced: datetime | None = None


class Sitemap:
    """The site's pages for the sitemap: (site path, last change or None[, part]) entries, and
    the story pages already grouped by part (25,000 of them). Closed once the sitemap is written."""

    def __init__(self):
        self.entries: list[tuple] = []
        self.parts: dict[str, list[tuple]] = {}
        # site path → ((language, site path), …): the page in every language (newsroom/languages)
        self.alternates: dict[str, tuple[tuple[str, str], ...]] = {}
        self._closed_by: str | None = None

    def add(self, path: str, changed=None, part: str | None = None) -> None:
        self._open()
        self.entries.append((path, changed) if part is None else (path, changed, part))

    def add_grouped(self, part: str, entries: list[tuple]) -> None:
        self._open()
        self.parts.setdefault(part, []).extend(entries)

    def close(self, reader: str) -> None:
        self._closed_by = reader

    def _open(self) -> None:
        if self._closed_by:
            raise ConfigurationError(
                f"Ein Plugin meldet eine Seite für die Sitemap, nachdem „{self._closed_by}“ sie geschrieben hat: "
                "es muss „sitemap“ unter provides erklären (newsroom/build/plugins.py).")


@dataclass(eq=False)
class BuildContext:
    """The build the plugins share. `previous` is the last successful build's state (empty with
    --full or when code, theme or settings changed); `next_state` collects this build's."""

    settings: dict
    cache: BuildCache
    fingerprint: str
    now: datetime
    full: bool
    previous: ArchiveState | None = None
    archive: StoryArchive | None = None
    media: MediaLibrary | None = None
    crisis: Crisis | None = None  # content/krise.yml (CRISIS_FILE), read by the core after the stories
    receipts_revision: str | None = None  # the record of sends at this git revision; None: the checkout's files
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    draft_problems: list[ContentError] = field(default_factory=list)  # reported, never published
    rendered: list[str] = field(default_factory=list)  # pages drawn in this build (the report's)
    stats: dict[str, int] = field(default_factory=dict)
    sitemap: Sitemap = field(default_factory=Sitemap)
    # What the stories plugin remembers for the next build's plan (reach.py), besides the archive.
    related: dict = field(default_factory=dict)
    images: dict = field(default_factory=dict)
    press: dict = field(default_factory=dict)  # story key → (press number, issued) shown (press_numbers.py)
    home_sign_video: tuple[str, str] | None = None  # (page source, video) the home page shows in DGS
    pages_touched: bool = False
    next_state: ArchiveState | None = None
    state_changed: bool = True
    _feeds: list[FeedSource] = field(default_factory=list)
    _feeds_read_by: str | None = None
    _media_pages: MediaPages | None = None
    _sendables: list[Sendables] = field(default_factory=list)
    _calendar: list[CalendarEntry] = field(default_factory=list)
    _region_parts: dict[str, bytes] = field(default_factory=dict)
    _region_read: bool = False
    _after_commit: list[Callable[[], None]] = field(default_factory=list)
    _after_failure: list[Callable[[Exception], None]] = field(default_factory=list)

    # -- offers between plugins -------------------------------------------------------------

    def offer_feed(self, source: FeedSource) -> None:
        if self._feeds_read_by:
            raise ConfigurationError(
                f"Feed „{source.key}“ kommt, nachdem „{self._feeds_read_by}“ die Feeds geschrieben hat: das "
                "liefernde Plugin muss „feeds“ unter provides erklären (newsroom/build/plugins.py).")
        self._feeds.append(source)

    def feed_sources(self, reader: str) -> list[FeedSource]:
        """By key: the order plugins happen to run in must not change a page."""
        self._feeds_read_by = reader
        return sorted(self._feeds, key=lambda source: source.key)

    def offer_media_pages(self, pages: MediaPages) -> None:
        self._media_pages = pages

    @property
    def media_pages(self) -> MediaPages | None:
        return self._media_pages

    def offer_sendables(self, sendables: Sendables) -> None:
        self._sendables.append(sendables)

    @property
    def sendables(self) -> list[Sendables]:
        """Read by the publish run and `invoke approve`, after the build."""
        return list(self._sendables)

    def offer_calendar(self, entries) -> None:
        self._calendar.extend(entries)

    @property
    def calendar(self) -> list[CalendarEntry]:
        """Read by the desk once the build is done, and by the digests' cards in the publish run."""
        return list(self._calendar)

    def offer_region_part(self, name: str, html: bytes | str) -> None:
        """A part of the crisis region every page carries (newsroom/crisis/region.py: "krise" the
        banner, "warnungen" the inline warnings), offered while reading (generate_context)."""
        if self._region_read:
            raise ConfigurationError(f"Der Teil „{name}“ des Krisenbereichs kommt, nachdem die Seiten begonnen "
                                     "haben: er muss in generate_context angeboten werden.")
        self._region_parts[name] = html.encode("utf-8") if isinstance(html, str) else html

    def region(self) -> bytes:
        """The crisis region's bytes, composed from the parts offered (empty without any)."""
        from newsroom.crisis.region import compose_region

        self._region_read = True
        return compose_region(self._region_parts)

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once this build's pages are live (never after a failed build)."""
        self._after_commit.append(action)

    def after_failure(self, action: Callable[[Exception], None]) -> None:
        """Run `action(errors)` when content errors stop the build (the site stays as it was)."""
        self._after_failure.append(action)

    def committed(self) -> None:
        for action in self._after_commit:
            action()

    def failed(self, errors: Exception) -> list[Exception]:
        """Run the failure actions; returns what they raised (never hiding the build's own errors)."""
        problems = []
        for action in self._after_failure:
            try:
                action(errors)
            except Exception as exc:  # noqa: BLE001 - reported by the runner, the build's errors come first
                problems.append(exc)
        return problems

    # -- the archive, for those who only read it -------------------------------------------

    @property
    def stories(self) -> list:
        """Cards of the visible stories, newest first."""
        return self.archive.visible if self.archive else []

    @property
    def all_stories(self) -> list:
        """Cards of every readable story (drafts and scheduled ones too), newest first."""
        return self.archive.cards if self.archive else []


def of(context: dict) -> BuildContext:
    """The build behind a Pelican context (every generator has one)."""
    try:
        return context[KEY]
    except KeyError:
        raise ConfigurationError("Kein Newsroom-Build: das Plugin läuft nur mit newsroom.build.runner.") from None
