"""End-to-end builds of real content repositories."""

import json
import re
from xml.etree import ElementTree

import pytest

from newsroom.errors import ContentErrors
from tests.support import snapshot, story_text

STORY = "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html"


def test_story_page_shows_everything_an_editor_wrote(site):
    site.story(image="fotos/rhein.jpg", body="Die Arbeiten beginnen.\n\n# Ablauf\n\nZuerst wird gefräst.\n")
    site.commit("Radwege", "2026-11-19 15:00")
    site.build()
    html = site.page(STORY)
    assert '<html lang="de">' in html
    assert "<h1 data-pagefind-ignore>Neue Radwege am Rheinufer</h1>" in html  # searched as its title, not text
    assert '<h2 id="ablauf">Ablauf</h2>' in html  # a body h1 is moved below the page title
    assert 'Veröffentlicht am <time datetime="2026-11-20T10:00:00+01:00">20. November 2026, 10:00 Uhr</time>' in html
    assert "Aktualisiert" not in html
    # The lead image from the media portal's renditions (WebP and JPEG), linked to its portal page.
    assert re.search(r'<source type="image/webp" srcset="/medienportal/bilder/[0-9a-f]{16}/rhein-1\.webp 1w"', html)
    assert re.search(r'<img src="/medienportal/bilder/[0-9a-f]{16}/rhein-1\.jpg" srcset="[^"]+" sizes="[^"]+" '
                     r'width="1" height="1" alt="Blick über den Rhein"', html)
    assert '<a href="/medienportal/medien/fotos/rhein/">' in html
    assert '<span class="credit">Foto: Landeshauptstadt Düsseldorf/Test</span>' in html
    assert '<a href="/aemter/amt-fuer-verkehrsmanagement/">Amt für Verkehrsmanagement</a>' in html
    assert '<a href="/stadtbezirke/3/">Stadtbezirk 3</a>' in html
    assert '<a href="/schlagworte/radverkehr/">Radverkehr</a>' in html
    assert '<a href="tel:+4921189931 31"' not in html and 'href="tel:+492118993131"' in html
    assert '<link rel="canonical" href="http://localhost:8000/aktuelles/2026/11/neue-radwege-am-rheinufer/">' in html
    # The link card crop (1.91:1 around the focus point) is what Facebook and LinkedIn show of the page.
    assert re.search(r'<meta property="og:image" content="http://localhost:8000/medienportal/bilder/[0-9a-f]{16}/'
                     r'rhein-card\.jpg">', html)
    assert '<meta property="og:image:alt" content="Blick über den Rhein">' in html
    document = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
    assert document["@type"] == "NewsArticle"
    assert document["headline"] == "Neue Radwege am Rheinufer"
    assert document["datePublished"] == "2026-11-20T10:00:00+01:00"
    assert "editor" not in document and "Test Redaktion" not in html  # git authors are never named


def test_lists_archive_home_and_sitemap(site):
    site.story()
    site.story("2025/alt.md", id="aaaaaaaaaaa1", title="Ältere Meldung", date="2025-03-01 09:00",
               category="Kultur", department="Kulturamt", tags="[Museen, Radverkehr]", districts="[7]")
    site.commit("zwei", "2026-11-19 15:00")
    site.build()
    for page in ["index.html", "themen/index.html", "themen/verkehr/index.html", "themen/kultur/index.html",
                 "aemter/kulturamt/index.html", "stadtbezirke/7/index.html", "stadtbezirke/10/index.html",
                 "schlagworte/radverkehr/index.html", "archiv/index.html", "archiv/2025/index.html",
                 "archiv/2025/03/index.html", "404.html"]:
        assert (site.output / page).is_file(), page
    assert not (site.output / "themen/bildung").exists()  # empty Themen get no page
    tag_page = site.page("schlagworte/radverkehr/index.html")
    assert tag_page.index("Neue Radwege am Rheinufer") < tag_page.index("Ältere Meldung")
    home = site.page("index.html")
    assert '<h2 id="lead-heading"><a href="/aktuelles/2026/11/neue-radwege-am-rheinufer/">' in home
    index = ElementTree.fromstring(site.page("sitemap.xml"))
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    assert [loc.text for loc in index.iter(f"{namespace}loc")] == [
        "http://localhost:8000/sitemap-2025.xml", "http://localhost:8000/sitemap-2026.xml",
        "http://localhost:8000/sitemap-medien.xml", "http://localhost:8000/sitemap-seiten.xml",
        "http://localhost:8000/sitemap-termine.xml"]
    year = ElementTree.fromstring(site.page("sitemap-2026.xml"))
    entries = {u.find(f"{namespace}loc").text: getattr(u.find(f"{namespace}lastmod"), "text", None) for u in year}
    assert entries == {
        "http://localhost:8000/aktuelles/2026/11/neue-radwege-am-rheinufer/": "2026-11-20T10:00:00+01:00",
        "http://localhost:8000/archiv/2026/": None,
        "http://localhost:8000/archiv/2026/11/": "2026-11-20T10:00:00+01:00",
    }
    pages = [loc.text for loc in ElementTree.fromstring(site.page("sitemap-seiten.xml")).iter(f"{namespace}loc")]
    assert "http://localhost:8000/themen/verkehr/" in pages and "http://localhost:8000/" in pages
    assert "Sitemap: http://localhost:8000/sitemap.xml" in site.page("robots.txt")


