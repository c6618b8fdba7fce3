"""Video in the page, Gebärdensprache and Leichte Sprache in Chromium at 1280 and 375 px: the story's
video with poster and captions loads nothing before it is started, its controls are reached by
keyboard, its download names format, size and playing time; the page in Deutscher Gebärdensprache
shows its symbol and marks the placeholder; the header leads to both pages; the stories in Leichter
Sprache are listed. axe finds nothing, nothing comes from another host."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlparse

import pytest

from tests.browser.conftest import format_violations
from tests.browser.pages import PAGE_TYPES
from tests.browser.test_keyboard import tab_through

WIDTHS = [1280, 375]


def open_at(page, url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url, wait_until="networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing to scroll sideways


@pytest.mark.parametrize("width", WIDTHS)
def test_the_story_video_plays_in_the_page_with_poster_captions_and_keyboard(page, demo_url, demo_output, network, axe,
                                                                               width):
    open_at(page, demo_url + PAGE_TYPES["story-video"], width)
    video = page.locator("section.story-videos video")
    assert video.get_attribute("preload") == "none" and video.get_attribute("controls") is not None
    assert video.get_attribute("poster").endswith(".jpg")
    track = video.locator("track")
    assert (track.get_attribute("kind"), track.get_attribute("srclang"), track.get_attribute("label")) == (
        "captions", "de", "Deutsch")
    assert track.get_attribute("default") is not None
    assert page.evaluate("document.querySelector('section.story-videos video').textTracks[0].mode") == "showing"
    assert not [r.url for r in network.requests if r.url.endswith(".mp4")]  # nothing before play
    download = page.locator(".story-videos .video-download")
    address = page.evaluate("document.querySelector(\".story-videos .video-download a[href$='.mp4']\").href")
    size = (demo_output / unquote(urlparse(address).path).lstrip("/")).stat().st_size  # the file as handed out
    assert " ".join(download.text_content().split()) == (
        f"Video herunterladen: Video-Wochenrückblick KW 48 (MP4, {round(size / 1000)} kB, 0:06 Min.) · Untertitel (WebVTT)")
    name = re.compile(r"^Video herunterladen ?: Video-Wochenrückblick KW 48$")
    assert page.get_by_role("link", name=name).is_visible()
    # Tab reaches the player (its controls) with visible focus.
    reached = tab_through(page)
    player = [r for r in reached if r["html"].startswith('<video class="media-video"')]
    assert player and (player[0]["outline"] or player[0]["ring"])
    assert not network.foreign(demo_url), [r.url for r in network.foreign(demo_url)]
    violations = axe(page)
    assert not violations, format_violations(violations)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_in_gebaerdensprache_shows_its_video_with_symbol_and_the_placeholder_note(
        page, demo_url, network, axe, width):
    open_at(page, demo_url + PAGE_TYPES["gebaerdensprache"], width)
    assert page.locator("h1").inner_text() == "Gebärdensprache"
    symbol = page.get_by_role("img", name="Symbol für Deutsche Gebärdensprache")
    assert symbol.is_visible()
    box = symbol.bounding_box()
    assert box["width"] >= 32 and box["height"] >= 32
    video = page.locator(".video-dgs video")
    assert (video.get_attribute("width"), video.get_attribute("height")) == ("640", "360")
    assert video.locator("track[kind=captions][srclang=de][default]").count() == 1
    assert video.bounding_box()["width"] <= width
    assert "Platzhalter" in page.locator(".dgs-video figcaption").inner_text()
    assert page.get_by_text("Hinweis: Das Video oben ist ein Platzhalter.").is_visible()
    download = " ".join(page.locator(".video-dgs .video-download").text_content().split())
    assert download.startswith("Gebärdensprach-Video herunterladen: Diese Internetseite in Deutscher Gebärdensprache "
                               "(Platzhalter) (MP4, ") and "kB, 0:06 Min.)" in download
    assert not [r.url for r in network.requests if r.url.endswith(".mp4")]
    assert not network.foreign(demo_url), [r.url for r in network.foreign(demo_url)]
    violations = axe(page)
    assert not violations, format_violations(violations)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_header_leads_to_leichte_sprache_and_gebaerdensprache_on_every_page(page, demo_url, width):
    open_at(page, demo_url, width)
    service = page.get_by_role("navigation", name="Leichte Sprache und Gebärdensprache")
    for name, path in (("Leichte Sprache", "leichte-sprache/"), ("Gebärdensprache", "gebaerdensprache/")):
        link = service.get_by_role("link", name=name, exact=True)
        assert link.is_visible() and link.locator("svg[aria-hidden=true]").count() == 1
        box = link.bounding_box()
        assert box["height"] >= 24  # a target large enough to hit
    service.get_by_role("link", name="Gebärdensprache", exact=True).click()
    page.wait_for_url(demo_url + "gebaerdensprache/")
    current = service.get_by_role("link", name="Gebärdensprache", exact=True)
    assert current.get_attribute("aria-current") == "page"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_stories_in_leichter_sprache_are_listed_and_reached_from_its_page(page, demo_url, network, axe, width):
    open_at(page, demo_url + PAGE_TYPES["leichte-sprache"], width)
    page.get_by_role("link", name="Nachrichten in Leichter Sprache", exact=True).click()
    page.wait_for_url(demo_url + PAGE_TYPES["leichte-sprache-meldungen"])
    assert page.locator("h1").inner_text() == "Nachrichten in Leichter Sprache"
    page.get_by_role("link", name="Rosenmontag 2026: Das müssen Jecken wissen").click()
    page.wait_for_url("**/rosenmontag-2026-das-muessen-jecken-wissen/#leichte-sprache")
    assert page.locator("#leichte-sprache").is_visible()
    page.go_back(wait_until="networkidle")
    assert not network.foreign(demo_url)
    violations = axe(page)
    assert not violations, format_violations(violations)
