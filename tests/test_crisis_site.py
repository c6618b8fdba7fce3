"""The crisis on the site, in real builds: a banner in every page without drawing them again,
the emergency page and the home page while it is active, and, once it ends, the very bytes of
before. Each incremental result equals a cold build's."""

from __future__ import annotations

import pytest

from newsroom.crisis.region import END, START
from newsroom.errors import ContentErrors
from newsroom.search.index import marked_pages
from tests.support import Site, invoke, project_copy, snapshot, story_text
from tests.test_crisis_reader import GOOD
from tests.test_incremental import bytes_of

ON = GOOD + "story: a1b2c3d4e5f6\n"  # active at the tests' BUILD_NOW, 2026-11-26 12:00
UPDATED = ON.replace("updates:\n", "updates:\n  - date: 2026-11-26 11:50\n    text: \"Die Fähre fährt nicht.\"\n")
ENDED = GOOD.replace("end: 2026-11-27 18:00", "end: 2026-11-26 11:45")
BANNER = b'<section class="krise krise--warnung" lang="de" role="region" aria-labelledby="krise-titel" ' \
         b'data-pagefind-ignore="all">'


@pytest.fixture
def city(site):
    """Two stories, the static pages, a photo: a small site, built once without a crisis."""
    site.story()
    site.story("2026/kultur.md", id="b2c3d4e5f6a7", title="Lange Nacht der Museen", category="Kultur",
               department="Kulturamt", date="2026-11-21 10:00", tags="[Museen]")
    site.write("pages/kontakt.md", "---\ntitle: Kontakt\n---\nSo erreichen Sie uns.\n")
    site.commit("Meldungen", "2026-11-20 09:00")
    site.build()
    return site


def pages_drawn(report) -> list[str]:
    """What the build drew besides the CAP documents (krise/cap.xml, krise/cap/: the CAP feed's, by version)."""
    return [path for path in report.rendered if not path.startswith("krise/cap")]


def site_bytes(site) -> dict[str, bytes]:
    """Every file but the CAP feed, which keeps the city's alerts (and the all-clear) after the crisis."""
    return {path: data for path, data in bytes_of(site.output).items() if not path.startswith("krise/cap")}


def html_pages(site) -> dict[str, bytes]:
    return {path: data for path, data in bytes_of(site.output).items() if path.endswith(".html")}


def assert_same_as_cold_build(site, tmp_path, name: str):
    cold = tmp_path / f"cold-{name}"
    site.build(OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / f"cold-cache-{name}"))
    assert bytes_of(site.output) == bytes_of(cold)


def test_a_crisis_reaches_every_page_without_drawing_them_and_its_end_gives_the_bytes_of_before(city, tmp_path):
    before = site_bytes(city)
    search_before = marked_pages(city.output)
    with_region = {path for path, data in html_pages(city).items() if START + END in data}
    assert len(with_region) >= 40 and "index.html" in with_region

    city.write("krise.yml", ON)
    report = city.build()
    pages = html_pages(city)
    assert {path for path, data in pages.items() if BANNER in data} == with_region | {"krise/index.html"}
    # Drawn: only the home page (it leads with the crisis) and the emergency page; the others were refilled.
    assert pages_drawn(report) == ["index.html", "krise/index.html"]
    assert len(report.refilled) > 30 and not set(report.refilled) & set(report.rendered)
    # Besides: the few pages every build renders anyway (writer.write: static pages, 404).
    assert set(report.written) - set(report.rendered) - set(report.refilled) == {"404.html", "kontakt/index.html"}
    assert "suche/index.html" in report.refilled and "en/search/index.html" in report.refilled
    home = pages["index.html"].decode()
    assert home.index('class="krise-start krise-start--warnung"') < home.index('class="lead-story"')
    assert "Aktualisiert: <time datetime=\"2026-11-26T11:30:00+01:00\">26. November 2026, 11:30 Uhr</time>" in home
    emergency = pages["krise/index.html"].decode()
    assert emergency.index("Die Oberkasseler Brücke ist gesperrt.") < emergency.index("Der Pegel liegt bei 7,80 m.")
    assert '<a href="tel:112">112</a>' in emergency and '<a href="tel:110">110</a>' in emergency
    assert "Bürgertelefon" not in emergency  # none configured: no number is made up
    assert 'href="/krise/cap.xml"' in emergency and 'href="/aktuelles/2026/11/neue-radwege-am-rheinufer/"' in emergency
    sitemaps = [data for path, data in bytes_of(city.output).items() if path.startswith("sitemap")]
    assert sitemaps and not any(b"/krise/" in data for data in sitemaps)  # temporary: never in the sitemap
    assert marked_pages(city.output) == search_before  # the banner is never indexed: no new index
    assert_same_as_cold_build(city, tmp_path, "on")

    city.write("krise.yml", UPDATED)
    report = city.build()
    assert pages_drawn(report) == ["index.html", "krise/index.html"] and len(report.refilled) > 30
    story = city.page("aktuelles/2026/11/neue-radwege-am-rheinufer/index.html")
    assert "11:50 Uhr</time></strong> – Die Fähre fährt nicht." in story
    assert_same_as_cold_build(city, tmp_path, "update")

    city.write("krise.yml", ENDED)  # ended before now: as before, byte for byte
    report = city.build()
    assert site_bytes(city) == before
    assert pages_drawn(report) == ["index.html"] and "krise/index.html" in report.pruned
    assert marked_pages(city.output) == search_before
    assert_same_as_cold_build(city, tmp_path, "ended")

    city.write("krise.yml", UPDATED)
    city.build()
    (city.content / "krise.yml").unlink()  # deleted: as before too
    city.build()
    assert site_bytes(city) == before


