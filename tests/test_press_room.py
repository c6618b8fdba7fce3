"""The Presse section (plugins/press_room, newsroom/publishing/press_list.py): presse/ and the list
of press releases by number, per Thema. Real builds of a content folder in git whose record of
sends (content/receipts) is written as the publish run leaves it in the checkout."""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree

from newsroom.build.runner import load_settings
from newsroom.content.slugs import slugify
from newsroom.publishing.press_list import number_pattern
from newsroom.publishing.press_numbers import REGISTER, parse_register
from newsroom.publishing.records import CLAIMED, SENT, ChannelRecord, Receipt
from plugins.press.numbers import dump_register
from tests.support import REPO
from tests.test_incremental import assert_same_as_cold_build, bytes_of

LIST = "presse/pressemitteilungen/index.html"
VERKEHR = "presse/pressemitteilungen/verkehr/index.html"
KULTUR = "presse/pressemitteilungen/kultur/index.html"
BILDUNG = "presse/pressemitteilungen/bildung/index.html"
SECTION = "presse/index.html"
ENTRY = re.compile(r'<li class="press-release">(.*?)</li>', re.S)
NUMBER = re.compile(r'<span class="press-release-number">([^<]*)</span>(?: vom <time datetime="[^"]*">([^<]*)</time>)?'
                    r' · ([^<]*)</p>')
TITLE = re.compile(r'<a href="([^"]*)">([^<]*)</a></h\d>')

# (id, file, title, Thema, day in November 2026)
STORIES = [
    ("aa0000000001", "radwege", "Neue Radwege am Rheinufer", "Verkehr", 2),
    ("aa0000000002", "theater", "Theater im Hofgarten", "Kultur", 3),
    ("aa0000000003", "ampeln", "Neue Ampeln an der Kö", "Verkehr", 4),
    ("aa0000000004", "bahnen", "Mehr Bahnen am Wochenende", "Verkehr", 5),
    ("aa0000000005", "museum", "Museum länger offen", "Kultur", 6),
]


def record_release(site, story_id: str, number: int, issued: str, status: str = SENT, year: int = 2026) -> None:
    """The record of sends as the publish run leaves it (after a pull): the year's register names
    the story under its number, the story's receipt has the press record with number and issue time."""
    text = site.content / "receipts" / REGISTER.format(year=year)
    numbers = parse_register(text.read_text(encoding="utf-8") if text.exists() else None, "Register")
    numbers[number] = story_id
    site.write(f"receipts/{REGISTER.format(year=year)}", dump_register(year, numbers))
    shown = f"PM {number}/{year}"
    record = ChannelRecord(status, f"{story_id}-press-1", "test-run", issued, detail={"number": shown, "issued": issued},
                           **({"finished": issued, "remote_id": shown} if status == SENT else {}))
    site.write(f"receipts/{story_id}.yml", Receipt(story_id, {"press": record}).dumps())


def release_all(site, released=STORIES) -> None:
    """Every sample story written; `released` sent as PM 1/2026, 2/2026, … one day after another, committed."""
    write_stories(site)
    for number, (story_id, *_rest) in enumerate(released, start=1):
        record_release(site, story_id, number, f"2026-11-{1 + number:02d}T10:05:00+01:00")
    site.commit("Meldungen", "2026-11-07 11:00")


def write_stories(site, stories=STORIES) -> None:
    for story_id, name, title, thema, day in stories:
        site.story(f"2026/{name}.md", id=story_id, title=title, category=thema, date=f"2026-11-{day:02d} 10:00",
                   channels="\n  press: true")


def entries(page: str) -> list[tuple]:
    """(number, date, Thema, title, link) of each line of a list, in its order; title and link None
    for a withdrawn release."""
    found = []
    for item in ENTRY.findall(page):
        number, day, thema = NUMBER.search(item).groups()
        title = TITLE.search(item)
        shown = (html.unescape(title[2]), title[1]) if title else (None, None)
        found.append((number, day, html.unescape(thema), *shown))
    return found


def sitemap_pages(site) -> set[str]:
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    tree = ElementTree.fromstring(site.page("sitemap-seiten.xml"))
    return {loc.text.removeprefix("http://localhost:8000/") for loc in tree.iter(f"{namespace}loc")}


