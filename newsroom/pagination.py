"""Lists cut into pages from the oldest item on: `seite/1/` holds the oldest items and keeps them,
whatever is published later, and the list's own address takes the newest, between one and two
pages' worth. So a new item redraws the first page, not every page of the list."""

from __future__ import annotations

from typing import Sequence


def cut(items: Sequence, per_page: int) -> list[tuple[int, int, Sequence]]:
    """(number, total, items) of each page, newest first: the first page (the list's own address)
    has the highest number; `items` run newest first."""
    total = max(1, len(items) // per_page)
    first = len(items) - (total - 1) * per_page
    pages = [(total, total, items[:first])]
    for number in range(total - 1, 0, -1):
        start = first + (total - 1 - number) * per_page
        pages.append((number, total, items[start:start + per_page]))
    return pages


def page_paths(base: str, count: int, per_page: int) -> list[str]:
    """The site paths of cut()'s pages, in its order, without cutting."""
    total = max(1, count // per_page)
    return [base, *(f"{base}seite/{number}/" for number in range(total - 1, 0, -1))]


class Paged:
    """A page of a list cut by cut(): its address and its neighbours'. Needs `number` (1 = oldest
    page), `total` and `base` (the site path of the list's first page)."""

    number: int
    total: int
    base: str

    @property
    def is_first(self) -> bool:
        return self.number == self.total

    def path_of(self, number: int) -> str:
        return self.base if number == self.total else f"{self.base}seite/{number}/"

    @property
    def url(self) -> str:
        return self.path_of(self.number)

    @property
    def newer_url(self) -> str | None:
        return self.path_of(self.number + 1) if self.number < self.total else None

    @property
    def older_url(self) -> str | None:
        return self.path_of(self.number - 1) if self.number > 1 else None

    @property
    def oldest_url(self) -> str | None:
        return self.path_of(1) if self.number > 2 else None