def test_rebuild_without_change_writes_nothing(site):
    site.story(image="fotos/rhein.jpg")
    site.commit("eins", "2026-11-19 15:00")
    first = site.build()
    before = snapshot(site.output)
    second = site.build()
    assert first.written and second.written == []
    assert snapshot(site.output) == before  # same bytes, same inodes


def test_failed_build_leaves_the_last_good_site_untouched(site):
    site.story()
    site.commit("eins", "2026-11-19 15:00")
    site.build()
    before = snapshot(site.output)
    site.story("2026/kaputt.md", id="bbbbbbbbbbbb", title="Zweite Meldung", date="2026-02-30 10:00")
    with pytest.raises(ContentErrors) as caught:
        site.build()
    assert str(caught.value.errors[0]) == "content/stories/2026/kaputt.md:4: Feld „date“: Den 30.02.2026 gibt es nicht."
    assert snapshot(site.output) == before
    assert sorted(p.name for p in site.root.iterdir() if p.name.startswith(".output")) == [".output.lock"]


def test_a_crash_while_writing_leaves_the_last_good_site_untouched(site, tmp_path):
    import shutil

    from tests.support import REPO

    site.story()
    site.commit("eins", "2026-11-19 15:00")
    site.build()
    before = snapshot(site.output)
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme", theme)
    # The list pages are written after the story pages: this fails half-way through.
    (theme / "templates" / "list.html").write_text("{{ page.missing.attribute }}", encoding="utf-8")
    site.story(title="Geänderter Titel")
    with pytest.raises(Exception):
        site.build(THEME=str(theme))
    assert snapshot(site.output) == before


def test_duplicate_id_and_url_are_errors_not_overwrites(site):
    site.story()
    site.story("2026/kopie.md")  # same id, same title and month → same URL
    site.story("2026/dritte.md", id="cccccccccccc")  # other id, same URL
    with pytest.raises(ContentErrors) as caught:
        site.check()
    messages = [str(e) for e in caught.value.errors]
    assert ("content/stories/2026/radwege.md: Feld „id“: Die id „a1b2c3d4e5f6“ hat schon "
            "content/stories/2026/kopie.md. Jede Meldung braucht eine eigene id.") in messages
    assert ("content/stories/2026/radwege.md: Feld „slug“: Die Adresse /aktuelles/2026/11/neue-radwege-am-rheinufer/ "
            "hätte auch content/stories/2026/dritte.md. Bitte Titel oder „slug“ ändern.") in messages


def test_scheduled_and_draft_stories_wait(site):
    site.story()
    site.story("2026/geplant.md", id="dddddddddddd", title="Geplante Meldung", date="2026-12-03 10:00")
    site.story("2026/entwurf.md", id="eeeeeeeeeeee", title="Entwurf", status="draft")
    site.commit("drei", "2026-11-19 15:00")
    report = site.build()
    assert report.stats.items() >= {"stories": 3, "visible": 1, "drafts": 1, "scheduled": 1, "parsed": 3,
                                    "pages_rendered": 26, "pages_kept": 0}.items()
    assert not (site.output / "aktuelles/2026/12").exists()  # not even the month's index page
    assert "Geplante Meldung" not in site.page("index.html")
    site.build(BUILD_NOW="2026-12-03 10:00")
    assert "Geplante Meldung" in site.page("aktuelles/2026/12/geplante-meldung/index.html")
    assert "Geplante Meldung" in site.page("aktuelles/2026/12/index.html")
    assert not (site.output / "aktuelles/2026/11/entwurf").exists()


def test_removed_story_disappears_from_the_site(site):
    site.story()
    extra = site.story("2026/zweite.md", id="ffffffffffff", title="Zweite Meldung", tags="[Einzeln]")
    site.build()
    assert (site.output / "schlagworte/einzeln/index.html").exists()
    extra.unlink()
    report = site.build()
    assert "aktuelles/2026/11/zweite-meldung/index.html" in report.pruned
    assert not (site.output / "schlagworte/einzeln").exists()


