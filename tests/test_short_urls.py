"""The addresses readers shorten from a story's (plugins/stories/short_urls.py) and /favicon.ico."""

import io
import re

import pytest
from PIL import Image

from plugins.stories.short_urls import story_root
from tests.support import snapshot, story_text

SITE = "http://localhost:8000/"


@pytest.fixture
def news(site):
    site.story("2026/radwege.md")  # 20 November 2026
    site.story("2026/bruecke.md", id="b2b2b2b2b2b2", title="Brücke wieder offen", date="2026-11-24 09:00")
    site.story("2026/oktober.md", id="c3c3c3c3c3c3", title="Laub wird abgeholt", date="2026-10-05 08:00")
    site.story("2025/mai.md", id="d4d4d4d4d4d4", title="Maifest im Hofgarten", date="2025-05-02 12:00")
    site.commit("Meldungen", "2026-11-25 09:00")
    site.build()
    return site


def bytes_of(folder):
    return {path: data for path, (data, _inode) in snapshot(folder).items()}


def main_of(html: str) -> str:
    """The page's content after its breadcrumb: what an index page shares with its archive page."""
    main = html[html.index("<main"):html.index("</main>")]
    return main[main.index("</nav>"):]


def breadcrumb_of(html: str) -> list[str]:
    nav = re.search(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return [" ".join(item.split()) for item in re.findall(r"<li>(.*?)</li>", nav, re.S)]


def test_each_shortened_address_is_an_index_page(news):
    month = news.page("aktuelles/2026/11/index.html")
    assert f'<link rel="canonical" href="{SITE}archiv/2026/11/">' in month
    assert "<h1>Meldungen im November 2026</h1>" in month
    # That month's stories, newest first, and no other month's.
    assert month.index("Brücke wieder offen") < month.index("Neue Radwege am Rheinufer")
    assert "Laub wird abgeholt" not in month and "Maifest im Hofgarten" not in month
    assert main_of(month) == main_of(news.page("archiv/2026/11/index.html"))
    assert breadcrumb_of(month) == ['<a href="/">Startseite</a>', '<a href="/aktuelles/">Aktuelles</a>',
                                    '<a href="/aktuelles/2026/">2026</a>', '<span aria-current="page">November</span>']

    year = news.page("aktuelles/2026/index.html")
    assert f'<link rel="canonical" href="{SITE}archiv/2026/">' in year
    assert "<h1>Archiv 2026</h1>" in year
    assert year.index('href="/archiv/2026/11/">November 2026</a>') < year.index('href="/archiv/2026/10/">Oktober 2026')
    assert "Mai 2025" not in year
    assert main_of(year) == main_of(news.page("archiv/2026/index.html"))
    assert breadcrumb_of(year) == ['<a href="/">Startseite</a>', '<a href="/aktuelles/">Aktuelles</a>',
                                   '<span aria-current="page">2026</span>']

    everything = news.page("aktuelles/index.html")
    assert f'<link rel="canonical" href="{SITE}archiv/">' in everything
    assert main_of(everything) == main_of(news.page("archiv/index.html"))
    assert 'href="/archiv/2025/05/">Mai 2025</a>' in everything
    assert breadcrumb_of(everything) == ['<a href="/">Startseite</a>', '<span aria-current="page">Aktuelles</span>']
    # The site's layout: navigation, footer, the skip link to the content.
    for html in (month, year, everything):
        assert '<a class="skip-link" href="#inhalt">' in html and 'aria-label="Hauptnavigation"' in html
        assert '<footer class="site-footer">' in html

    # Only years and months with stories; as duplicates of the archive, none is in the sitemap.
    assert (news.output / "aktuelles/2025/05/index.html").exists()
    assert not (news.output / "aktuelles/2025/11/index.html").exists()
    assert not (news.output / "aktuelles/2024").exists()
    sitemaps = "".join(p.read_text(encoding="utf-8") for p in news.output.glob("sitemap-*.xml"))
    assert f"<loc>{SITE}archiv/2026/11/</loc>" in sitemaps
    for path in ("aktuelles/", "aktuelles/2026/", "aktuelles/2026/11/", "aktuelles/2025/05/"):
        assert f"<loc>{SITE}{path}</loc>" not in sitemaps


def test_a_month_with_more_stories_than_a_page_links_to_the_archive_pages(site):
    for n in range(5):
        site.story(f"2026/s{n}.md", id=f"e{n}e{n}e{n}e{n}e{n}e{n}", title=f"Meldung {n}",
                   date=f"2026-11-0{n + 1} 10:00")
    site.commit("Meldungen", "2026-11-25 09:00")
    site.build(LIST_PAGE_SIZE=2)
    month = site.page("aktuelles/2026/11/index.html")
    assert main_of(month) == main_of(site.page("archiv/2026/11/index.html"))
    assert '<a href="/archiv/2026/11/seite/1/" rel="next">Ältere Meldungen</a>' in month
    assert not (site.output / "aktuelles/2026/11/seite").exists()


def test_the_index_pages_change_with_their_month_only(news, tmp_path):
    shortened = {"aktuelles/index.html", "aktuelles/2026/index.html", "aktuelles/2026/11/index.html"}
    assert shortened.isdisjoint(news.build().rendered)

    # An edit that changes no list entry leaves them as they are.
    path = news.content / "stories/2026/radwege.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")
    report = news.build()
    assert shortened.isdisjoint(report.rendered) and shortened.isdisjoint(report.written)

    # A story added to November: its month, its year (the count) and the index are drawn again.
    news.write("stories/2026/neu.md", story_text(id="f5f5f5f5f5f5", title="Ganz neue Meldung", date="2026-11-25 10:00"))
    report = news.build()
    assert shortened <= set(report.rendered)
    assert "aktuelles/2026/10/index.html" not in report.rendered
    assert "aktuelles/2025/index.html" not in report.rendered
    assert "Ganz neue Meldung" in news.page("aktuelles/2026/11/index.html")
    assert 'November 2026</a> <span class="term-count">(3)</span>' in news.page("aktuelles/2026/index.html")

    # A month that loses its only story loses its page.
    (news.content / "stories/2025/mai.md").unlink()
    report = news.build()
    assert {"aktuelles/2025/05/index.html", "aktuelles/2025/index.html"} <= set(report.pruned)

    cold = tmp_path / "cold"
    news.build(OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert bytes_of(news.output) == bytes_of(cold)


def test_story_root_is_the_folder_above_year_and_month():
    assert story_root("aktuelles/{date:%Y}/{date:%m}/{slug}/") == "aktuelles/"
    assert story_root("presse/meldungen/{date:%Y}/{date:%m}/{slug}/") == "presse/meldungen/"
    assert story_root("{date:%Y}/{date:%m}/{slug}/") is None  # the years would sit beside the home page
    assert story_root("aktuelles/{slug}/") is None
    assert story_root("aktuelles/{date:%Y}/{slug}/") is None


def test_favicon_is_an_icon_drawn_from_the_logo(news):
    data = (news.output / "favicon.ico").read_bytes()
    icon = Image.open(io.BytesIO(data))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32), (48, 48)} <= set(icon.info["sizes"])
    icon.size = (48, 48)  # Pillow's way to pick a size of an ICO
    pixels = icon.convert("RGBA")
    # The logo: the city's red with the white middle tower (x 20–24, y 5–16 of 44), rounded corners.
    assert pixels.getpixel((22, 44)) == pytest.approx((209, 0, 28, 255), abs=8)
    assert pixels.getpixel((24, 11)) == pytest.approx((255, 255, 255, 255), abs=8)
    assert pixels.getpixel((0, 0))[3] < 128
    assert '<link rel="icon" href="/favicon.ico" sizes="16x16 32x32 48x48">' in news.page("index.html")
    # Drawn once: a build with nothing new keeps it.
    assert "favicon.ico" not in news.build().rendered
