"""What readers see of change notes, corrections and withdrawals (newsroom/content/amendments.py):
the story page, the notice of a withdrawn story, its absence from lists, feeds, sitemap, search
and related boxes, the press feed's withdrawal entry, the 410 of a story that is gone (its marker
in the output, real nginx and Apache serving a deployed folder) and incremental builds that end
in a cold build's bytes."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from newsroom.build.runner import load_settings
from newsroom.dates import BERLIN, iso
from newsroom.deploy import deploy, open_target
from newsroom.deploy.server_config import apache_config, nginx_config
from newsroom.search.index import index_site, marked_pages
from newsroom.settings import with_defaults
from tests.support import REPO, story_text
from tests.test_feeds import parsed
from tests.test_incremental import assert_same_as_cold_build
from tests.test_server_config import APACHE_MODULES, fetch, free_port, nginx_main, tool

KEPT = "aktuelles/2026/11/ruecknahme-der-sperrung/"  # the withdrawn story of `newsroom` (a banner)
GONE = "aktuelles/2026/11/unzulaessige-angaben/"  # withdrawn with gone: true
AMENDED = "aktuelles/2026/11/neue-radwege-am-rheinufer/"
CHANGES = ("\n  - date: 2026-11-21 09:30\n    note: Die Umleitung ist ergänzt."
           "\n  - date: 2026-11-23 16:45\n    note: Neuer Termin für die Freigabe.")
CORRECTIONS = "\n  - date: 2026-11-22 08:00\n    wrong: bis Freitag\n    right: bis Sonntag"
WITHDRAWN_KEPT = dict(
    id="bbbbbbbbbbbb", title="Rücknahme der Sperrung", date="2026-11-18 10:00", status="withdrawn",
    tags="[Radverkehr, Baustellen]", channels="\n  press: true",
    withdrawal="\n  date: 2026-11-24 12:00\n  reason: Die Sperrung findet nicht statt; der Termin war falsch.")
PUBLISHED_AGAIN = dict(WITHDRAWN_KEPT, status="published", withdrawal=None)
WITHDRAWN_GONE = dict(
    id="cccccccccccc", title="Unzulässige Angaben", date="2026-11-15 10:00", status="withdrawn",
    image="fotos/rhein.jpg", body="Geheimer Absatz, der nicht mehr erscheinen darf.\n",
    withdrawal="\n  date: 2026-11-25 08:00\n  reason: Die Meldung verletzte Persönlichkeitsrechte.\n  gone: true")
GONE_PUBLISHED = dict(WITHDRAWN_GONE, status="published", withdrawal=None)
WITHDRAWN_NOT_GONE = dict(WITHDRAWN_GONE, withdrawal="\n  date: 2026-11-25 08:00\n  reason: Die Meldung war falsch.")
MARKER = "_gone/" + GONE + "index.html"  # newsroom/site.py
NOTICE = "Diese Meldung wurde am 24. November 2026 zurückgezogen: Die Sperrung findet nicht statt; der Termin war falsch."


@pytest.fixture
def newsroom(site):
    """A press release with change notes and a correction that chose the withdrawn one as related and
    links it in its text, a story withdrawn behind a banner (sent to the press), one gone, a quiet one."""
    site.story(channels="\n  press: true", changes=CHANGES, corrections=CORRECTIONS, related="[bbbbbbbbbbbb]",
               body="Wie [gemeldet](story:bbbbbbbbbbbb), wird gebaut.\n")
    site.story("2026/sperrung.md", **WITHDRAWN_KEPT)
    site.story("2026/gone.md", **WITHDRAWN_GONE)
    site.story("2026/ruhig.md", id="dddddddddddd", title="Ruhige Meldung", date="2026-11-19 10:00",
               tags="[Radverkehr]")
    site.commit("Meldungen", "2026-11-14 09:00")
    site.build()
    return site


def main_text(html: str) -> str:
    """The text of <main> as read: inline tags dropped, others a space, spaces joined."""
    main = html[html.index("<main"):html.index("</main>")]
    main = re.sub(r"</?(?:time|strong|a|span|em)\b[^>]*>", "", main)
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def html_pages(site) -> dict[str, str]:
    return {p.relative_to(site.output).as_posix(): p.read_text(encoding="utf-8")
            for p in site.output.rglob("*.html")}


def sitemap_locations(site) -> set[str]:
    found = set()
    for path in site.output.glob("sitemap-*.xml"):
        found |= {e.text for e in ET.parse(path).getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    return found


def indexed_urls(output: Path) -> set[str]:
    """The page addresses in the Pagefind index, all parts (each fragment is gzipped JSON behind a signature)."""
    urls = set()
    for fragment in (output / "pagefind").glob("*/fragment/*"):
        data = gzip.decompress(fragment.read_bytes())
        urls.add(json.loads(data[data.index(b"{"):])["url"])
    return urls


def test_change_notes_and_corrections_stand_above_the_text_newest_first(newsroom):
    html = newsroom.page(AMENDED + "index.html")
    text = main_text(html)
    correction = "Berichtigung vom 22. November 2026: Falsch war: „bis Freitag“ Richtig ist: „bis Sonntag“"
    newest = "Aktualisiert am 23. November 2026, 16:45 Uhr: Neuer Termin für die Freigabe."
    older = "Aktualisiert am 21. November 2026, 09:30 Uhr: Die Umleitung ist ergänzt."
    assert text.index(correction) < text.index(newest) < text.index(older) < text.index("Wie gemeldet")
    assert 'aria-labelledby="amendments-heading"' in html and "Berichtigungen und Aktualisierungen" in text
    # The newest note is the story's update: in the dateline, the meta tag and JSON-LD.
    noted = iso(datetime(2026, 11, 23, 16, 45, tzinfo=BERLIN))
    assert json_ld(html)["dateModified"] == noted
    assert f'<meta property="article:modified_time" content="{noted}">' in html
    assert "· Aktualisiert am" in text
    # An edit without a note stays as it was: no list above the text, no update shown.
    quiet = newsroom.page("aktuelles/2026/11/ruhige-meldung/index.html")
    assert "amendments" not in quiet and "Aktualisiert am" not in quiet
    assert json_ld(quiet)["dateModified"] == json_ld(quiet)["datePublished"]


def test_a_withdrawn_story_keeps_its_page_behind_the_notice_and_leaves_every_list(newsroom):
    html = newsroom.page(KEPT + "index.html")
    text = main_text(html)
    assert NOTICE in text and "Meldung zurückgezogen" in text
    assert text.index(NOTICE) < text.index("Die Arbeiten beginnen im Frühjahr.")  # above its text
    assert re.search(r'<section class="withdrawal-notice" aria-labelledby="withdrawal-heading">\s*'
                     r'<h2 id="withdrawal-heading">', html)  # a region named by its heading
    assert '<meta name="robots" content="noindex">' in html
    assert "data-pagefind-body" not in html
    assert "<script" not in html.replace('<script type="application/ld+json">', "")
    # Its terms are text, not links: a list only it was on has no page any more.
    assert not (newsroom.output / "schlagworte/baustellen/index.html").exists()
    assert "Baustellen" in text and 'href="/schlagworte/' not in html
    # In no list, overview count, archive, home or related box; the link in a text still leads to it.
    pages = html_pages(newsroom)
    showing = sorted(path for path, page in pages.items() if KEPT in page and path != KEPT + "index.html")
    assert showing == [AMENDED + "index.html"]
    amended = pages[AMENDED + "index.html"]
    assert f'<a href="/{KEPT}">gemeldet</a>' in amended
    related = amended[amended.index('id="related-heading"'):] if 'id="related-heading"' in amended else ""
    assert "Rücknahme der Sperrung" not in related
    assert "Rücknahme der Sperrung" not in pages["schlagworte/radverkehr/index.html"]
    assert KEPT not in pages["index.html"] and KEPT not in pages["archiv/2026/11/index.html"]
    # Neither in the sitemap nor in the search index.
    locations = sitemap_locations(newsroom)
    assert "http://localhost:8000/" + AMENDED in locations
    assert not {"http://localhost:8000/" + KEPT, "http://localhost:8000/" + GONE} & locations
    index_site(newsroom.output)
    assert f"{KEPT}index.html" not in marked_pages(newsroom.output)[0]
    urls = indexed_urls(newsroom.output)
    assert "/" + AMENDED in urls and not {"/" + KEPT, "/" + GONE} & urls
    # The gone story's marker is in neither.
    assert (newsroom.output / MARKER).is_file()
    assert not any("_gone" in u for u in urls | locations | set(marked_pages(newsroom.output)[0]))


def test_withdrawn_stories_leave_the_feeds_and_the_press_feed_announces_it(newsroom):
    feeds = parsed(newsroom)
    tag = "tag:duesseldorf.de,2022:"
    for path, feed in feeds.items():
        entries = feed["items"] if isinstance(feed, dict) else feed.entries
        ids = [e["id"] for e in entries] if isinstance(feed, dict) else [e.id for e in entries]
        assert not {tag + "story/bbbbbbbbbbbb", tag + "story/cccccccccccc"} & set(ids), path
        if not path.startswith("feeds/pressemitteilungen/"):
            assert tag + "withdrawal/bbbbbbbbbbbb" not in ids, path
    atom = feeds["feeds/pressemitteilungen/atom.xml"]
    assert [e.id for e in atom.entries] == [tag + "withdrawal/bbbbbbbbbbbb", tag + "story/a1b2c3d4e5f6"]
    retraction = atom.entries[0]
    assert retraction.title == "Rücknahme: Rücknahme der Sperrung"
    assert retraction.link == "http://localhost:8000/" + KEPT
    assert retraction.summary == "Die Sperrung findet nicht statt; der Termin war falsch."
    assert retraction.published == retraction.updated == "2026-11-24T12:00:00+01:00"
    rss = feeds["feeds/pressemitteilungen/rss.xml"]
    assert rss.entries[0].title == "Rücknahme: Rücknahme der Sperrung" and rss.entries[0].id == retraction.id
    json_feed = feeds["feeds/pressemitteilungen/feed.json"]
    assert json_feed["items"][0]["id"] == retraction.id
    assert json_feed["items"][0]["date_published"] == "2026-11-24T12:00:00+01:00"
    # The gone one never went to the press: nothing announces it there.
    assert all("Unzulässige" not in e.title for e in atom.entries)


def test_a_feed_entry_with_notes_is_updated_and_carries_them_first(newsroom):
    feeds = parsed(newsroom)
    entry = next(e for e in feeds["feeds/alle/atom.xml"].entries if e.id.endswith("story/a1b2c3d4e5f6"))
    assert entry.updated == "2026-11-23T16:45:00+01:00"
    content = entry.content[0].value
    assert content.index("Berichtigung vom 22. November 2026") < content.index("Aktualisiert am 23. November") \
        < content.index("Aktualisiert am 21. November") < content.index("Wie ")
    item = next(i for i in feeds["feeds/alle/feed.json"]["items"] if i["id"].endswith("story/a1b2c3d4e5f6"))
    assert item["date_modified"] == "2026-11-23T16:45:00+01:00"
    assert item["content_html"].startswith("<p><strong>Berichtigung vom 22. November 2026:</strong>")
    quiet = next(i for i in feeds["feeds/alle/feed.json"]["items"] if i["id"].endswith("story/dddddddddddd"))
    assert quiet["date_modified"] == quiet["date_published"] and "Aktualisiert" not in quiet["content_html"]


def test_a_gone_story_shows_only_its_title_and_notice(newsroom):
    html = newsroom.page(GONE + "index.html")
    text = main_text(html)
    assert "Unzulässige Angaben" in text
    assert "Diese Meldung wurde am 25. November 2026 zurückgezogen: Die Meldung verletzte Persönlichkeitsrechte." \
        in text
    for hidden in ("Geheimer Absatz", "Die Stadt baut zwei Kilometer", "rhein.jpg", "Kontakt für Rückfragen",
                   "Amt für Verkehrsmanagement", "application/ld+json", "og:image", "og:description"):
        assert hidden not in html, hidden
    assert '<meta name="robots" content="noindex">' in html


def test_a_gone_story_leaves_an_empty_marker_that_follows_it_and_equals_a_cold_build(newsroom, tmp_path):
    assert (newsroom.output / MARKER).read_bytes() == b""
    assert [p.relative_to(newsroom.output).as_posix() for p in (newsroom.output / "_gone").rglob("*")
            if p.is_file()] == [MARKER]  # withdrawn behind a banner: no marker

    newsroom.story("2026/gone.md", **GONE_PUBLISHED)  # published again: the marker leaves, folders too
    report = newsroom.build()
    assert GONE + "index.html" in report.rendered and MARKER in report.pruned
    assert not (newsroom.output / "_gone").exists()
    assert "Geheimer Absatz" in newsroom.page(GONE + "index.html")
    assert_same_as_cold_build(newsroom, tmp_path / "published")

    newsroom.story("2026/gone.md", **WITHDRAWN_GONE)  # gone again: back
    report = newsroom.build()
    assert {GONE + "index.html", MARKER} <= set(report.rendered)
    assert (newsroom.output / MARKER).read_bytes() == b""
    assert_same_as_cold_build(newsroom, tmp_path / "gone")
    assert newsroom.build().rendered == []  # and then nothing is left to do

    newsroom.story("2026/gone.md", **WITHDRAWN_NOT_GONE)  # still withdrawn, no longer gone
    report = newsroom.build()
    assert MARKER in report.pruned and not (newsroom.output / MARKER).exists()
    assert "Geheimer Absatz" in newsroom.page(GONE + "index.html")
    assert_same_as_cold_build(newsroom, tmp_path / "not-gone")


def test_the_server_configurations_name_no_story(newsroom):
    settings = {**load_settings(REPO / "publishconf.py"), "SERVER_TLS_CERTIFICATE": None, "SERVER_TLS_KEY": None}
    for text in (nginx_config(settings), apache_config(settings)):
        assert "aktuelles" not in text and "/_gone" in text


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    import socket

    for _attempt in range(200):
        if process.poll() is not None:
            pytest.fail(f"server did not start: {process.stdout.read().decode()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)


@contextmanager
def web_server(kind: str, root: Path, folder: Path):
    """Debian's nginx or Apache with the generated configuration, serving `root` on loopback."""
    port = free_port()
    settings = {**load_settings(REPO / "publishconf.py"), "SERVER_ROOT": str(root), "SERVER_TLS_CERTIFICATE": None,
                "SERVER_TLS_KEY": None, "SERVER_LISTEN": f"127.0.0.1:{port}"}
    if kind == "nginx":
        binary = tool("nginx")
        block = folder / "nginx.conf"
        block.write_text(nginx_config(settings), encoding="utf-8")
        command = [binary, "-c", str(nginx_main(folder, block)), "-p", str(folder)]
    else:
        binary = tool("apache2")
        host = folder / "apache.conf"
        host.write_text(apache_config(settings), encoding="utf-8")
        modules = Path("/usr/lib/apache2/modules")
        main = folder / "apache2.conf"
        main.write_text(f'ServerRoot "{folder}"\nPidFile "{folder}/apache.pid"\nErrorLog "{folder}/error.log"\n'
                        "ServerName localhost\nTypesConfig /etc/mime.types\n"
                        + "".join(f"LoadModule {m}_module {modules}/mod_{m}.so\n"
                                  for m in APACHE_MODULES if m != "ssl")
                        + f"Listen 127.0.0.1:{port}\nInclude {host}\n", encoding="utf-8")
        command = [binary, "-X", "-f", str(main)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, server)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("kind", ["nginx", "apache"])
