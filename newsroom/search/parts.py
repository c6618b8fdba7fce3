"""The search index's parts ("Teile"): which pages each Pagefind bundle holds, and `teile.json`.

Dated pages (those whose `data-pagefind-sort` gives a `datum`) are indexed by year, one part
each ("2026"). A year of more than `part_pages` pages is cut into contiguous month ranges
("2026-a", "2026-b", … oldest first), filled month by month from January: the cut depends on that
year's pages only, and a story added to the newest month changes the year's last part alone. A
month is never cut, so a month of more than `part_pages` pages is a part of its own. Undated
pages (static pages, the feeds page) form the part "seiten".

`teile.json` lists the parts for the search page: dated parts newest first, "seiten" last, each with
the languages of its pages (their `<html lang>`). Pagefind keeps one index per language in a bundle
and answers a page in a language the bundle lacks from its largest index, so a search page merges
only the parts that hold pages in its own language.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from string import ascii_lowercase

UNDATED = "seiten"  # the part of the pages without a datum
LISTING = "teile.json"


@dataclass(frozen=True)
class Page:
    path: str  # relative to the output folder, with "/"
    digest: bytes  # of its bytes, the crisis region emptied
    datum: str | None  # "2026-12-07T10:15" (the page's sort key), None for an undated page
    lang: str = "de"  # its <html lang>, lower case, as Pagefind names its index


@dataclass(frozen=True)
class Part:
    name: str
    pages: tuple[Page, ...]  # sorted by path
    von: date | None = None  # the date range it covers; None for the undated part
    bis: date | None = None


def partition(pages: list[Page], part_pages: int) -> list[Part]:
    """The parts of `pages` in the order of `teile.json`: dated parts newest first, then "seiten"."""
    dated = sorted((p for p in pages if p.datum), key=lambda p: p.datum)
    parts = []
    for year, in_year in groupby(dated, key=lambda p: int(p.datum[:4])):
        parts.extend(_year_parts(year, list(in_year), part_pages))
    parts.reverse()
    undated = tuple(sorted((p for p in pages if not p.datum), key=lambda p: p.path))
    if undated:
        parts.append(Part(UNDATED, undated))
    return parts


def _year_parts(year: int, pages: list[Page], part_pages: int) -> list[Part]:
    """One year's parts, oldest first; `pages` sorted by datum."""
    if len(pages) <= part_pages:
        return [Part(str(year), _by_path(pages), date(year, 1, 1), date(year, 12, 31))]
    ranges: list[list[list[Page]]] = [[]]  # month ranges, each a list of months' pages
    for _month, in_month in groupby(pages, key=lambda p: p.datum[5:7]):
        month = list(in_month)
        filled = sum(len(m) for m in ranges[-1])
        if filled and filled + len(month) > part_pages:
            ranges.append([])
        ranges[-1].append(month)
    parts = []
    for n, months in enumerate(ranges):
        first = date(year, 1, 1) if n == 0 else date(year, int(months[0][0].datum[5:7]), 1)
        if n + 1 < len(ranges):
            following = int(ranges[n + 1][0][0].datum[5:7])  # the range ends where the next begins
            last = date(year, following - 1, calendar.monthrange(year, following - 1)[1])
        else:
            last = date(year, 12, 31)
        parts.append(Part(f"{year}-{ascii_lowercase[n]}", _by_path([p for m in months for p in m]), first, last))
    return parts


def _by_path(pages: list[Page]) -> tuple[Page, ...]:
    return tuple(sorted(pages, key=lambda p: p.path))


def listing(parts: list[Part], counts: dict[str, int]) -> bytes:
    """`teile.json`: each part's name, its number of indexed pages, its pages' languages and, for dated
    parts, its range."""
    entries = []
    for part in parts:
        entry = {"name": part.name, "seiten": counts[part.name], "sprachen": sorted({p.lang for p in part.pages})}
        if part.von:
            entry |= {"von": part.von.isoformat(), "bis": part.bis.isoformat()}
        entries.append(entry)
    return json.dumps({"teile": entries}, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
