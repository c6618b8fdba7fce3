"""Feeds as a real feed client reads them: every generated feed is parsed with feedparser
(RSS, Atom) or json (JSON Feed), after real builds of real git repositories."""

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

import feedparser
import pytest

from newsroom.content.frontmatter import FORBIDDEN_CHARACTERS
from newsroom.dates import BERLIN
from newsroom.errors import ConfigurationError
from newsroom.feeds.formats import FeedInfo, FeedItem, render
from tests.support import PHOTO, REPO, snapshot

SITE = "http://localhost:8000/"
TAG = "tag:duesseldorf.de,2022:story/"
FORMATS = ("rss.xml", "atom.xml", "feed.json")
RADWEGE = "a1b2c3d4e5f6"  # the default story of tests.support
LINKS = re.compile(r'(?:href|src)="([^"]*)"')
DATES = re.compile(r'<(?:updated|published)>([^<]+)<|"date_(?:published|modified)": "([^"]+)"')
RFC_DATES = re.compile(r"<(?:pubDate|lastBuildDate)>([^<]+)<")


def parsed(site) -> dict[str, object]:
    """Every feed file of the output: XML through feedparser, JSON Feed through json."""
    feeds = {}
    for path in sorted((site.output / "feeds").rglob("*")):
        if path.suffix == ".xml":
            feeds[path.relative_to(site.output).as_posix()] = feedparser.parse(path.read_bytes())
        elif path.suffix == ".json":
            feeds[path.relative_to(site.output).as_posix()] = json.loads(path.read_text(encoding="utf-8"))
    return feeds


def is_json(feed) -> bool:
    return not isinstance(feed, feedparser.FeedParserDict)


def ids(feed) -> list[str]:
    return [item["id"] for item in feed["items"]] if is_json(feed) else [e.id for e in feed.entries]


def feed_files(site) -> dict[str, bytes]:
    return {p: data for p, (data, _inode) in snapshot(site.output).items()
            if p.startswith("feeds/") and not p.endswith(".html")}


@pytest.fixture
def newsroom(site):
    """Four published stories (one press release with a lead image and links of every
    kind), a draft and a scheduled one, committed before their publication."""
    site.story("2026/alt.md", id="bbbbbbbbbbbb", title="Ältere Meldung zur Kultur", date="2026-10-01 09:00",
               category="Kultur", department="Kulturamt", districts="[7]", tags="[Museen]")
    site.story(image="fotos/rhein.jpg", channels="\n  press: true",
               body="Wie [berichtet](story:bbbbbbbbbbbb), siehe [Kontakt](/kontakt/), den [Plan](media:fotos/rhein.jpg)"
                    " und [unten](#ablauf).\n\n## Ablauf\n\n![Blick über den Rhein](media:fotos/rhein.jpg)\n\n"
                    "Fußnote[^1] und [extern](https://www.example.org/a?b=1&c=2).\n\n[^1]: Mit Anmerkung.\n")
    site.story("2026/schule.md", id="cccccccccccc", title="Neue Mensa für die Gesamtschule",
               date="2026-11-10 08:30", category="Bildung", department="Schulverwaltungsamt", districts="[]",
               tags="[Schule]", channels="\n  press: true\n  mastodon: true")
    site.story("2025/sommer.md", id="dddddddddddd", title="Sommerfest im Volksgarten", date="2025-07-01 12:00",
               category="Kultur", department="Kulturamt", districts="[3]", tags="[Feste]")
    site.story("2026/entwurf.md", id="eeeeeeeeeeee", title="Noch ein Entwurf", status="draft",
               date="2026-11-01 10:00")
    site.story("2026/geplant.md", id="ffffffffffff", title="Geplante Meldung", date="2026-12-03 10:00",
               channels="\n  press: true")
    site.commit("Meldungen", "2026-09-30 09:00")
    site.build()
    return site


