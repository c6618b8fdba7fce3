"""The Content-Security-Policy in a real browser: every page kind, the consented YouTube player
(against a local fake of youtube-nocookie.com), the search with Pagefind's WebAssembly, the
channel previews opened from disk and the admin against decap-server cause no violation."""

from __future__ import annotations

import pytest

from tests.browser.pages import PAGE_TYPES
from tests.browser.test_admin import admin, open_new_story, upload_photo  # noqa: F401 (fixture)

# Every violation the browser reports in any frame, recorded before the page's own scripts run.
RECORDER = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  {directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber,
   sample: e.sample}), true);
"""
FAKE_PLAYER = """<!DOCTYPE html><html lang="en"><title>Fake player</title>
<button id="play" onclick="this.textContent = 'playing'">play</button></html>"""


class Violations:
    """Violations from the event in every page and frame, and the browser's console errors about
    the policy (for what no event reaches, such as a policy the browser ignores)."""

    def __init__(self, context):
        self.console: list[str] = []
        context.add_init_script(RECORDER)
        context.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def of(self, page) -> list:
        found = list(self.console)
        for frame in page.frames:
            try:
                found += frame.evaluate("window.__violations || []")
            except Exception:  # a frame from a host the test blocked has no document to ask
                continue
        return found


@pytest.fixture
def violations(context):
    return Violations(context)


@pytest.fixture
def fake_youtube(page):
    """The player's host answers from here: the frame loads, nothing leaves the machine."""
    page.route("https://www.youtube-nocookie.com/**",
               lambda route: route.fulfill(status=200, content_type="text/html", body=FAKE_PLAYER))


@pytest.mark.parametrize("path", PAGE_TYPES.values(), ids=PAGE_TYPES.keys())
def test_page_kind_causes_no_policy_violation(page, demo_url, violations, path):
    page.goto(demo_url + path, wait_until="networkidle")
    assert page.locator('meta[http-equiv="Content-Security-Policy"]').count() == 1
    assert violations.of(page) == []


def test_search_with_a_query_runs_pagefind_within_the_policy(page, demo_url, violations):
    page.goto(demo_url + "suche/?q=Rheinufer", wait_until="networkidle")
    page.locator(".search-result").first.wait_for()  # WebAssembly ran: results are shown
    page.wait_for_load_state("networkidle")
    # The magnifier comes from our own file, not from a data: URL the policy would refuse.
    image = page.evaluate("getComputedStyle(document.getElementById('suche-begriff')).backgroundImage")
    assert image.endswith('/theme/img/lupe.svg")'), image
    assert violations.of(page) == []


def test_the_consented_youtube_video_plays_within_the_policy(page, demo_url, violations, fake_youtube):
    page.goto(demo_url + PAGE_TYPES["media-youtube"], wait_until="networkidle")
    page.get_by_role("button", name="Video von YouTube laden").click()
    player = page.frame_locator("iframe")
    player.locator("#play").click()
    player.get_by_text("playing").wait_for()
    assert page.locator('meta[http-equiv="Content-Security-Policy"]').count() == 1
    assert violations.of(page) == []


def test_the_recorder_catches_what_the_policy_refuses(page, demo_url, violations, fake_youtube):
    """The checks above can fail: inline script and style, elements and attributes, a foreign image and a frame
    from a host other than the player's are each refused and reported."""
    page.goto(demo_url, wait_until="networkidle")
    page.evaluate("""() => {
      const script = document.createElement('script'); script.textContent = 'window.ran = 1'; document.body.append(script);
      const style = document.createElement('style'); style.textContent = 'body {color: red}'; document.head.append(style);
      document.body.insertAdjacentHTML('beforeend', '<p id="attr" style="color: red" onclick="window.ran = 2">x</p>');
      const image = new Image(); image.src = 'https://www.youtube-nocookie.com/pixel.gif'; document.body.append(image);
      const frame = document.createElement('iframe'); frame.src = 'https://example.org/'; document.body.append(frame);
    }""")
    page.locator("#attr").click()
    page.wait_for_function("window.__violations.length >= 6")
    directives = {v["directive"] for v in violations.of(page) if isinstance(v, dict)}
    assert directives == {"script-src-elem", "style-src-elem", "script-src-attr", "style-src-attr", "img-src",
                          "frame-src"}, directives
    assert page.evaluate("window.ran") is None


def test_the_channel_previews_opened_from_disk_keep_their_styles_within_their_policy(
        page, demo_output, violations):
    preview = demo_output.parent / "preview"
    story = sorted((preview / "meldungen").glob("*.html"))[0]
    for target in (preview / "index.html", story):
        page.goto(target.as_uri())
        assert page.locator('meta[http-equiv="Content-Security-Policy"]').count() == 1
        assert page.evaluate("getComputedStyle(document.body).maxWidth") == "1120px"  # vorschau.css applied
        assert violations.of(page) == []


def test_the_admin_writes_a_story_and_uploads_a_photo_within_its_policy(admin, page, violations,  # noqa: F811
                                                                         tmp_path):
    site, url, _backend = admin
    page.on("dialog", lambda dialog: dialog.accept())
    open_new_story(page, url)  # logs in; the editor and its preview frame
    upload_photo(page, url, tmp_path)  # the media library shows the upload as a blob: image
    page.locator("img[src^='blob:']").first.wait_for()
    page.get_by_role("button", name="Veröffentlichen").click()  # saving reads the upload back
    page.get_by_text("Jetzt veröffentlichen").click()
    page.get_by_text("Beitrag gespeichert").wait_for()
    assert (site.content / "media/fotos/banke-am-rhein.jpg").is_file()
    assert page.locator('meta[http-equiv="Content-Security-Policy"]').count() == 1  # the admin's own
    assert violations.of(page) == []
