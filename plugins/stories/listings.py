"""Lists of stories (per Thema, Amt, Stadtbezirk, tag, month) and their pagination."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from newsroom.build.state import Card  # lists hold light cards, not full stories
from newsroom.content.slugs import slugify
from newsroom.dates import month_name
from newsroom.pagination import Paged, cut
from newsroom.pagination import page_paths as cut_paths


@dataclass
class Listing:
    kind: str  # thema | amt | bezirk | tag | monat
    name: str
    heading: str
    base: str  # site path of the first page, e.g. "themen/verkehr/"
    description: str = ""
    stories: list[Card] = field(default_factory=list)


def bases_of(card: Card) -> set[str]:
    """The addresses of the lists a card is on; a change to the card can change only these.
    (The same addresses Taxonomy gives its lists.)"""
    year, month = card.month
    return {f"themen/{slugify(card.category)}/", f"aemter/{slugify(card.department)}/",
            *(f"stadtbezirke/{n}/" for n in card.districts), *(f"schlagworte/{s}/" for s in card.tag_slugs),
            f"archiv/{year}/{month:02d}/"}


@dataclass(frozen=True)
class ListPage(Paged):
    """One page of a list (newsroom/pagination.py: why pages are counted from the oldest story)."""

    listing: Listing
    number: int  # 1 = oldest page; the first page has the highest number
    total: int
    items: list[Card]

    @property
    def base(self) -> str:
        return self.listing.base

    def signature(self) -> tuple:
        """Everything the page shows except the stories' list entries."""
        head = (self.listing.heading, self.listing.description)
        count = len(self.listing.stories) if self.is_first else None
        return (head, count, self.newer_url, self.older_url, self.oldest_url, tuple(c.id for c in self.items))


def page_paths(listing: Listing, per_page: int) -> list[str]:
    """The site paths of paginate()'s pages, in its order, without making the pages."""
    return cut_paths(listing.base, len(listing.stories), per_page)


def paginate(listing: Listing, per_page: int) -> list[ListPage]:
    """First page first."""
    return [ListPage(listing, number, total, items) for number, total, items in cut(listing.stories, per_page)]


class Taxonomy:
    """All lists of the visible stories, with the site path of every term."""

    def __init__(self, stories: list[Card], settings: dict):
        self.themen = [self._term("thema", name, "Thema", "themen/") for name in settings["THEMEN"]]
        self.aemter = [self._term("amt", name, "Amt", "aemter/") for name in settings["AEMTER"]]
        self.bezirke = [
            Listing("bezirk", f"Stadtbezirk {n}", f"Stadtbezirk {n}", f"stadtbezirke/{n}/", description=places)
            for n, places in sorted(settings["STADTBEZIRKE"].items())
        ]
        by_thema = {t.name: t for t in self.themen}
        by_amt = {a.name: a for a in self.aemter}
        by_bezirk = {n: b for n, b in zip(sorted(settings["STADTBEZIRKE"]), self.bezirke)}
        # One pass over 25,000 cards on every build: local lists and plain appends only.
        thema_lists = {name: listing.stories for name, listing in by_thema.items()}
        amt_lists = {name: listing.stories for name, listing in by_amt.items()}
        bezirk_lists = {n: listing.stories for n, listing in by_bezirk.items()}
        tag_stories: dict[str, list[Card]] = defaultdict(list)
        spelling: dict[str, str] = {}  # slug → the first spelling seen
        varied: set[str] = set()  # slugs written in more than one way
        months: dict[tuple[int, int], list[Card]] = defaultdict(list)
        for story in stories:  # already newest first
            thema_lists[story.category].append(story)
            amt_lists[story.department].append(story)
            for district in story.districts:
                bezirk_lists[district].append(story)
            for tag, slug in zip(story.tags, story.tag_slugs):
                tag_stories[slug].append(story)
                if spelling.setdefault(slug, tag) is not tag and spelling[slug] != tag:
                    varied.add(slug)
            months[story.month].append(story)
        self.tags = []
        for slug in sorted(tag_stories):
            name = spelling[slug]
            if slug in varied:
                # Tags that differ only in spelling share one page, named by the commonest spelling.
                counts = Counter(tag for story in tag_stories[slug]
                                 for tag, tag_slug in zip(story.tags, story.tag_slugs) if tag_slug == slug)
                name = min(counts.items(), key=lambda item: (-item[1], item[0]))[0]
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

    def group(self, key: str) -> list[Card]:
        """Stories of a tag (by slug) or of a Thema ("thema:<name>"), newest first."""
        if key.startswith("thema:"):
            listing = self._thema.get(key[len("thema:"):])
        else:
            listing = self._tag_by_slug.get(key)
        return listing.stories if listing else []

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