def test_a_deploy_alone_brings_and_ends_the_410_of_a_gone_story(newsroom, tmp_path, kind):
    """The server serves a folder target's `current`; it is neither reconfigured nor reloaded."""
    www, settings = tmp_path / "www", with_defaults()
    deploy(newsroom.output, open_target(str(www), settings), settings)
    assert (www / "current" / MARKER).is_file()
    (tmp_path / "server").mkdir()
    with web_server(kind, www / "current", tmp_path / "server") as base:
        for path in (GONE, GONE + "index.html"):
            code, headers, body = fetch(base + path)
            assert code == 410, path
            assert "Die Meldung verletzte Persönlichkeitsrechte." in body.decode("utf-8")
            assert "Geheimer Absatz" not in body.decode("utf-8")
            assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert fetch(base + KEPT)[0] == 200  # withdrawn behind a banner: still there
        assert fetch(base + AMENDED)[0] == 200
        assert fetch(base + "gibt-es-nicht/")[0] == 404
        for path in ("_gone/", "_gone/" + GONE, MARKER):  # the markers are not served
            code, _headers, body = fetch(base + path)
            assert code in (403, 404), path
            assert "Seite nicht gefunden" in body.decode("utf-8")

        newsroom.story("2026/gone.md", **GONE_PUBLISHED)
        newsroom.build()
        report = deploy(newsroom.output, open_target(str(www), settings), settings)
        assert MARKER in report.deleted
        for path in (GONE, GONE + "index.html"):
            code, _headers, body = fetch(base + path)
            assert code == 200, path
            assert "Geheimer Absatz" in body.decode("utf-8")

        newsroom.story("2026/gone.md", **WITHDRAWN_GONE)  # and gone again, by the next deploy
        newsroom.build()
        deploy(newsroom.output, open_target(str(www), settings), settings)
        assert fetch(base + GONE)[0] == 410


