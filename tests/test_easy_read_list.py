"""„Nachrichten in Leichter Sprache“ (plugins/easy_read, newsroom/content/easy_read_list.py): every
story with a version in Leichter Sprache, newest first, cut into pages from the oldest on and signed
by what each page shows; an incremental build equals a cold one."""

from __future__ import annotations

import re

from tests.test_incremental import assert_same_as_cold_build, bytes_of

LIST = "leichte-sprache/meldungen/index.html"
OLDEST = "leichte-sprache/meldungen/seite/1/index.html"
EASY = "|\n  Die Stadt baut neue Rad·wege.\n  Die Rad·wege sind am Rhein.\n  Das ist gut für alle.\n"
LINK = re.compile(r'<li><a href="([^"]*)">([^<]*)</a>')


def easy_story(site, number: int, easy: bool = True, title: str | None = None) -> None:
    site.story(f"2026/s{number}.md", id=f"ee00000000{number:02d}", title=title or f"Meldung {number}",
               date=f"2026-11-{number:02d} 10:00", **({"leichte_sprache": EASY} if easy else {}))


def listed(site, page: str = LIST) -> list[tuple[str, str]]:
    html = site.page(page)
    start = html.index('<ul class="term-list easy-read-list">')
    return LINK.findall(html[start:html.index("</ul>", start)])


def test_lists_the_stories_in_leichter_sprache_newest_first_linked_to_that_version(site):
    for number in (1, 2, 3):
        easy_story(site, number, easy=number != 2)
    site.commit("Meldungen", "2026-11-20 09:00")
    site.build()
    assert listed(site) == [("/aktuelles/2026/11/meldung-3/#leichte-sprache", "Meldung 3"),
                            ("/aktuelles/2026/11/meldung-1/#leichte-sprache", "Meldung 1")]
    html = site.page(LIST)
    assert "<h1>Nachrichten in Leichter Sprache</h1>" in html
    assert '<p class="count">2 Nachrichten in Leichter Sprache</p>' in html
    assert '<li><a href="/leichte-sprache/">Leichte Sprache</a></li>' in html  # the breadcrumb back
    sitemap = "".join(p.read_text(encoding="utf-8") for p in site.output.glob("sitemap*.xml"))
    assert "/leichte-sprache/meldungen/</loc>" in sitemap


def test_without_any_story_in_leichter_sprache_the_page_says_so(site):
    easy_story(site, 1, easy=False)
    site.build()
    assert "Im Moment gibt es noch keine Nachrichten in Leichter Sprache." in site.page(LIST)


def test_pages_from_the_oldest_a_new_story_redraws_only_the_first_and_equals_a_cold_build(site, tmp_path):
    for number in (1, 2, 3, 4):
        easy_story(site, number)
    easy_story(site, 9, easy=False)
    site.commit("Meldungen", "2026-11-20 09:00")
    site.build(LIST_PAGE_SIZE=2)
    assert [title for _url, title in listed(site)] == ["Meldung 4", "Meldung 3"]
    assert [title for _url, title in listed(site, OLDEST)] == ["Meldung 2", "Meldung 1"]
    assert 'href="/leichte-sprache/meldungen/seite/1/" rel="next"' in site.page(LIST)
    assert "– Seite 1 von 2" in site.page(OLDEST)

    again = site.build(LIST_PAGE_SIZE=2)
    assert again.written == [] and again.rendered == []

    easy_story(site, 5)
    site.commit("Neu", "2026-11-21 09:00")
    report = site.build(LIST_PAGE_SIZE=2)
    assert {p for p in report.rendered if p.startswith("leichte-sprache/")} == {LIST}
    assert [title for _url, title in listed(site)] == ["Meldung 5", "Meldung 4", "Meldung 3"]
    cold = tmp_path / "cold"
    site.build(LIST_PAGE_SIZE=2, OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert bytes_of(site.output) == bytes_of(cold)


def test_a_new_title_or_a_version_taken_out_redraws_the_list(site, tmp_path):
    for number in (1, 2):
        easy_story(site, number)
    site.commit("Meldungen", "2026-11-20 09:00")
    site.build()
    easy_story(site, 2, title="Meldung zwei")
    easy_story(site, 1, easy=False)
    site.commit("Geändert", "2026-11-21 09:00")
    report = site.build()
    assert LIST in report.written
    assert listed(site) == [("/aktuelles/2026/11/meldung-zwei/#leichte-sprache", "Meldung zwei")]
    assert_same_as_cold_build(site, tmp_path)
