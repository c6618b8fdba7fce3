"""Pagination of lists (plugins/stories/listings.py): pages counted from the oldest story."""

import pytest

from plugins.stories.listings import Listing, page_paths, paginate


@pytest.mark.parametrize("count", [0, 1, 9, 10, 11, 19, 20, 21, 45])
def test_page_paths_name_the_pages_paginate_makes(count):
    listing = Listing("tag", "Radverkehr", "Radverkehr", "schlagworte/radverkehr/", stories=list(range(count)))
    pages = paginate(listing, 10)
    assert page_paths(listing, 10) == [page.url for page in pages]
    assert sum(len(page.items) for page in pages) == count
    # The list's own address holds the newest stories; seite/1/ the oldest, ten of them once there are two pages.
    assert pages[0].url == "schlagworte/radverkehr/"
    if len(pages) > 1:
        assert pages[-1].url == "schlagworte/radverkehr/seite/1/" and pages[-1].items == list(range(count))[-10:]


def test_the_sitemap_names_a_list_by_its_own_address_only(site):
    for n in range(45):  # LIST_PAGE_SIZE is 20: two pages
        site.story(f"2026/m{n:02d}.md", id=f"story{n:07d}x", title=f"Meldung Nummer {n}",
                   date=f"2026-{9 + n // 28:02d}-{1 + n % 28:02d} 10:00", tags="[Radverkehr]")
    site.build()
    assert (site.output / "schlagworte/radverkehr/seite/1/index.html").is_file()
    sitemap = site.page("sitemap-seiten.xml")
    assert "http://localhost:8000/schlagworte/radverkehr/</loc>" in sitemap
    assert "seite/" not in sitemap
