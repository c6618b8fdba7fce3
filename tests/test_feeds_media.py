"""Media in the feeds, as a feed client reads them (feedparser): story feeds credit their
lead images (Media RSS inside media:content), and the media portal's feed dates each photo
and video to the minute and encloses files whose sizes are those of the files online."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlparse

import pytest

from tests.test_feeds import SITE, TAG, feed_files, ids, is_json, parsed, rendered_feeds
from tests.test_media_portal import add, photo
from tests.video_support import mp4

CREDIT = "Foto: Landeshauptstadt Düsseldorf/Test"  # tests.support gives fotos/rhein.jpg this credit
MARKT = "Foto: Landeshauptstadt Düsseldorf/Melanie Zanin"
MEDIA = "tag:duesseldorf.de,2022:media/"


@pytest.fixture
def pictured(site):
    """Three stories: two with a lead image (each its own credit), one without."""
    add(site, "fotos/markt.jpg", photo(800, 600), alt='"Marktstände vor dem Rathaus"', credit=f'"{MARKT}"')
    site.story(image="fotos/rhein.jpg", channels="\n  press: true")  # a1b2c3d4e5f6, Verkehr
    site.story("2026/markt.md", id="bbbbbbbbbbbb", title="Weihnachtsmarkt öffnet", date="2026-11-19 11:00",
               category="Kultur", department="Kulturamt", districts="[1]", tags="[Feste]", image="fotos/markt.jpg")
    site.story("2026/schule.md", id="cccccccccccc", title="Neue Mensa für die Gesamtschule",
               date="2026-11-10 08:30", category="Bildung", department="Schulverwaltungsamt", districts="[]",
               tags="[Schule]")
    site.commit("Meldungen", "2026-11-02 16:45")
    site.build()
    return site


def story_feeds(site) -> dict:
    return {path: feed for path, feed in parsed(site).items()
            if not is_json(feed) and not path.startswith("feeds/medien/")}


def test_story_feeds_credit_each_lead_image_inside_its_media_content(pictured):
    expected = {TAG + "a1b2c3d4e5f6": CREDIT, TAG + "bbbbbbbbbbbb": MARKT, TAG + "cccccccccccc": None}
    feeds = story_feeds(pictured)
    seen = set()
    for path, feed in feeds.items():
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        for entry in feed.entries:
            credit = expected[entry.id]
            assert [c.get("content") for c in entry.get("media_credit", [])] == ([credit] if credit else []), \
                (path, entry.id)
            if credit:
                assert entry.media_credit[0]["role"] == "author" and entry.media_credit[0]["scheme"] == "urn:ebu"
                seen.add(entry.id)
    assert seen == {TAG + "a1b2c3d4e5f6", TAG + "bbbbbbbbbbbb"}
    # The image's texts stay the image's: the entry's summary is still the story's own, and a summary-only
    # entry gets no content from them (feedparser takes any media:description for the entry's text).
    pictured.build(FEED_FULL_CONTENT=False)
    for name in ("rss.xml", "atom.xml"):
        entry = next(e for e in story_feeds(pictured)[f"feeds/alle/{name}"].entries if e.id == TAG + "bbbbbbbbbbbb")
        assert entry.summary == "Die Stadt baut zwei Kilometer Radweg entlang des Rheinufers."
        assert "content" not in entry and entry.media_credit[0]["content"] == MARKT
    for name in ("rss.xml", "atom.xml"):
        raw = pictured.page(f"feeds/themen/kultur/{name}")
        assert re.search(r'<media:content url="http://localhost:8000/medien/fotos/markt\.jpg"[^>]*>\s*'
                         r'<media:credit role="author" scheme="urn:ebu">Foto: Landeshauptstadt Düsseldorf/'
                         r'Melanie Zanin</media:credit>\s*</media:content>', raw), name
        assert raw.count("<media:credit") == 1


def test_a_credit_change_redraws_the_feeds_with_the_image_and_equals_a_cold_build(pictured, tmp_path):
    holding = {path for path, feed in parsed(pictured).items() if TAG + "bbbbbbbbbbbb" in ids(feed)}
    assert {"feeds/alle/rss.xml", "feeds/themen/kultur/atom.xml", "feeds/stadtbezirke/1/feed.json"} <= holding
    assert "feeds/themen/verkehr/rss.xml" not in holding
    corrected = "Foto: Landeshauptstadt Düsseldorf/Ingo Lammert"
    pictured.write("media/fotos/markt.jpg.yml",
                   f'alt: "Marktstände vor dem Rathaus"\ncredit: "{corrected}"\n')
    report = pictured.build()
    media_feed = {f"feeds/medien/{name}" for name in ("rss.xml", "atom.xml", "feed.json")}
    assert rendered_feeds(report) == holding | media_feed
    for path, feed in story_feeds(pictured).items():
        for entry in feed.entries:
            if entry.id == TAG + "bbbbbbbbbbbb":
                assert [c["content"] for c in entry.media_credit] == [corrected], path
    cold = tmp_path / "cold"
    pictured.build(OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert feed_files(pictured) == {p: (cold / p).read_bytes() for p in feed_files(pictured)}


@pytest.fixture
def portal(site):
    """Photos dated with a time, with a date on the day they were committed, with an earlier
    date, and without one (rhein.jpg), and a video; all committed on 2 November 2026, 16:45."""
    add(site, "fotos/uhrzeit.jpg", photo(800, 600), alt="A", credit=f'"{MARKT}"', date="2026-11-01 14:30")
    add(site, "fotos/tag.jpg", photo(1200, 800, colour=(10, 120, 30)), alt="B", credit=f'"{MARKT}"',
        date='"2026-11-02"')
    add(site, "fotos/frueher.jpg", photo(300, 200, colour=(90, 90, 200)), alt="C", credit=f'"{MARKT}"',
        date='"2026-10-15"')
    site.write("media/videos/clip.mp4", mp4())
    site.write("media/videos/clip.de.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nHallo\n")
    add(site, "videos/clip.jpg", photo(320, 180))
    site.write("media/videos/clip.mp4.yml", f'credit: "{MARKT}"\ncaptions: videos/clip.de.vtt\n'
                                            'poster: videos/clip.jpg\ndate: "2026-11-02 09:05"\n')
    site.story(image="fotos/rhein.jpg")
    site.commit("Medien", "2026-11-02 16:45")
    site.build()
    return site


def by_id(feed) -> dict:
    return {(item["id"] if is_json(feed) else item.id): item
            for item in (feed["items"] if is_json(feed) else feed.entries)}


PUBLISHED = {
    "fotos/uhrzeit.jpg": "2026-11-01T14:30:00+01:00",  # the sidecar's time
    "fotos/tag.jpg": "2026-11-02T16:45:00+01:00",  # a date alone: git added it that day
    "fotos/frueher.jpg": "2026-10-15T00:00:00+02:00",  # added on another day: the date's midnight (summer time)
    "fotos/rhein.jpg": "2026-11-02T16:45:00+01:00",  # no date: when git added it
    "videos/clip.mp4": "2026-11-02T09:05:00+01:00",
}


def test_the_media_feed_dates_every_entry_to_the_minute(portal):
    feeds = parsed(portal)
    atom, rss, json_feed = (by_id(feeds[f"feeds/medien/{name}"]) for name in ("atom.xml", "rss.xml", "feed.json"))
    assert set(atom) == set(rss) == set(json_feed) == {MEDIA + path for path in PUBLISHED}
    raw = portal.page("feeds/medien/atom.xml")
    for path, moment in PUBLISHED.items():
        assert f"<published>{moment}</published>" in raw, path
        assert json_feed[MEDIA + path]["date_published"] == moment
        stamp = (int(moment[:4]), int(moment[5:7]), int(moment[8:10]), int(moment[11:13]), int(moment[14:16]))
        offset = int(moment[-6:-3])
        for entry in (atom[MEDIA + path], rss[MEDIA + path]):  # feedparser gives UTC
            assert entry.published_parsed[:5] == utc(stamp, offset), path
    # The update is the last commit of the file or its description, when later than the publication.
    assert atom[MEDIA + "fotos/frueher.jpg"].updated == "2026-11-02T16:45:00+01:00"
    assert atom[MEDIA + "fotos/uhrzeit.jpg"].updated == "2026-11-02T16:45:00+01:00"
    assert atom[MEDIA + "videos/clip.mp4"].updated == "2026-11-02T16:45:00+01:00"


def utc(stamp: tuple, offset_hours: int) -> tuple:
    return (datetime(*stamp) - timedelta(hours=offset_hours)).timetuple()[:5]


def test_every_enclosure_has_the_size_of_the_file_online(portal):
    portal.story("2026/markt.md", id="bbbbbbbbbbbb", title="Weihnachtsmarkt", date="2026-11-19 11:00",
                 image="fotos/tag.jpg")
    portal.build()
    checked = set()
    for path, feed in parsed(portal).items():
        if is_json(feed):
            found = [(a["url"], a["size_in_bytes"]) for item in feed["items"] for a in item.get("attachments", ())]
        else:
            found = [(e["href"], int(e["length"])) for entry in feed.entries for e in entry.enclosures]
            found += [(m["url"], int(m["filesize"])) for entry in feed.entries for m in entry.get("media_content", ())]
        for url, size in found:
            assert url.startswith(SITE), url
            online = portal.output / urlparse(url).path.lstrip("/")
            assert size == online.stat().st_size, (path, url)
            checked.add(urlparse(url).path)
    # The media feed's photos (the largest JPEG rendition), its video, and the stories' originals.
    assert {"/medien/videos/clip.mp4", "/medien/fotos/rhein.jpg", "/medien/fotos/tag.jpg"} <= checked
    assert any(re.fullmatch(r"/medienportal/bilder/[0-9a-f]{16}/tag-1024\.jpg", p) for p in checked), checked


def test_a_commit_of_a_description_updates_the_media_feed_like_a_cold_build(portal, tmp_path):
    path = portal.content / "media/fotos/frueher.jpg.yml"
    path.write_text(path.read_text(encoding="utf-8") + 'caption: "Herbst am Rhein"\n', encoding="utf-8")
    portal.commit("Bildunterschrift", "2026-11-03 08:15")
    report = portal.build()
    assert {f"feeds/medien/{name}" for name in ("rss.xml", "atom.xml", "feed.json")} <= rendered_feeds(report)
    entry = by_id(parsed(portal)["feeds/medien/atom.xml"])[MEDIA + "fotos/frueher.jpg"]
    assert entry.published == "2026-10-15T00:00:00+02:00" and entry.updated == "2026-11-03T08:15:00+01:00"
    cold = tmp_path / "cold"
    portal.build(OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert feed_files(portal) == {p: (cold / p).read_bytes() for p in feed_files(portal)}
    assert portal.build().rendered == []
