"""Lists of stories (per Thema, Amt, Stadtbezirk, tag, month) and their pagination."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from newsroom.dates import month_name
from newsroom.slugs import slugify
from newsroom.archive import Card as Story  # lists hold light cards


@dataclass
class Listing:
    kind: str  # thema | amt | bezirk | tag | monat
    name: str
    heading: str
    base: str  # site path of the first page, e.g. "themen/verkehr/"
    description: str = ""
    stories: list[Story] = field(default_factory=list)


@dataclass(frozen=True)
class ListPage:
    listing: Listing
    number: int
    total: int
    items: list[Story]

    @staticmethod
    def path(base: str, number: int) -> str:
        return base if number == 1 else f"{base}seite/{number}/"

    @property
    def url(self) -> str:
        return self.path(self.listing.base, self.number)

    @property
    def prev_url(self) -> str | None:
        return self.path(self.listing.base, self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.path(self.listing.base, self.number + 1) if self.number < self.total else None

    @property
    def numbers(self) -> list[str | int]:
        """Page numbers to show: first, last and neighbours, '…' between gaps."""
        shown = sorted({1, self.total, *range(max(1, self.number - 2), min(self.total, self.number + 2) + 1)})
        result: list[str | int] = []
        for n in shown:
            if result and n - result[-1] > 1:
                result.append("…")
            result.append(n)
        return result


def paginate(listing: Listing, per_page: int) -> list[ListPage]:
    stories = listing.stories
    total = max(1, -(-len(stories) // per_page))
    return [ListPage(listing, n + 1, total, stories[n * per_page:(n + 1) * per_page]) for n in range(total)]


class Taxonomy:
    """All lists of the visible stories, with the site path of every term."""

    def __init__(self, stories: list[Story], settings: dict):
        self.themen = [self._term("thema", name, "Thema", "themen/") for name in settings["THEMEN"]]
        self.aemter = [self._term("amt", name, "Amt", "aemter/") for name in settings["AEMTER"]]
        self.bezirke = [
            Listing("bezirk", f"Stadtbezirk {n}", f"Stadtbezirk {n}", f"stadtbezirke/{n}/", description=places)
            for n, places in sorted(settings["STADTBEZIRKE"].items())
        ]
        by_thema = {t.name: t for t in self.themen}
        by_amt = {a.name: a for a in self.aemter}
        by_bezirk = {n: b for n, b in zip(sorted(settings["STADTBEZIRKE"]), self.bezirke)}
        tag_stories: dict[str, list[Story]] = defaultdict(list)
        spellings: dict[str, Counter] = defaultdict(Counter)
        months: dict[tuple[int, int], list[Story]] = defaultdict(list)
        for story in stories:  # already newest first
            by_thema[story.category].stories.append(story)
            by_amt[story.department].stories.append(story)
            for district in story.districts:
                by_bezirk[district].stories.append(story)
            for tag in story.tags:
                slug = slugify(tag)
                tag_stories[slug].append(story)
                spellings[slug][tag] += 1
            months[(story.date.year, story.date.month)].append(story)
        self.tags = []
        for slug in sorted(tag_stories):
            # Tags that differ only in spelling share one page, named by the commonest spelling.
            name = min(spellings[slug].items(), key=lambda item: (-item[1], item[0]))[0]
            self.tags.append(Listing("tag", name, name, f"schlagworte/{slug}/", stories=tag_stories[slug]))
        self.months = [
            Listing("monat", f"{month_name(m)} {y}", f"Meldungen im {month_name(m)} {y}",
                    f"archiv/{y}/{m:02d}/", stories=months[(y, m)])
            for (y, m) in sorted(months, reverse=True)
        ]
        self._tag_by_slug = {slugify(t.name): t for t in self.tags}
        self._thema = by_thema
        self._amt = by_amt
        self._bezirk = by_bezirk

    @staticmethod
    def _term(kind: str, name: str, label: str, root: str) -> Listing:
        return Listing(kind, name, name, f"{root}{slugify(name)}/")

    # Site paths for templates.
    def thema_url(self, name: str) -> str:
        return self._thema[name].base

    def amt_url(self, name: str) -> str:
        return self._amt[name].base

    def bezirk(self, number: int) -> Listing:
        return self._bezirk[number]

    def tag_url(self, tag: str) -> str:
        return f"schlagworte/{slugify(tag)}/"

    def lists(self) -> list[Listing]:
        """Every list that gets pages; empty Themen and Ämter are left out, districts always shown."""
        return [
            *(t for t in self.themen if t.stories),
            *(a for a in self.aemter if a.stories),
            *self.bezirke,
            *self.tags,
            *self.months,
        ]

    def years(self) -> list[tuple[int, list[Listing]]]:
        by_year: dict[int, list[Listing]] = defaultdict(list)
        for listing in self.months:
            by_year[int(listing.base.split("/")[1])].append(listing)
        return sorted(by_year.items(), reverse=True)