def test_every_feed_parses_without_error_and_links_are_absolute(newsroom):
    feeds = parsed(newsroom)
    keys = {path.rsplit("/", 1)[0] for path in feeds}
    assert {"feeds/alle", "feeds/pressemitteilungen", "feeds/themen/verkehr", "feeds/themen/kultur",
            "feeds/themen/bildung", "feeds/aemter/kulturamt", "feeds/stadtbezirke/1",
            "feeds/stadtbezirke/10"} <= keys
    assert "feeds/themen/umwelt-klima" not in keys  # no story, no list page, no feed
    assert all(f"{key}/{name}" in feeds for key in keys for name in FORMATS)
    for path, feed in feeds.items():
        if is_json(feed):
            assert feed["version"] == "https://jsonfeed.org/version/1.1"
            assert feed["feed_url"] == SITE + path
            links = [feed["home_page_url"], *(i["url"] for i in feed["items"]),
                     *(a["url"] for i in feed["items"] for a in i.get("attachments", ())),
                     *(m for i in feed["items"] for m in LINKS.findall(i["content_html"]))]
        else:
            assert feed.bozo == 0, (path, feed.get("bozo_exception"))
            assert feed.version in ("rss20", "atom10")
            assert any(link.href == SITE + path and link.rel == "self" for link in feed.feed.links)
            links = [feed.feed.link, *(link.href for e in feed.entries for link in e.links),
                     *(m for e in feed.entries for m in LINKS.findall(e.content[0].value))]
        assert links and all(link.startswith((SITE, "https://www.example.org/")) for link in links), (path, links)
    atom = feeds["feeds/alle/atom.xml"]
    body = next(e for e in atom.entries if e.id == TAG + RADWEGE).content[0].value
    assert 'href="http://localhost:8000/aktuelles/2026/10/aeltere-meldung-zur-kultur/"' in body  # story:
    assert 'href="http://localhost:8000/kontakt/"' in body  # root-relative
    assert 'href="http://localhost:8000/aktuelles/2026/11/neue-radwege-am-rheinufer/#ablauf"' in body
    assert 'src="http://localhost:8000/medien/fotos/rhein.jpg"' in body  # media:
    assert 'href="https://www.example.org/a?b=1&amp;c=2"' in body


def test_entries_carry_everything_a_reader_shows(newsroom):
    feeds = parsed(newsroom)
    for name in ("rss.xml", "atom.xml"):
        entry = next(e for e in feeds[f"feeds/alle/{name}"].entries if e.id == TAG + RADWEGE)
        assert entry.title == "Neue Radwege am Rheinufer"
        assert entry.link == SITE + "aktuelles/2026/11/neue-radwege-am-rheinufer/"
        assert entry.published_parsed[:5] == (2026, 11, 20, 9, 0)  # 10:00 in Berlin
        assert entry.author == "Amt für Verkehrsmanagement"
        assert [t.term for t in entry.tags] == ["Verkehr", "Stadtbezirk 1", "Stadtbezirk 3", "Radverkehr",
                                                "Rheinufer"]
        assert entry.summary == "Die Stadt baut zwei Kilometer Radweg entlang des Rheinufers."
        assert "<h2" in entry.content[0].value and "Mit Anmerkung." in entry.content[0].value
        # The original as handed out, with its credit embedded (newsroom/media/originals.py)
        size = str((newsroom.output / "medien/fotos/rhein.jpg").stat().st_size)
        assert entry.enclosures == [{"href": SITE + "medien/fotos/rhein.jpg", "length": size, "type": "image/jpeg"}]
        assert entry.media_content[0]["filesize"] == size
    raw = newsroom.page("feeds/alle/atom.xml")
    assert "<published>2026-11-20T10:00:00+01:00</published>" in raw
    assert '<link href="http://localhost:8000/medien/fotos/rhein.jpg" rel="enclosure" type="image/jpeg" ' \
           f'length="{size}"/>' in raw
    assert f'<id>{TAG}{RADWEGE}</id>' in raw
    rss = newsroom.page("feeds/alle/rss.xml")
    assert f'<guid isPermaLink="false">{TAG}{RADWEGE}</guid>' in rss
    assert "<pubDate>Fri, 20 Nov 2026 10:00:00 +0100</pubDate>" in rss
    item = next(i for i in parsed(newsroom)["feeds/alle/feed.json"]["items"] if i["id"] == TAG + RADWEGE)
    assert item["date_published"] == "2026-11-20T10:00:00+01:00"
    assert item["attachments"] == [{"url": SITE + "medien/fotos/rhein.jpg", "mime_type": "image/jpeg",
                                    "size_in_bytes": int(size)}]


def test_summary_only_when_full_content_is_off(newsroom):
    newsroom.build(FEED_FULL_CONTENT=False)
    for name in ("rss.xml", "atom.xml"):
        for entry in parsed(newsroom)[f"feeds/alle/{name}"].entries:
            assert "content" not in entry and entry.summary
    items = parsed(newsroom)["feeds/alle/feed.json"]["items"]
    assert all("content_html" not in i and i["content_text"] == i["summary"] for i in items)


