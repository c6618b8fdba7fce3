"""The press releases that went out, as the page „Pressemitteilungen“ lists them: by number,
newest first, all of them and one list per Thema, cut into pages.

The numbers are those the story pages show (press_numbers.py: story key → number and issue
time, once the release went out). A year's numbers count from 1, so the order is the year and
the number the text says ("PM 12/2026": 2026, 12); the issue time breaks ties and orders numbers
in a format that cannot be read back. Pages are cut from the oldest release on, like the story
lists: `seite/1/` holds the first releases and keeps them, so a new release redraws the first
page of its lists and no other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from newsroom.build.state import Card
from newsroom.content.slugs import slugify
from newsroom.content.story import WITHDRAWN
from newsroom.dates import BERLIN
from newsroom.pagination import Paged, cut

SECTION = "presse/"  # the journalists' page
RELEASES = "presse/pressemitteilungen/"  # every release; one list per Thema below it
_FIELD = re.compile(r"\{(number|year)(?::[^}]*)?\}")


@dataclass(frozen=True)
class ListedRelease:
    """A story whose press release went out, with the number and issue time of its record."""

    number: str
    issued_text: str | None  # ISO time as recorded
    card: Card

    @property
    def issued(self) -> datetime | None:
        return datetime.fromisoformat(self.issued_text).astimezone(BERLIN) if self.issued_text else None

    @property
    def withdrawn(self) -> datetime | None:
        """When the story was withdrawn: its line keeps number and date, not its title or link."""
        card = self.card  # withdrawn: its withdrawal has a time (newsroom/content/amendments.py)
        return datetime.fromtimestamp(card.withdrawn_ts, BERLIN) if card.status == WITHDRAWN else None

    def row(self) -> tuple:
        """What a list shows of it: when any of this changes, the pages showing it are drawn again."""
        card = self.card
        if card.status == WITHDRAWN:
            return (card.key, self.number, self.issued_text, card.category, card.withdrawn_ts)
        return (card.key, self.number, self.issued_text, card.category, card.title, card.url)


def number_pattern(number_format: str) -> re.Pattern:
    """PRESS_NUMBER_FORMAT as a pattern that reads number and year back: 'PM {number}/{year}'."""
    parts, named = [], set()
    at = 0
    for match in _FIELD.finditer(number_format):
        parts.append(re.escape(number_format[at:match.start()]))
        name = match.group(1)
        parts.append(r"(\d+)" if name in named else rf"(?P<{name}>\d+)")
        named.add(name)
        at = match.end()
    parts.append(re.escape(number_format[at:]))
    return re.compile("".join(parts))


def _order(pattern: re.Pattern, number: str, issued: str | None) -> tuple:
    match = pattern.fullmatch(number)
    fields = match.groupdict() if match else {}
    year = int(fields["year"]) if fields.get("year") else (int(issued[:4]) if issued else 0)
    return (year, int(fields["number"]) if fields.get("number") else 0,
            datetime.fromisoformat(issued).timestamp() if issued else 0.0)


def sent_releases(cards: Iterable[Card], press: dict[str, tuple], number_format: str) -> list[ListedRelease]:
    """The stories among `cards` whose release went out (`press`: story key → (number, issued)),
    oldest number first."""
    pattern = number_pattern(number_format)
    found = []
    for card in cards:
        entry = press.get(card.key)
        if entry is not None:
            number, issued = entry
            found.append((_order(pattern, number, issued), card.id, ListedRelease(number, issued, card)))
    found.sort(key=lambda item: item[:2])
    return [item[2] for item in found]


@dataclass(frozen=True)
class ReleaseList:
    """All releases (`thema` None) or those of one Thema, oldest first."""

    thema: str | None
    base: str  # site path of its first page
    releases: tuple[ListedRelease, ...]

    @property
    def heading(self) -> str:
        return "Pressemitteilungen" if self.thema is None else f"Pressemitteilungen zum Thema {self.thema}"


def release_lists(releases: list[ListedRelease], themen: list[str]) -> list[ReleaseList]:
    """The list of all releases, then one per Thema of THEMEN, in that order: each Thema has its
    page, so the filter links every page shows depend on the settings alone."""
    by_thema: dict[str, list[ListedRelease]] = {name: [] for name in themen}
    for release in releases:
        by_thema.setdefault(release.card.category, []).append(release)
    return [ReleaseList(None, RELEASES, tuple(releases)),
            *(ReleaseList(name, thema_path(name), tuple(by_thema[name])) for name in themen)]


def thema_path(thema: str) -> str:
    return f"{RELEASES}{slugify(thema)}/"


@dataclass(frozen=True)
class ReleasePage(Paged):
    """One page of a list, newest release first (newsroom/pagination.py: counted from the oldest)."""

    listing: ReleaseList
    number: int  # 1 = oldest page
    total: int
    items: tuple[ListedRelease, ...]

    @property
    def base(self) -> str:
        return self.listing.base

    def signature(self) -> tuple:
        """Everything the page shows (the filter links come from the settings)."""
        count = len(self.listing.releases) if self.is_first else None
        return ("pressemitteilungen", self.listing.heading, self.url, count, self.newer_url, self.older_url,
                self.oldest_url, tuple(release.row() for release in self.items))


def paginate(listing: ReleaseList, per_page: int) -> list[ReleasePage]:
    """First page first."""
    return [ReleasePage(listing, number, total, items)
            for number, total, items in cut(listing.releases[::-1], per_page)]