def test_withdrawing_and_publishing_again_redraw_what_changes_and_equal_a_cold_build(newsroom, tmp_path):
    newsroom.story("2026/sperrung.md", **PUBLISHED_AGAIN)
    newsroom.build()  # from a published story …
    assert "Rücknahme der Sperrung" in newsroom.page("schlagworte/radverkehr/index.html")

    newsroom.story("2026/sperrung.md", **WITHDRAWN_KEPT)  # … to its withdrawal
    report = newsroom.build()
    rendered = set(report.rendered)
    assert {KEPT + "index.html", "index.html", "schlagworte/radverkehr/index.html", "archiv/2026/11/index.html",
            "feeds/alle/atom.xml", "feeds/pressemitteilungen/atom.xml", "sitemap-2026.xml"} <= rendered
    assert AMENDED + "index.html" in rendered  # it chose the withdrawn one as related: its box changes
    assert NOTICE in main_text(newsroom.page(KEPT + "index.html"))
    assert_same_as_cold_build(newsroom, tmp_path / "withdrawn")
    assert newsroom.build().rendered == []  # and then nothing is left to do

    newsroom.story("2026/sperrung.md", **PUBLISHED_AGAIN)
    report = newsroom.build()
    assert KEPT + "index.html" in report.rendered and "schlagworte/radverkehr/index.html" in report.rendered
    page = newsroom.page(KEPT + "index.html")
    assert "zurückgezogen" not in page and "noindex" not in page and "data-pagefind-body" in page
    assert "Rücknahme der Sperrung" in newsroom.page(AMENDED + "index.html")  # back in the related box
    assert_same_as_cold_build(newsroom, tmp_path / "published")