class _Shown(HTMLParser):
    """A text as a reader's HTML view shows it: its elements and its text."""

    def __init__(self, html: str):
        super().__init__()
        self.elements, self.parts = [], []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append(tag)

    def handle_data(self, data):
        self.parts.append(data)


def shown(detail) -> str:
    """What a reader shows of a feedparser text field; markup taken as HTML must hold no element."""
    if detail.type == "text/html":  # feedparser takes RSS titles and descriptions as HTML
        view = _Shown(detail.value)
        assert not view.elements, detail.value
        return "".join(view.parts)
    return detail.value


MARKUP = "Sieh <img src=x onerror=alert(1)> & <b>fett</b> &amp;"


def test_markup_in_titles_summaries_and_captions_arrives_as_text_in_every_feed(site):
    site.story(title=f'"{MARKUP}"', summary=f'"{MARKUP}"', slug="markup")
    site.write("media/fotos/markt.jpg", PHOTO + b"markt")  # other bytes than rhein.jpg: drawn apart
    site.write("media/fotos/markt.jpg.yml", f'title: "{MARKUP}"\nalt: "Markt <i>x</i>"\ncaption: "{MARKUP}"\n'
                                            'credit: "Foto: <script>alert(1)</script>"\n')
    site.build(FEED_FULL_CONTENT=False)
    feeds = parsed(site)
    for key in ("feeds/alle", "feeds/medien"):
        for name in ("rss.xml", "atom.xml"):
            feed = feeds[f"{key}/{name}"]
            assert feed.bozo == 0
            entry = next(e for e in feed.entries if MARKUP in e.title or "&lt;img" in e.title)
            assert shown(entry.title_detail) == MARKUP, (key, name)
            assert shown(entry.summary_detail) == MARKUP, (key, name)
        items = feeds[f"{key}/feed.json"]["items"]
        item = next(i for i in items if i["title"] == MARKUP)
        assert item["summary"] == MARKUP and item.get("content_text", MARKUP) == MARKUP
    media = next(e for e in feeds["feeds/medien/rss.xml"].entries if e.id.endswith("media/fotos/markt.jpg"))
    assert media.media_credit[0]["content"] == "Foto: <script>alert(1)</script>"  # type plain: text
    assert "<script>" not in media.content[0].value and "&lt;script&gt;" in media.content[0].value


def test_drafts_and_scheduled_stories_are_never_in_a_feed(newsroom):
    every_id = {i for path, feed in parsed(newsroom).items() if "/medien/" not in path for i in ids(feed)}
    assert every_id == {TAG + i for i in (RADWEGE, "bbbbbbbbbbbb", "cccccccccccc", "dddddddddddd")}
    newsroom.build(BUILD_NOW="2026-12-03 10:00")  # the scheduled story's time has come
    feeds = parsed(newsroom)
    assert ids(feeds["feeds/pressemitteilungen/atom.xml"])[0] == TAG + "ffffffffffff"
    assert TAG + "eeeeeeeeeeee" not in {i for feed in feeds.values() for i in ids(feed)}


def test_press_feed_holds_only_stories_sent_to_the_press(newsroom):
    feeds = parsed(newsroom)
    expected = [TAG + RADWEGE, TAG + "cccccccccccc"]
    for name in FORMATS:
        assert ids(feeds[f"feeds/pressemitteilungen/{name}"]) == expected
    title = feeds["feeds/pressemitteilungen/atom.xml"].feed.title
    assert title == "Landeshauptstadt Düsseldorf – Pressemitteilungen"


def test_entry_ids_survive_a_title_edit(newsroom):
    before = parsed(newsroom)
    path = newsroom.content / "stories/2026/radwege.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Neue Radwege am Rheinufer",
                                                             "title: Zwei Kilometer neue Radwege"), encoding="utf-8")
    newsroom.commit("Titel", "2026-11-21 09:00")
    newsroom.build()
    after = parsed(newsroom)
    assert after.keys() == before.keys()
    for path, feed in after.items():
        assert ids(feed) == ids(before[path]), path
    entry = next(e for e in after["feeds/alle/atom.xml"].entries if e.id == TAG + RADWEGE)
    assert entry.title == "Zwei Kilometer neue Radwege"
    assert entry.link == SITE + "aktuelles/2026/11/zwei-kilometer-neue-radwege/"
    # Changed after publication: "updated" is the commit's time, the feed's own date follows.
    assert entry.updated == "2026-11-21T09:00:00+01:00" and entry.published == "2026-11-20T10:00:00+01:00"
    assert after["feeds/alle/atom.xml"].feed.updated == "2026-11-21T09:00:00+01:00"