def test_the_list_shows_exactly_the_releases_that_went_out_newest_number_first(site):
    write_stories(site)
    site.story("2026/ohne.md", id="aa0000000009", title="Meldung ohne Pressemitteilung", date="2026-11-07 10:00")
    record_release(site, "aa0000000001", 2, "2026-11-02T10:05:00+01:00")
    record_release(site, "aa0000000002", 10, "2026-11-03T10:05:00+01:00")
    record_release(site, "aa0000000003", 9, "2026-11-04T09:00:00+01:00")
    record_release(site, "aa0000000004", 11, "2026-11-05T10:05:00+01:00", status=CLAIMED)  # not gone out
    site.commit("Meldungen", "2026-11-07 11:00")
    site.build()
    # By number, not as text ("PM 10" after "PM 9"), nor by the issue time.
    assert entries(site.page(LIST)) == [
        ("PM 10/2026", "3. November 2026", "Kultur", "Theater im Hofgarten", "/aktuelles/2026/11/theater-im-hofgarten/"),
        ("PM 9/2026", "4. November 2026", "Verkehr", "Neue Ampeln an der Kö", "/aktuelles/2026/11/neue-ampeln-an-der-koe/"),
        ("PM 2/2026", "2. November 2026", "Verkehr", "Neue Radwege am Rheinufer",
         "/aktuelles/2026/11/neue-radwege-am-rheinufer/"),
    ]
    page = site.page(LIST)
    assert '<p class="count">3 Pressemitteilungen</p>' in page
    assert "Mehr Bahnen am Wochenende" not in page and "Meldung ohne Pressemitteilung" not in page
    # The numbers are the story pages' own.
    assert "Pressemitteilung <span" in site.page("aktuelles/2026/11/theater-im-hofgarten/index.html")
    assert "PM 10/2026" in site.page("aktuelles/2026/11/theater-im-hofgarten/index.html")
    # presse/ shows the newest ones and leads to everything a journalist needs.
    section = site.page(SECTION)
    assert [e[0] for e in entries(section)] == ["PM 10/2026", "PM 9/2026", "PM 2/2026"]
    for link in ('href="/presse/pressemitteilungen/"', 'href="/presse/termine/"', 'href="/presse/termine.ics"',
                 'href="/medienportal/"', 'href="/abonnieren/#pressedienst"', 'href="mailto:presse@duesseldorf.de"',
                 'href="/kontakt/"', 'href="/feeds/pressemitteilungen/rss.xml"'):
        assert link in section, link
    assert "<h1>Presse</h1>" in section


def test_each_thema_has_its_list_and_every_list_links_them_all(site):
    release_all(site)
    site.build()
    assert [e[0] for e in entries(site.page(VERKEHR))] == ["PM 4/2026", "PM 3/2026", "PM 1/2026"]
    assert [e[0] for e in entries(site.page(KULTUR))] == ["PM 5/2026", "PM 2/2026"]
    assert "<h1>Pressemitteilungen zum Thema Kultur</h1>" in site.page(KULTUR)
    # A Thema without releases has its page too: the filter never leads nowhere.
    assert entries(site.page(BILDUNG)) == [] and "Zurzeit gibt es hier keine Pressemitteilungen." in site.page(BILDUNG)
    themen = load_settings(REPO / "pelicanconf.py")["THEMEN"]
    every = ["/presse/pressemitteilungen/", *(f"/presse/pressemitteilungen/{slugify(name)}/" for name in themen)]
    for path, current in ((LIST, "/presse/pressemitteilungen/"), (KULTUR, "/presse/pressemitteilungen/kultur/"),
                          (BILDUNG, "/presse/pressemitteilungen/bildung/")):
        page = site.page(path)
        start = page.index('<nav class="press-filter"')
        nav = page[start:page.index("</nav>", start)]
        assert re.findall(r'<a href="([^"]*)"', nav) == every
        assert re.findall(r'<a href="([^"]*)" aria-current="page"', nav) == [current]
    assert {"presse/", "presse/pressemitteilungen/", "presse/pressemitteilungen/verkehr/",
            "presse/pressemitteilungen/kultur/"} <= sitemap_pages(site)
    assert "presse/pressemitteilungen/bildung/" not in sitemap_pages(site)


