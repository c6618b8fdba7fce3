"""What a citizen sees on a story page, in Chromium at 1280 and 375 px: the side column beside the
text on a desktop and after it on a phone, share links that load nothing, credits that say their
label once, and an upright lead picture that stays lower than the screen."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _is_loopback, format_violations
from tests.browser.pages import PAGE_TYPES

# The Video-Wochenrückblick: an upright lead photo, a photo, a video and a PDF in its media, a related story.
UPRIGHT = "aktuelles/2026/11/video-wochenrueckblick-haushalt-2027-und-radwege-in-kaiserswerth/"
EASY = PAGE_TYPES["story"]  # Rosenmontag: the text and its Leichte Sprache side by side on a desktop
WIDE_PHOTO = "aktuelles/2026/01/sanierung-der-freitreppen-an-der-rheinuferpromenade-beginnt/"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
SHARE_NAMES = ["Auf Facebook teilen", "Auf X teilen", "Auf LinkedIn teilen", "Per WhatsApp teilen",
               "Auf Bluesky teilen", "Per E-Mail senden"]


@pytest.fixture
def open_page(browser):
    """open_page(url, viewport, block_images=False) -> a page in a fresh context (de-DE)."""
    contexts = []

    def open_(url: str, viewport: dict, block_images: bool = False):
        context = browser.new_context(locale="de-DE", viewport=viewport, service_workers="block")
        context.route(lambda u: not _is_loopback(u), lambda route: route.abort("blockedbyclient"))
        if block_images:
            context.route("**/*.{jpg,webp,png}", lambda route: route.abort())
        contexts.append(context)
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        return page

    yield open_
    for context in contexts:
        context.close()


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


# -- the side column -----------------------------------------------------------------------------------

def test_on_a_desktop_the_side_column_stands_beside_the_text(demo_url, open_page):
    page = open_page(demo_url + UPRIGHT, DESKTOP)
    main, aside = box(page, ".story-main"), box(page, ".story-aside")
    assert aside["x"] >= main["x"] + main["width"] + 32, "beside the text, with a gap"
    assert abs(aside["y"] - main["y"]) < 2, "from the top of the story"
    assert 240 <= aside["width"] <= 320 and main["width"] >= 640
    assert aside["x"] + aside["width"] <= DESKTOP["width"] - 16  # inside the page's frame
    # Everything that goes with the story is in it: share links, media, facts, contact, related stories.
    column = page.get_by_role("complementary", name="Mehr zu dieser Meldung")
    expect(column).to_have_count(1)
    expect(column.get_by_role("heading", level=2)).to_have_text(
        ["Meldung teilen", "Medien zu dieser Meldung", "Zur Meldung", "Kontakt für Rückfragen der Presse",
         "Weitere Meldungen"])
    expect(page.get_by_role("main").get_by_role("complementary")).to_have_count(1)  # inside the main landmark


def test_on_a_phone_the_side_column_follows_the_text_in_one_column(demo_url, open_page):
    page = open_page(demo_url + UPRIGHT, PHONE)
    main, aside = box(page, ".story-main"), box(page, ".story-aside")
    assert aside["y"] >= main["y"] + main["height"], "below the text"
    assert aside["x"] == main["x"] and aside["width"] == main["width"], "one column"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@VIEWPORTS
def test_screen_readers_read_the_text_before_the_side_column(demo_url, open_page, viewport):
    page = open_page(demo_url + UPRIGHT, viewport)
    order = page.evaluate("""() => {
      const text = document.querySelector('.story-body'), aside = document.querySelector('.story-aside');
      return Boolean(text.compareDocumentPosition(aside) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    assert order, "the story's text comes first in the document"
    # Tab reaches the text's links before the side column's.
    first_aside_link = page.locator(".story-aside a").first
    text_link = page.locator(".story-body a").first
    links = page.evaluate("[...document.querySelectorAll('main a')].map(a => a.href)")
    assert links.index(text_link.evaluate("a => a.href")) < links.index(first_aside_link.evaluate("a => a.href"))


def test_with_leichte_sprache_the_two_texts_keep_the_width_and_the_column_follows_them(demo_url, open_page):
    page = open_page(demo_url + EASY, DESKTOP)
    text, easy, aside = box(page, ".story-body"), box(page, "#leichte-sprache"), box(page, ".story-aside")
    assert easy["x"] >= text["x"] + text["width"], "Leichte Sprache beside the text"
    assert aside["y"] >= max(text["y"] + text["height"], easy["y"] + easy["height"]), "the column below both"
    # Below them it uses the width: its parts stand side by side.
    tops = {round(b["y"]) for b in (box(page, ".share"), box(page, ".story-media"), box(page, ".story-meta"))}
    assert len(tops) == 1


# -- share links ---------------------------------------------------------------------------------------

@VIEWPORTS
def test_share_links_carry_the_story_and_load_nothing(demo_url, browser, viewport):
    context = browser.new_context(locale="de-DE", viewport=viewport, service_workers="block")
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    context.route(lambda u: not _is_loopback(u), lambda route: route.abort("blockedbyclient"))
    try:
        page = context.new_page()
        page.goto(demo_url + UPRIGHT, wait_until="networkidle")
        assert requests and all(_is_loopback(url) for url in requests), [u for u in requests if not _is_loopback(u)]
        canonical = page.locator('link[rel="canonical"]').get_attribute("href")
        title = page.locator("h1").inner_text()
        links = page.get_by_role("region", name="Meldung teilen").get_by_role("link")
        expect(links).to_have_count(len(SHARE_NAMES))
        for name, link in zip(SHARE_NAMES, links.all()):
            expect(link).to_have_accessible_name(name)
            expect(link).to_be_visible()
            assert link.get_attribute("target") is None  # opens like any link
            assert link.bounding_box()["height"] >= 44, "large enough to touch"
        hrefs = {name: link.get_attribute("href") for name, link in zip(SHARE_NAMES, links.all())}
        fields = {name: parse_qs(urlsplit(href).query) for name, href in hrefs.items()}
        assert hrefs["Auf Facebook teilen"].startswith("https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2F") \
            or hrefs["Auf Facebook teilen"].startswith("https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2F")
        assert fields["Auf Facebook teilen"] == {"u": [canonical]}
        assert fields["Auf X teilen"] == {"text": [title], "url": [canonical]}
        assert fields["Auf LinkedIn teilen"] == {"url": [canonical]}
        assert fields["Per WhatsApp teilen"] == {"text": [f"{title} {canonical}"]}
        assert fields["Auf Bluesky teilen"] == {"text": [f"{title} {canonical}"]}
        assert hrefs["Per E-Mail senden"].startswith("mailto:?subject=")
        assert fields["Per E-Mail senden"]["subject"] == [title]
        assert canonical in fields["Per E-Mail senden"]["body"][0]
        for name, href in hrefs.items():
            assert " " not in href and "ü" not in href and ":" not in href.split("?", 1)[1], href
            rel = page.get_by_role("link", name=name).get_attribute("rel")
            assert rel == (None if href.startswith("mailto:") else "noopener")
        # The marks are drawn in the page, hidden from screen readers; nothing of them is fetched.
        assert page.locator(".share svg[aria-hidden='true']").count() == len(SHARE_NAMES)
        assert not [url for url in requests if "facebook" in url or "twitter" in url or "bsky" in url]
    finally:
        context.close()


# -- credits -------------------------------------------------------------------------------------------

def test_credits_say_their_label_once(demo_url, open_page):
    page = open_page(demo_url + UPRIGHT, DESKTOP)
    expect(page.locator(".lead-image figcaption .credit")).to_have_text(
        "Foto: Landeshauptstadt Düsseldorf/Amt für Verkehrsmanagement")
    media = page.locator(".story-media li")
    expect(media).to_have_count(3)
    expect(media.locator(".credit")).to_have_text([
        "Foto: Landeshauptstadt Düsseldorf/Amt für Verkehrsmanagement",
        "Video: Landeshauptstadt Düsseldorf/Amt für Kommunikation",
        "Quelle: Landeshauptstadt Düsseldorf/Stadtkämmerei",  # the sidecar names no label: a document's
    ])
    for text in media.all_inner_texts() + [page.locator(".lead-image figcaption").inner_text()]:
        assert "Foto, Foto" not in text and "Foto: Foto" not in text and "Video, Video" not in text, text
        assert text.count("Foto") + text.count("Video") <= 2, text  # the title may say "Video" once


# -- the lead picture ------------------------------------------------------------------------------------

@VIEWPORTS
def test_an_upright_lead_picture_stays_lower_than_the_screen_without_moving_the_page(demo_url, open_page, viewport):
    page = open_page(demo_url + UPRIGHT, viewport)
    image = page.locator(".lead-image img")
    assert image.get_attribute("width") and image.get_attribute("height")  # its place is known before it loads
    natural = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural[1] > natural[0], "the demo's upright photo"
    shown = image.bounding_box()
    assert shown["height"] <= 0.7 * viewport["height"] + 1, shown
    assert shown["height"] >= 0.4 * viewport["height"], "still a picture worth the name"
    # The picture fills its box in its own proportions (nothing cut off, nothing stretched).
    drawn = image.evaluate("""img => { const s = getComputedStyle(img);
        return [s.objectFit, img.clientWidth / img.clientHeight]; }""")
    assert drawn[0] == "contain" or abs(drawn[1] - natural[0] / natural[1]) < 0.02
    if viewport is DESKTOP:
        assert box(page, ".lead-image")["width"] <= 30 * 16 + 1, "a narrower frame on a desktop"
    # Without its picture (not yet loaded) the box takes the same place: no layout shift.
    blocked = open_page(demo_url + UPRIGHT, viewport, block_images=True)
    assert blocked.locator(".lead-image img").evaluate("img => img.naturalWidth") == 0
    assert blocked.locator(".lead-image img").bounding_box() == shown


def test_a_wide_lead_picture_keeps_the_text_width(demo_url, open_page):
    page = open_page(demo_url + WIDE_PHOTO, DESKTOP)
    figure, text = box(page, ".lead-image img"), box(page, ".story-body")
    assert abs(figure["width"] - text["width"]) < 1 and figure["height"] < figure["width"]


# -- checkers ------------------------------------------------------------------------------------------

@VIEWPORTS
@pytest.mark.parametrize("path", [UPRIGHT, EASY], ids=["upright", "leichte-sprache"])
def test_the_story_page_has_no_wcag_violations(demo_url, open_page, axe, path, viewport):
    page = open_page(demo_url + path, viewport)
    violations = axe(page)
    assert not violations, f"{path} at {viewport['width']} px:\n{format_violations(violations)}"


def test_the_story_pages_are_valid_html(demo_output, vnu):
    pages = [demo_output / path / "index.html" for path in (UPRIGHT, EASY, WIDE_PHOTO)]
    errors = vnu(*pages)
    assert not errors, "\n".join(errors[:20])
