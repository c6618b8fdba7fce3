"""What an editor previews, in Chromium: a demo draft opened from the list `invoke serve` shows at
/entwurf/ (the same server code, started here), and the admin's preview pane in the site's styles."""

from __future__ import annotations

import threading

import pytest

from newsroom.content.drafts import folder_of
from newsroom.servers.preview import site_server
from tests.browser.conftest import format_violations
from tests.browser.test_admin import admin, open_new_story  # noqa: F401 - admin is the fixture used below
from tests.browser.test_csp import violations  # noqa: F401 - the fixture: policy violations in every frame

DRAFT = "Weihnachtsmärkte öffnen am 19. November"  # content/stories/2026/2026-11-12-weihnachtsmaerkte-2026.md
STORY = "aktuelles/2026/02/rosenmontag-2026-das-muessen-jecken-wissen/"
# What the site's stylesheet gives a story's title (font-size follows the width, so it is left out).
HEADING = "['fontFamily', 'fontWeight', 'color', 'marginTop'].map(p => getComputedStyle(h)[p])"
HEADING_STYLE = f"h => {HEADING}"


@pytest.fixture(scope="module")
def serve_url(demo_output):
    """The demo site with its drafts at /entwurf/, as `invoke serve` shows them."""
    server = site_server(demo_output, folder_of({"PUBLISH_PREVIEW_PATH": str(demo_output.parent / "preview")}), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_draft_opened_from_the_list_looks_like_its_story_page_and_is_marked(
        page, serve_url, network, axe, violations, artifacts, width):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(serve_url + STORY)
    published = page.eval_on_selector("article.story h1", HEADING_STYLE)
    page.goto(serve_url + "entwurf/")
    assert page.locator("h1").inner_text() == "Entwürfe"
    page.get_by_role("link", name=DRAFT).click()
    page.wait_for_url(serve_url + "entwurf/*/")
    banner = page.locator(".draft-banner")
    assert banner.is_visible() and banner.locator("strong").inner_text() == "Entwurf – nicht veröffentlicht"
    assert page.eval_on_selector(".draft-banner", "b => getComputedStyle(b).borderTopStyle") == "dashed"
    assert page.locator("meta[name=robots]").get_attribute("content") == "noindex, nofollow"
    assert page.locator("article.story h1").inner_text() == DRAFT
    assert page.eval_on_selector("article.story h1", HEADING_STYLE) == published  # the site's own styles
    assert page.evaluate("[...document.images].every(image => image.complete && image.naturalWidth > 0)")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing to scroll sideways
    page.screenshot(path=str(artifacts / f"entwurf-{width}.png"), full_page=True)
    found = axe(page)
    assert not found, f"draft at {width} px:\n{format_violations(found)}"
    assert not network.foreign(serve_url), network.foreign(serve_url)
    assert violations.of(page) == []  # the site's own policy, as every page of the site


def test_the_list_of_drafts_has_no_wcag_violations(page, serve_url, axe):
    page.goto(serve_url + "entwurf/")
    found = axe(page)
    assert not found, format_violations(found)


def test_the_admins_preview_pane_uses_the_sites_styles(admin, page, network, violations, artifacts):  # noqa: F811
    site, url, backend = admin
    page.on("dialog", lambda dialog: dialog.accept())
    story = url.split("/admin/")[0] + "/aktuelles/2026/11/neue-radwege-am-rheinufer/"
    page.goto(story)
    published = page.eval_on_selector("article.story h1", HEADING_STYLE)
    open_new_story(page, url)
    page.locator("[data-slate-editor=true]").first.click()  # Leichte Sprache
    page.keyboard.type("Es gibt neue Bänke.")
    preview = page.frame_locator("iframe")
    preview.get_by_text("Es gibt neue Bänke.").wait_for()
    heading = preview.locator("article.story h1")
    assert heading.inner_text() == "Neue Bänke am Rheinufer"
    assert heading.evaluate(HEADING_STYLE) == published
    assert preview.locator("link[rel=stylesheet][href='/theme/css/site.css']").count() == 1
    assert preview.locator(".draft-banner").evaluate("b => getComputedStyle(b).borderTopStyle") == "dashed"
    assert preview.locator(".story-body").inner_text().strip() == "Die Bänke stehen ab Montag bereit."
    assert preview.locator(".summary").inner_text() == "Zwanzig neue Bänke laden zum Verweilen ein."
    easy = preview.locator("section.easy-read")
    assert easy.locator("h2").inner_text() == "Die Meldung in Leichter Sprache"
    assert easy.evaluate("s => [getComputedStyle(s).borderLeftStyle, getComputedStyle(s).borderLeftWidth]") == [
        "solid", "6px"]  # the site's frame of the Leichte-Sprache text
    page.screenshot(path=str(artifacts / "admin-vorschau.png"))
    assert network.hosts() <= {url.split("/")[2], backend}, network.hosts()
    assert violations.of(page) == []  # the site's stylesheet in the preview frame, within the admin's policy
