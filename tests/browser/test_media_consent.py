"""YouTube clips of the media portal: nothing is requested from YouTube before the visitor
consents; the consent button works with the keyboard; the player comes only after it."""

from __future__ import annotations

from tests.browser.pages import PAGE_TYPES

YOUTUBE = PAGE_TYPES["media-youtube"]


def test_no_request_to_youtube_before_consent(page, demo_url, network):
    page.goto(demo_url + YOUTUBE, wait_until="networkidle")
    assert page.locator(".yt-consent img").count() == 1  # our own poster
    assert page.locator("iframe").count() == 0
    assert not network.foreign(demo_url), [r.url for r in network.foreign(demo_url)]


def test_the_player_is_loaded_only_after_the_button_is_pressed_by_keyboard(page, demo_url, network):
    page.goto(demo_url + YOUTUBE, wait_until="networkidle")
    button = page.get_by_role("button", name="Video von YouTube laden")
    button.focus()
    page.keyboard.press("Enter")
    frame = page.locator("iframe")
    frame.wait_for(state="attached")
    assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/Dus2026KW47"
    assert frame.get_attribute("title") == "YouTube-Video: Video-Wochenrückblick KW 47"
    page.wait_for_load_state("networkidle")
    # The recorder saw (and blocked) the player's request: only now does anything go to YouTube.
    assert {r.url.split("?")[0] for r in network.foreign(demo_url)} >= {
        "https://www.youtube-nocookie.com/embed/Dus2026KW47"}


def test_the_self_hosted_video_has_captions_and_loads_nothing_before_play(page, demo_url, network):
    page.goto(demo_url + PAGE_TYPES["media-video"], wait_until="networkidle")
    track = page.locator("video track[kind=captions]")
    assert track.get_attribute("srclang") == "de"
    assert not [r.url for r in network.requests if r.url.endswith(".mp4")]  # preload="none"