def test_a_new_change_note_or_correction_redraws_the_page_and_its_feeds_not_the_lists(newsroom, tmp_path):
    newsroom.story(channels="\n  press: true", related="[bbbbbbbbbbbb]", body="Wie [gemeldet](story:bbbbbbbbbbbb).\n",
                   changes=CHANGES + "\n  - date: 2026-11-25 10:00\n    note: Die Karte ist neu.",
                   corrections=CORRECTIONS)
    report = newsroom.build()
    pages = {p for p in report.rendered if not p.startswith("feeds/")}
    assert pages == {AMENDED + "index.html", "sitemap-2026.xml"}  # its lastmod follows the note
    assert {"feeds/alle/atom.xml", "feeds/pressemitteilungen/atom.xml"} <= set(report.rendered)
    assert "Die Karte ist neu." in main_text(newsroom.page(AMENDED + "index.html"))
    assert_same_as_cold_build(newsroom, tmp_path / "noted")

    newsroom.story(channels="\n  press: true", related="[bbbbbbbbbbbb]", body="Wie [gemeldet](story:bbbbbbbbbbbb).\n",
                   changes=CHANGES, corrections=CORRECTIONS + "\n  - date: 2026-11-26 09:00\n    wrong: zwei"
                   "\n    right: drei")
    report = newsroom.build()
    assert AMENDED + "index.html" in report.rendered
    assert "Berichtigung vom 26. November 2026: Falsch war: „zwei“ Richtig ist: „drei“" in \
        main_text(newsroom.page(AMENDED + "index.html"))
    assert_same_as_cold_build(newsroom, tmp_path / "corrected")


