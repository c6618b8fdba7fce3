"""The stories that have a version in Leichter Sprache (front matter `leichte_sprache`), as the
page „Nachrichten in Leichter Sprache“ lists them: newest first, cut into pages from the oldest
story on (newsroom/pagination.py), so a new story redraws the list's first page and no other.
Each page is signed by what it shows; the list is made from the cards, no story is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from newsroom.build.state import Card
from newsroom.pagination import Paged, cut

BASE = "leichte-sprache/meldungen/"
EASY_ANCHOR = "leichte-sprache"  # the section of a story page with its version in Leichter Sprache


def row(card: Card) -> tuple:
    """What the list shows of a story: when any of this changes, its page is drawn again."""
    return (card.id, card.title, card.url, card.ts)


@dataclass(frozen=True)
class EasyReadPage(Paged):
    """One page of the list, newest story first (counted from the oldest page)."""

    number: int  # 1 = oldest page
    total: int
    items: tuple[Card, ...]
    count: int  # stories in the whole list
    base: str = BASE

    def signature(self) -> tuple:
        return ("leichte-sprache", self.url, self.count if self.is_first else None, self.newer_url, self.older_url,
                self.oldest_url, tuple(row(card) for card in self.items))


def easy_read_pages(visible: Iterable[Card], per_page: int) -> list[EasyReadPage]:
    """The list's pages, first page first; `visible` runs newest first (StoryArchive.visible)."""
    stories = [card for card in visible if card.easy]
    return [EasyReadPage(number, total, tuple(items), len(stories))
            for number, total, items in cut(stories, per_page)]