def test_entry_ids_survive_a_deliberate_id_change(newsroom):
    """A story renamed the way `invoke rename-id` does keeps its first id as the entry id, so a
    feed reader sees the same story, not a new one."""
    before = parsed(newsroom)
    path = newsroom.content / "stories/2026/radwege.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        f"id: {RADWEGE}", f"id: radwege-rheinufer\nformer_ids: [{RADWEGE}]"), encoding="utf-8")
    newsroom.commit("Kennung", "2026-11-21 09:00")
    newsroom.build()
    after = parsed(newsroom)
    for path, feed in after.items():
        assert ids(feed) == ids(before[path]), path
    assert TAG + RADWEGE in ids(after["feeds/alle/atom.xml"])


def test_updated_follows_git_even_when_the_text_is_unchanged(newsroom):
    path = newsroom.content / "stories/2026/radwege.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nNachtrag zur Sperrung.\n", encoding="utf-8")
    newsroom.build()  # previewed before it is committed: no update yet
    entry = next(e for e in parsed(newsroom)["feeds/alle/atom.xml"].entries if e.id == TAG + RADWEGE)
    assert entry.updated == entry.published == "2026-11-20T10:00:00+01:00"
    newsroom.commit("Nachtrag", "2026-11-22 14:00")  # the same text, now committed after publication
    report = newsroom.build()
    assert "feeds/alle/atom.xml" in report.rendered
    entry = next(e for e in parsed(newsroom)["feeds/alle/atom.xml"].entries if e.id == TAG + RADWEGE)
    assert entry.updated == "2026-11-22T14:00:00+01:00"


def test_count_limit_and_newest_first(site):
    for n in range(7):
        site.story(f"2026/m{n}.md", id=f"meldung{n:05d}", title=f"Meldung {n}", date=f"2026-11-{n + 1:02d} 10:00",
                   districts="[2]")
    site.story("2026/gleichzeitig.md", id="meldung99999", title="Gleichzeitig", date="2026-11-07 10:00",
               districts="[2]")
    site.commit("acht", "2026-10-01 09:00")
    site.build(FEED_ENTRIES=3)
    feeds = parsed(site)
    for path, feed in feeds.items():
        assert len(ids(feed)) <= 3, path
    expected = [TAG + "meldung99999", TAG + "meldung00006", TAG + "meldung00005"]  # same time: higher id first
    for name in FORMATS:
        assert ids(feeds[f"feeds/alle/{name}"]) == expected
        assert ids(feeds[f"feeds/stadtbezirke/2/{name}"]) == expected
    dates = [e.published_parsed for e in feeds["feeds/alle/rss.xml"].entries]
    assert dates == sorted(dates, reverse=True)


def test_a_feed_without_entries_is_valid_and_dated_without_a_clock(newsroom):
    feed = parsed(newsroom)["feeds/stadtbezirke/10/atom.xml"]
    assert feed.bozo == 0 and feed.entries == []
    assert feed.feed.updated == "2022-01-01T00:00:00+01:00"  # FEED_ID_DATE, not the build's time


def test_rebuild_is_byte_identical_and_no_build_time_is_inside(newsroom, tmp_path):
    before = snapshot(newsroom.output)
    report = newsroom.build()
    assert report.written == [] and report.rendered == []
    assert snapshot(newsroom.output) == before
    # A cold build at another moment (same stories visible) writes the very same feeds.
    other = tmp_path / "other"
    newsroom.build(OUTPUT_PATH=str(other), CACHE_PATH=str(tmp_path / "other-cache"), BUILD_NOW="2026-12-02 23:00")
    theirs = {p: data for p, data in feed_files(newsroom).items()}
    assert theirs == {p: (other / p).read_bytes() for p in theirs}
    # Every date inside comes from the content (publication times; the commit that added the undated
    # rhein.jpg, for the media feed; the fixed date of an empty feed).
    allowed = {datetime(*moment, tzinfo=BERLIN) for moment in [
        (2026, 10, 1, 9), (2026, 11, 20, 10), (2026, 11, 10, 8, 30), (2025, 7, 1, 12), (2026, 9, 30, 10),
        (2022, 1, 1)]}
    for path, data in theirs.items():
        text = data.decode("utf-8")
        found = [datetime.fromisoformat(a or b) for a, b in DATES.findall(text)]
        found += [parsedate_to_datetime(v) for v in RFC_DATES.findall(text)]
        assert set(found) <= allowed, (path, set(found) - allowed)
        assert found or path.endswith(".json"), path  # an empty JSON Feed has no date at all


