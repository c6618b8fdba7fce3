"""The addresses a reader gets by shortening a story's: aktuelles/, aktuelles/<YYYY>/, aktuelles/<YYYY>/<MM>/.

Each is a real page, so a static host with no server configuration serves it: it shows what its
archive page shows (archiv/, archiv/<YYYY>/, the first page of the month's list) with a breadcrumb
along the shortened address, and names the archive page as canonical. As duplicates they stay out
of the sitemap. They are signed like their archive pages, so they are drawn and kept with them.
"""

from __future__ import annotations

from newsroom.dates import month_name

from .listings import Listing

# STORY_URL must put the stories into year and month folders below a folder of their own.
_DATED = "{date:%Y}/{date:%m}/"


def story_root(story_url: str) -> str | None:
    """'aktuelles/{date:%Y}/{date:%m}/{slug}/' → 'aktuelles/'; None when story addresses have no
    folder of their own with year and month below it (then no address shortens to an index)."""
    head, dated, _rest = story_url.partition(_DATED)
    if not dated or not head.endswith("/") or "{" in head or head.strip("/") == "":
        return None
    return head.lstrip("/")


def year_and_month(listing: Listing) -> tuple[str, str]:
    """'archiv/2026/12/' → ('2026', '12')."""
    _archive, year, month, _ = listing.base.split("/")
    return year, month


class ShortUrls:
    """The paths and breadcrumbs of the index pages below `root` (e.g. 'aktuelles/')."""

    def __init__(self, root: str):
        self.root = root

    def year(self, year: int | str) -> str:
        return f"{self.root}{year}/"

    def month(self, listing: Listing) -> str:
        year, month = year_and_month(listing)
        return f"{self.root}{year}/{month}/"

    def trail(self, year: int | str | None = None, month: Listing | None = None) -> list[tuple[str, str]]:
        """Breadcrumb items after the home page, the page itself last."""
        items = [("Aktuelles", self.root)]
        if year is not None:
            items.append((str(year), self.year(year)))
        if month is not None:
            items.append((month_name(int(year_and_month(month)[1])), self.month(month)))
        return items