def test_nothing_is_drawn_or_written_again_when_the_crisis_did_not_change(city):
    city.write("krise.yml", ON)
    city.build()
    live = snapshot(city.output)
    report = city.build()
    assert report.rendered == [] and report.refilled == [] and report.written == []
    assert snapshot(city.output) == live  # same bytes, same inodes


def test_a_crisis_not_yet_begun_shows_nowhere(city):
    before = site_bytes(city)
    city.write("krise.yml", ON.replace("start: 2026-11-26 10:00", "start: 2026-11-26 12:30")
               .replace("2026-11-26 11:30", "2026-11-26 12:40").replace("2026-11-26 10:45", "2026-11-26 12:45"))
    report = city.build()
    assert site_bytes(city) == before and pages_drawn(report) == []
    assert [p for p in report.written if not p.startswith("krise/cap")] == []


def test_levels_and_the_citys_own_number(city, tmp_path):
    city.write("krise.yml", ON.replace("level: Warnung", "level: Gefahr"))
    city.build(CRISIS_PHONE="0211 89-91515")
    page = city.page("kontakt/index.html")
    assert 'class="krise krise--gefahr"' in page and '<span class="krise-stufe">Gefahr:</span>' in page
    assert '<a href="tel:+492118991515">0211 89-91515</a>' in city.page("krise/index.html")


def test_a_bad_crisis_file_leaves_the_site_with_its_banner_as_it_was(city):
    city.write("krise.yml", ON)
    city.build()
    live = snapshot(city.output)
    city.write("krise.yml", UPDATED.replace("  - date: 2026-11-26 11:50", "  - date: 2026-11-26 09:50"))
    with pytest.raises(ContentErrors) as caught:
        city.build()
    assert [str(e) for e in caught.value.errors] == [
        "content/krise.yml:11: Feld „updates[1].date“: Die Aktualisierung (26.11.2026 09:50) liegt vor dem Beginn der "
        "Lage (26.11.2026 10:00)."]
    assert snapshot(city.output) == live


def test_invoke_build_stops_on_a_bad_crisis_file_with_a_german_message(tmp_path):
    project = project_copy(tmp_path / "project")
    Site(project)
    (project / "content/stories/2026").mkdir(parents=True, exist_ok=True)
    (project / "content/stories/2026/gut.md").write_text(story_text(), encoding="utf-8")
    (project / "content/krise.yml").write_text(ON, encoding="utf-8")
    assert invoke(project, "build", "--now", "2026-11-26 12:00").returncode == 0
    before = snapshot(project / "output")
    (project / "content/krise.yml").write_text(ON.replace("level: Warnung", "level: Alarm"), encoding="utf-8")
    result = invoke(project, "build", "--now", "2026-11-26 12:00")
    assert result.returncode == 1
    assert "FEHLER content/krise.yml:2: Feld „level“: „Alarm“ ist nicht erlaubt. Erlaubt: Information, Warnung, " \
           "Gefahr." in result.stderr
    assert snapshot(project / "output") == before


def test_the_banner_pass_forked_on_two_workers_gives_the_same_bytes(city, tmp_path, monkeypatch):
    import newsroom.build.output

    monkeypatch.setattr(newsroom.build.output, "REFILL_PARALLEL", 2)  # forked from two kept pages on
    city.write("krise.yml", ON)
    report = city.build(BUILD_WORKERS=2)
    assert pages_drawn(report) == ["index.html", "krise/index.html"] and len(report.refilled) > 30
    assert all(BANNER in data for path, data in html_pages(city).items() if START in data)
    assert_same_as_cold_build(city, tmp_path, "forked")