THEMEN = [("Verkehr", "Amt für Verkehrsmanagement"), ("Kultur", "Kulturamt"), ("Bildung", "Schulverwaltungsamt")]


@pytest.fixture
def archive(site):
    """24 stories, twelve days apart (story 23 is the newest), every fourth a press release;
    the first ten in no Stadtbezirk. Built with five entries per feed."""
    for n in range(24):
        thema, amt = THEMEN[n % 3]
        date = datetime(2026, 1, 1, 10, 0) + timedelta(days=12 * n)
        site.story(f"2026/m{n:02d}.md", id=f"story{n:07d}x", title=f"Meldung Nummer {n}",
                   date=f"{date:%Y-%m-%d %H:%M}", category=thema, department=amt,
                   districts=f"[{1 + n % 10}]" if n >= 10 else "[]",
                   channels="\n  press: true" if n % 4 == 0 else None)
    site.commit("Archiv", "2026-01-01 09:00")
    site.build(FEED_ENTRIES=5)
    return site


def rendered_feeds(report) -> set[str]:
    return {p for p in report.rendered if p.startswith("feeds/") and not p.endswith("index.html")}


def containing(site, story_id: str) -> set[str]:
    return {path for path, feed in parsed(site).items() if TAG + story_id in ids(feed)}


def test_a_one_story_edit_redraws_only_the_feeds_that_contain_it(archive, tmp_path):
    # Story 23: the newest; Bildung, Schulverwaltungsamt, Stadtbezirk 4, no press release.
    assert containing(archive, "story0000023x") == {
        f"feeds/{key}/{name}" for key in ("alle", "themen/bildung", "aemter/schulverwaltungsamt",
                                         "stadtbezirke/4") for name in FORMATS}
    path = archive.content / "stories/2026/m23.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")
    report = archive.build(FEED_ENTRIES=5)
    assert rendered_feeds(report) == containing(archive, "story0000023x")
    assert len(rendered_feeds(report)) == 12
    assert "Ein neuer Absatz." in archive.page("feeds/themen/bildung/atom.xml")
    # The same bytes as a build from nothing.
    cold = tmp_path / "cold"
    archive.build(FEED_ENTRIES=5, OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert feed_files(archive) == {p: (cold / p).read_bytes() for p in feed_files(archive)}


def test_an_edit_of_a_story_in_no_feed_redraws_no_feed(archive):
    assert containing(archive, "story0000000x") == set()  # the oldest: in none of the five newest
    path = archive.content / "stories/2026/m00.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nNachtrag.\n", encoding="utf-8")
    report = archive.build(FEED_ENTRIES=5)
    assert report.rendered == ["aktuelles/2026/01/meldung-nummer-0/index.html"]
    assert rendered_feeds(report) == set()


def test_a_press_release_added_redraws_the_press_feed(archive):
    archive.story("2026/neu.md", id="neuemeldung1", title="Ganz neue Meldung", date="2026-11-25 10:00",
                  category="Kultur", department="Kulturamt", districts="[6]", channels="\n  press: true")
    report = archive.build(FEED_ENTRIES=5)
    assert rendered_feeds(report) == {f"feeds/{key}/{name}" for key in (
        "alle", "pressemitteilungen", "themen/kultur", "aemter/kulturamt", "stadtbezirke/6") for name in FORMATS}
    assert ids(parsed(archive)["feeds/pressemitteilungen/feed.json"])[0] == TAG + "neuemeldung1"


