"""Usage rights that end (`rechte_bis`, `ersatz` in a sidecar): the sidecar's check, the desk's
warning before the day, and on the day after a site without the photo (portal, its files in
output/, story pages, lists and feeds), an incremental build equal to a cold one."""

from __future__ import annotations

import io

import feedparser
import pytest
from PIL import Image

from newsroom.errors import ContentErrors
from tests.support import snapshot

CREDIT = '"Foto: Agentur/Test"'
BEFORE, LAST_DAY, AFTER = "2026-11-29 12:00", "2026-11-30 23:30", "2026-12-01 00:30"
STORY = "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html"
OTHER = "aktuelles/2026/11/rheinufer-ohne-bild/index.html"


def photo(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def add(site, relative: str, data: bytes, **sidecar: str) -> None:
    site.write(f"media/{relative}", data)
    site.write(f"media/{relative}.yml", "".join(f"{k}: {v}\n" for k, v in sidecar.items()))


def expiring_site(site) -> None:
    add(site, "fotos/agentur.jpg", photo((200, 60, 40)), alt="Radweg am Rhein", credit=CREDIT,
        rechte_bis="2026-11-30", ersatz="fotos/eigen.jpg", album="Rheinufer")
    add(site, "fotos/eigen.jpg", photo((20, 120, 40)), alt="Rheinufer im Herbst", credit='"Foto: Stadt/Test"')
    add(site, "fotos/leihgabe.jpg", photo((20, 20, 200)), alt="Promenade", credit=CREDIT, rechte_bis="2026-11-30",
        album="Rheinufer")
    site.story(image="fotos/agentur.jpg")
    site.story("2026/ohne-bild.md", id="b1c2d3e4f5a6", title='"Rheinufer ohne Bild"', image="fotos/leihgabe.jpg",
               date="2026-11-21 10:00")
    site.commit("Meldungen", "2026-11-21 11:00")


def outputs(folder) -> dict[str, bytes]:
    return {path: data for path, (data, _inode) in snapshot(folder).items()}


def test_on_the_day_after_the_rights_end_the_photo_leaves_the_site_and_incremental_equals_cold(site, tmp_path):
    expiring_site(site)
    site.build(BUILD_NOW=LAST_DAY)  # the last day: still shown
    assert (site.output / "medien/fotos/agentur.jpg").is_file()
    assert "fotos/agentur" in site.page("medienportal/index.html")
    assert "/medien/fotos/leihgabe.jpg" in site.page("index.html") + site.page("aktuelles/index.html")

    site.build(BUILD_NOW=AFTER)
    cold = tmp_path / "cold"
    site.build(BUILD_NOW=AFTER, OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert outputs(site.output) == outputs(cold)

    files = set(outputs(site.output))
    for gone in ("medien/fotos/agentur.jpg", "medien/fotos/leihgabe.jpg",
                 "medienportal/medien/fotos/agentur/index.html", "medienportal/medien/fotos/leihgabe/index.html"):
        assert gone not in files, gone
    assert not [p for p in files if p.startswith("medienportal/bilder/") and ("/agentur-" in p or "/leihgabe-" in p)]
    assert "medienportal/medien/fotos/eigen/index.html" in files
    # The story with a replacement shows it; the other shows no picture at all.
    story = site.page(STORY)
    assert 'alt="Rheinufer im Herbst"' in story and "Foto: Stadt/Test" in story and "agentur" not in story
    other = site.page(OTHER)
    assert 'class="lead-image"' not in other and "leihgabe" not in other and "og:image" not in other
    for page in ("index.html", "aktuelles/index.html", "medienportal/index.html"):
        assert "agentur" not in site.page(page) and "leihgabe" not in site.page(page), page
    # The feeds follow: the story's enclosure is the replacement, the other story has none, the portal's feed
    # lists neither of them.
    news = feedparser.parse((site.output / "feeds/alle/rss.xml").read_bytes())
    by_title = {entry.title: entry for entry in news.entries}
    assert [e["url"] for e in by_title["Neue Radwege am Rheinufer"].enclosures] == [
        "http://localhost:8000/medien/fotos/eigen.jpg"]
    assert by_title["Rheinufer ohne Bild"].enclosures == []
    media = (site.output / "feeds/medien/rss.xml").read_text(encoding="utf-8")
    assert "eigen" in media and "agentur" not in media and "leihgabe" not in media


def test_the_check_warns_of_rights_that_end_soon(site, caplog):
    expiring_site(site)
    result = site.check(BUILD_NOW=BEFORE, MEDIA_RIGHTS_WARN_DAYS=5)
    assert [r.getMessage() for r in caplog.records if "Nutzungsrechte" in r.getMessage()] == [
        w for w in result.warnings if "Nutzungsrechte" in w]
    assert ("Medien: Die Nutzungsrechte an fotos/agentur.jpg enden mit dem 30.11.2026 (in 1 Tag); danach zeigt "
            "die Website stattdessen fotos/eigen.jpg.") in result.warnings
    assert ("Medien: Die Nutzungsrechte an fotos/leihgabe.jpg enden mit dem 30.11.2026 (in 1 Tag); danach "
            "verschwindet das Foto aus Medienportal, Meldungen und Feeds.") in result.warnings
    assert not [w for w in site.check(BUILD_NOW="2026-11-20 12:00", MEDIA_RIGHTS_WARN_DAYS=5).warnings
                if "Nutzungsrechte" in w]
    # The desk names them at the top of its week plan.
    site.build(BUILD_NOW=BEFORE)
    desk = (site.root / "preview/desk/index.html").read_text(encoding="utf-8")
    assert '<h2 id="bildrechte">Bildrechte enden bald</h2>' in desk
    assert ("<li>Medien: Die Nutzungsrechte an fotos/agentur.jpg enden mit dem 30.11.2026 (in 1 Tag); danach zeigt "
            "die Website stattdessen fotos/eigen.jpg.</li>") in desk
    site.build(BUILD_NOW=AFTER)  # gone: nothing left to warn of
    assert "bildrechte" not in (site.root / "preview/desk/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("sidecar, expected", [
    ({"rechte_bis": "2027-03-31 18:00"},
     "content/media/fotos/x.jpg.yml:3: Feld „rechte_bis“: Erwartet wird ein Tag ohne Uhrzeit, z. B. "
     "„rechte_bis: 2027-03-31“: die Rechte enden mit dem Ende dieses Tages."),
    ({"rechte_bis": "bald"}, "content/media/fotos/x.jpg.yml:3: Feld „rechte_bis“: "),
    ({"ersatz": "fotos/rhein.jpg"},
     "content/media/fotos/x.jpg.yml:3: Feld „ersatz“: Ein Ersatzfoto gilt erst nach dem Ende der Rechte: "
     "bitte auch „rechte_bis“ angeben."),
    ({"rechte_bis": "2027-03-31", "ersatz": "fotos/fehlt.jpg"},
     "content/media/fotos/x.jpg.yml:4: Feld „ersatz“: Die Datei „fotos/fehlt.jpg“ gibt es nicht in "
     "content/media/."),
    ({"rechte_bis": "2027-03-31", "ersatz": "fotos/x.jpg"},
     "content/media/fotos/x.jpg.yml:4: Feld „ersatz“: Ein Foto kann nicht sein eigener Ersatz sein."),
])
def test_bad_rights_fields_are_german_errors_with_file_line_and_field(site, sidecar, expected):
    add(site, "fotos/x.jpg", photo((1, 2, 3)), alt="X", credit=CREDIT, **sidecar)
    with pytest.raises(ContentErrors) as caught:
        site.check()
    messages = [str(e) for e in caught.value.errors]
    assert any(m.startswith(expected) for m in messages), messages


def test_pictures_and_links_in_a_story_text_follow_the_rights_on_every_page_and_feed(site, tmp_path):
    """In the text: a picture whose rights ended shows its replacement, or is left out; a link to it
    keeps its words. Pages and feeds change the day after, as a cold build of that day has them."""
    expiring_site(site)
    site.story("2026/im-text.md", id="d4e5f6a7b8c9", title='"Bilder im Text"', date="2026-11-22 10:00",
               image=None, body="Vorher:\n\n![Radweg](media:fotos/agentur.jpg)\n\n![Promenade](media:fotos/leihgabe.jpg)"
                                "\n\nDas [Foto der Promenade](media:fotos/leihgabe.jpg) zum Herunterladen.\n")
    site.commit("Bilder im Text", "2026-11-22 11:00")
    page = "aktuelles/2026/11/bilder-im-text/index.html"
    site.build(BUILD_NOW=LAST_DAY)
    text = site.page(page)
    assert 'src="/medien/fotos/agentur.jpg"' in text and 'src="/medien/fotos/leihgabe.jpg"' in text
    assert 'href="/medien/fotos/leihgabe.jpg">Foto der Promenade</a>' in text

    site.build(BUILD_NOW=AFTER)
    text = site.page(page)
    assert 'src="/medien/fotos/eigen.jpg"' in text  # the replacement
    assert "leihgabe" not in text and "agentur.jpg" not in text
    assert "Das Foto der Promenade zum Herunterladen." in text
    feed = feedparser.parse(site.page("feeds/alle/atom.xml"))
    entry = next(e for e in feed.entries if e.link.endswith("/bilder-im-text/"))
    content = entry.content[0].value
    assert "leihgabe" not in content and "eigen.jpg" in content
    cold = tmp_path / "cold"
    site.build(BUILD_NOW=AFTER, OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert outputs(site.output) == outputs(cold)


def test_an_appointments_text_follows_the_rights_like_a_storys(site, tmp_path):
    """A press appointment's page shows the media of its text as a story does: the day after the rights
    end, the replacement or no picture, a link with its words alone; the incremental build equals a cold one."""
    expiring_site(site)
    site.appointment(body="![Radweg](media:fotos/agentur.jpg)\n\n![Promenade](media:fotos/leihgabe.jpg)\n\n"
                          "Das [Foto der Promenade](media:fotos/leihgabe.jpg) zum Herunterladen.\n")
    site.commit("Termin", "2026-11-22 11:00")
    page = "presse/termine/2026/radverkehr/index.html"
    site.build(BUILD_NOW=LAST_DAY)
    text = site.page(page)
    assert 'src="/medien/fotos/agentur.jpg"' in text and 'src="/medien/fotos/leihgabe.jpg"' in text
    assert 'href="/medien/fotos/leihgabe.jpg">Foto der Promenade</a>' in text

    report = site.build(BUILD_NOW=AFTER)
    assert page in report.rendered
    text = site.page(page)
    assert 'src="/medien/fotos/eigen.jpg"' in text  # the replacement
    assert "leihgabe" not in text and "agentur" not in text
    assert "Das Foto der Promenade zum Herunterladen." in text
    cold = tmp_path / "cold"
    site.build(BUILD_NOW=AFTER, OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert outputs(site.output) == outputs(cold)