def test_story_links_and_media_in_the_body_resolve(site):
    site.story()
    site.story("2026/verweis.md", id="bbbbbbbbbbbb", title="Folgemeldung", date="2026-11-21 10:00",
               body="Wie [berichtet](story:a1b2c3d4e5f6).\n\n![Der Rhein](media:fotos/rhein.jpg)\n")
    site.build()
    html = site.page("aktuelles/2026/11/folgemeldung/index.html")
    assert '<a href="/aktuelles/2026/11/neue-radwege-am-rheinufer/">berichtet</a>' in html
    assert '<img alt="Der Rhein" loading="lazy" src="/medien/fotos/rhein.jpg">' in html
    assert (site.output / "medien/fotos/rhein.jpg").is_file()
    assert not (site.output / "medien/fotos/rhein.jpg.yml").exists()


def test_link_to_an_unpublished_story_is_an_error(site):
    site.story(status="draft")
    site.story("2026/verweis.md", id="bbbbbbbbbbbb", title="Folgemeldung", body="Siehe [hier](story:a1b2c3d4e5f6).\n")
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert [str(e) for e in caught.value.errors] == [
        "content/stories/2026/verweis.md: Link story: „a1b2c3d4e5f6“ (content/stories/2026/radwege.md) ist bei "
        "Veröffentlichung dieser Meldung noch nicht veröffentlicht; der Link liefe ins Leere."
    ]


def test_lists_are_paginated_from_the_oldest_story(site):
    for n in range(23):
        site.story(f"2026/m{n:02d}.md", id=f"story{n:07d}x", title=f"Meldung Nummer {n}",
                   date=f"2026-10-{n + 1:02d} 10:00")
    site.build(LIST_PAGE_SIZE=10)
    first = site.page("themen/verkehr/index.html")
    oldest = site.page("themen/verkehr/seite/1/index.html")
    # 23 stories: the first page takes the newest 13, seite/1/ the oldest 10.
    assert "Meldung Nummer 22<" in first and "Meldung Nummer 10<" in first and "Meldung Nummer 9<" not in first
    assert '<a href="/themen/verkehr/seite/1/" rel="next">Ältere Meldungen</a>' in first
    assert "Meldung Nummer 9<" in oldest and "Meldung Nummer 0<" in oldest
    assert "– Meldungen vom 1. Oktober 2026 bis 10. Oktober 2026" in oldest
    assert '<a href="/themen/verkehr/">Neueste Meldungen</a>' in oldest
    assert not (site.output / "themen/verkehr/seite/2").exists()
    # A new story changes the first page only: seite/1/ keeps its stories and its bytes.
    before = (site.output / "themen/verkehr/seite/1/index.html").read_bytes()
    site.story("2026/neu.md", id="neuemeldung1", title="Neueste Meldung", date="2026-11-01 10:00")
    report = site.build(LIST_PAGE_SIZE=10)
    assert "themen/verkehr/seite/1/index.html" not in report.rendered
    assert (site.output / "themen/verkehr/seite/1/index.html").read_bytes() == before


def test_tags_that_differ_in_spelling_share_one_page(site):
    site.story(tags="[Straßenbau]")
    site.story("2026/b.md", id="bbbbbbbbbbbb", title="Zweite", tags="[Strassenbau]")
    site.story("2026/c.md", id="cccccccccccc", title="Dritte", tags="[Straßenbau]")
    site.build()
    page = site.page("schlagworte/strassenbau/index.html")
    assert "<h1>Straßenbau</h1>" in page and "3 Meldungen" in page


def test_related_stories_share_tags(site):
    site.story(tags="[Radverkehr, Rheinufer]")
    site.story("2026/b.md", id="bbbbbbbbbbbb", title="Radwegenetz wächst", tags="[Radverkehr]",
               date="2026-11-10 10:00")
    site.story("2026/c.md", id="cccccccccccc", title="Konzert im Park", tags="[Musik]", category="Kultur",
               department="Kulturamt", date="2026-11-11 10:00", districts="[8]")
    site.build()
    related = site.page(STORY).split('id="related-heading"')[1]
    assert "Radwegenetz wächst" in related and "Konzert im Park" not in related


def test_output_is_identical_whatever_order_files_were_read(site, tmp_path):
    from tests.support import Site

    other = Site(tmp_path / "other")
    for target, names in ((site, ["a.md", "b.md"]), (other, ["b.md", "a.md"])):
        target.write(f"stories/2026/{names[0]}", story_text())
        target.write(f"stories/2026/{names[1]}", story_text(id="bbbbbbbbbbbb", title="Zweite Meldung"))
        target.build()
    mine = {k: v[0] for k, v in snapshot(site.output).items()}
    theirs = {k: v[0] for k, v in snapshot(other.output).items()}
    assert mine == theirs