def test_pages_are_cut_from_the_oldest_release_and_a_new_one_redraws_only_the_pages_that_show_it(site, tmp_path):
    release_all(site, STORIES[:4])
    site.build(LIST_PAGE_SIZE=2)
    assert [e[0] for e in entries(site.page(LIST))] == ["PM 4/2026", "PM 3/2026"]
    oldest = "presse/pressemitteilungen/seite/1/index.html"
    assert [e[0] for e in entries(site.page(oldest))] == ["PM 2/2026", "PM 1/2026"]
    assert '<span class="page-no">– PM 1/2026 bis PM 2/2026</span>' in site.page(oldest)
    assert 'href="/presse/pressemitteilungen/seite/1/" rel="next"' in site.page(LIST)

    # The fifth story is out and chose the press; its release goes out: its lines appear.
    record_release(site, "aa0000000005", 5, "2026-11-06T10:05:00+01:00")
    report = site.build(LIST_PAGE_SIZE=2)
    assert {p for p in report.rendered if p.startswith("presse/")} == {SECTION, LIST, KULTUR}
    assert "aktuelles/2026/11/museum-laenger-offen/index.html" in report.rendered  # its number
    assert [e[0] for e in entries(site.page(LIST))] == ["PM 5/2026", "PM 4/2026", "PM 3/2026"]
    assert [e[0] for e in entries(site.page(oldest))] == ["PM 2/2026", "PM 1/2026"]
    cold = tmp_path / "cold"
    site.build(LIST_PAGE_SIZE=2, OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert bytes_of(site.output) == bytes_of(cold)


def test_nothing_changed_nothing_rewritten_and_an_edit_redraws_the_lines_that_show_it(site, tmp_path):
    release_all(site)
    site.build()
    before = bytes_of(site.output)
    again = site.build()
    assert again.written == [] and again.rendered == []
    assert bytes_of(site.output) == before

    site.story("2026/theater.md", id="aa0000000002", title="Theater im Hofgarten öffnet", category="Kultur",
               date="2026-11-03 10:00", channels="\n  press: true")
    site.commit("Titel", "2026-11-08 09:00")
    report = site.build()
    assert {p for p in report.written if p.startswith("presse/")} == {SECTION, LIST, KULTUR}
    assert ("PM 2/2026", "3. November 2026", "Kultur", "Theater im Hofgarten öffnet",
            "/aktuelles/2026/11/theater-im-hofgarten-oeffnet/") in entries(site.page(KULTUR))
    assert_same_as_cold_build(site, tmp_path)


def test_a_withdrawn_release_keeps_its_number_but_neither_title_nor_link(site, tmp_path):
    release_all(site)
    site.build()
    site.story("2026/ampeln.md", id="aa0000000003", title="Neue Ampeln an der Kö", category="Verkehr",
               date="2026-11-04 10:00", channels="\n  press: true", status="withdrawn",
               withdrawal="\n  date: 2026-11-09 12:00\n  reason: Die Angaben waren falsch.")
    site.commit("Zurückgezogen", "2026-11-09 12:00")
    site.build()
    listed = entries(site.page(VERKEHR))
    assert listed[1] == ("PM 3/2026", "4. November 2026", "Verkehr", None, None)
    assert "Neue Ampeln" not in site.page(VERKEHR) and "Neue Ampeln" not in site.page(LIST)
    assert 'Zurückgezogen am <time datetime="2026-11-09T12:00:00+01:00">9. November 2026</time>' in site.page(VERKEHR)
    assert_same_as_cold_build(site, tmp_path)


def test_numbers_are_read_back_in_the_format_of_the_settings():
    assert number_pattern("PM {number}/{year}").fullmatch("PM 12/2026").groupdict() == {"number": "12",
                                                                                         "year": "2026"}
    assert number_pattern("{year}-{number:04d}").fullmatch("2026-0012").groupdict() == {"year": "2026",
                                                                                        "number": "0012"}
    assert number_pattern("PM {number}/{year}").fullmatch("PM 12-2026") is None