def test_every_page_announces_its_feeds(newsroom):
    home = newsroom.page("index.html")
    announced = re.findall(r'<link rel="alternate" type="([^"]+)" title="([^"]+)" href="([^"]+)">', home)
    assert announced == [
        ("application/rss+xml", "Alle Meldungen (RSS)", SITE + "feeds/alle/rss.xml"),
        ("application/atom+xml", "Alle Meldungen (Atom)", SITE + "feeds/alle/atom.xml"),
        ("application/rss+xml", "Pressemitteilungen (RSS)", SITE + "feeds/pressemitteilungen/rss.xml"),
        ("application/atom+xml", "Pressemitteilungen (Atom)", SITE + "feeds/pressemitteilungen/atom.xml"),
    ]
    for page, title, key in [("themen/kultur/index.html", "Thema Kultur", "themen/kultur"),
                             ("aemter/kulturamt/index.html", "Kulturamt", "aemter/kulturamt"),
                             ("stadtbezirke/10/index.html", "Stadtbezirk 10", "stadtbezirke/10")]:
        html = newsroom.page(page)
        assert f'<link rel="alternate" type="application/rss+xml" title="{title} (RSS)" ' \
               f'href="{SITE}feeds/{key}/rss.xml">' in html
        assert f'title="{title} (Atom)" href="{SITE}feeds/{key}/atom.xml">' in html
    story = newsroom.page("aktuelles/2026/11/neue-radwege-am-rheinufer/index.html")
    assert 'href="http://localhost:8000/feeds/alle/rss.xml"' in story and "feeds/themen/" not in story
    for html in (home, story, newsroom.page("404.html"), newsroom.page("themen/kultur/index.html")):
        for href in re.findall(r'<link rel="alternate" [^>]*href="http://localhost:8000/([^"]+)"', html):
            assert (newsroom.output / href).is_file(), href


def test_the_feeds_page_lists_every_feed_and_is_linked_from_the_footer(newsroom):
    html = newsroom.page("feeds/index.html")
    assert "<h1 data-pagefind-ignore>RSS-Feeds</h1>" in html and "Pressemitteilungen" in html
    listed = set(re.findall(r'href="/(feeds/[^"]+)"', html))
    assert listed == {p for p in parsed(newsroom)}
    assert '<a href="/feeds/">RSS-Feeds</a>' in newsroom.page("index.html")
    assert "http://localhost:8000/feeds/" in newsroom.page("sitemap-seiten.xml")


def test_a_media_portal_feed_needs_its_plugin(newsroom):
    from newsroom.build.runner import load_settings

    # In a process of its own: a plugin once loaded stays connected to Pelican's signals.
    plugins = [p for p in load_settings(REPO / "pelicanconf.py")["PLUGINS"] if p != "plugins.media_portal"]
    overrides = newsroom.overrides(FEED_MEDIA_PORTAL="medien", PLUGINS=plugins)
    code = f"from newsroom.build.runner import build; build({str(REPO / 'pelicanconf.py')!r}, {overrides!r})"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode != 0
    assert ("ConfigurationError: FEED_MEDIA_PORTAL = „medien“, aber kein Plugin liefert diesen Feed "
            "(das Medienportal-Plugin muss in PLUGINS stehen).") in result.stderr


@pytest.mark.parametrize("setting, expected", [
    ({"FEED_ENTRIES": 0}, "FEED_ENTRIES: „0“ ist keine ganze Zahl ab 1."),
    ({"FEED_FORMATS": ["rss", "rdf"]}, "FEED_FORMATS: unbekanntes Format rdf (möglich: rss, atom, json)."),
])
def test_feed_settings_are_checked(newsroom, setting, expected):
    with pytest.raises(ConfigurationError) as caught:
        newsroom.build(**setting)
    assert str(caught.value) == expected


def test_the_feed_writer_cannot_emit_characters_xml_forbids():
    when = datetime(2026, 11, 20, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    dirty = "A\x00b\x1bc\x7fd\ud800e\ufffef\uffffg&#27;h&#xFFFE;i&#65;"
    item = FeedItem(id=TAG + "zzzzzzzzzzzz", title=dirty, url=SITE + "x/", published=when, updated=when,
                    summary=dirty, content_html=f"<p>{dirty}</p>", author=dirty)
    info = FeedInfo(id="tag:duesseldorf.de,2022:feed/test", title=dirty, description=dirty, link=SITE,
                    self_url=SITE + "feeds/test/rss.xml", language="de-DE", author=dirty, author_url=SITE,
                    icon=None, fallback_date=when)
    for fmt in ("rss", "atom", "json"):
        data = render(fmt, info, [item]).decode("utf-8")
        assert not FORBIDDEN_CHARACTERS.search(data) and "&#27;" not in data and "&#xFFFE;" not in data
        if fmt == "json":
            assert json.loads(data)["items"][0]["title"] == "Abcdefghi&#65;"
        else:
            feed = feedparser.parse(data.encode("utf-8"))
            assert feed.bozo == 0 and shown(feed.entries[0].title_detail) == "Abcdefghi&#65;"  # shown as typed