def test_a_story_text_may_link_a_withdrawn_story_and_choose_it_as_related(site):
    site.story("2026/sperrung.md", **WITHDRAWN_KEPT)
    site.write("stories/2026/neu.md", story_text(id="eeeeeeeeeeee", title="Spätere Meldung", date="2026-11-25 10:00",
                                                related="[bbbbbbbbbbbb]", body="Siehe [hier](story:bbbbbbbbbbbb).\n"))
    site.appointment(body="Zur [Meldung](story:bbbbbbbbbbbb).\n")
    site.build()  # no error: the page stays, so the link leads somewhere
    page = site.page("aktuelles/2026/11/spaetere-meldung/index.html")
    assert f'href="/{KEPT}"' in page and 'id="related-heading"' not in page
    assert f'href="/{KEPT}"' in site.page("presse/termine/2026/radverkehr/index.html")


def test_a_related_box_far_from_the_withdrawn_story_follows_it_out_and_back(site, tmp_path):
    """A story may choose one as related that shares neither its tags nor its Thema: withdrawing or
    publishing that one again still redraws the box that chose it."""
    site.story("2026/sperrung.md", **PUBLISHED_AGAIN)
    site.story("2026/museum.md", id="eeeeeeeeeeee", title="Neues im Museum", date="2026-11-25 10:00",
               category="Kultur", department="Kulturamt", districts="[7]", tags="[Museen]", related="[bbbbbbbbbbbb]")
    site.build()
    museum = "aktuelles/2026/11/neues-im-museum/index.html"
    assert "Rücknahme der Sperrung" in site.page(museum)
    site.story("2026/sperrung.md", **WITHDRAWN_KEPT)
    assert museum in site.build().rendered
    assert "Rücknahme der Sperrung" not in site.page(museum)
    assert_same_as_cold_build(site, tmp_path / "withdrawn")
    site.story("2026/sperrung.md", **PUBLISHED_AGAIN)
    assert museum in site.build().rendered
    assert "Rücknahme der Sperrung" in site.page(museum)
    assert_same_as_cold_build(site, tmp_path / "published")
