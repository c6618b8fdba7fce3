"""WCAG 2.1 A/AA (axe-core in Chromium) on every page type and on a story's channel preview,
and valid HTML everywhere (vnu)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import format_violations
from tests.browser.pages import PAGE_TYPES

# The Rosenmontag story goes to five channels, Instagram with the media portal's crop.
STORY_PREVIEW = "meldungen/182601d2cd66.html"


@pytest.mark.parametrize("path", PAGE_TYPES.values(), ids=PAGE_TYPES.keys())
def test_page_type_has_no_wcag_violations(page, demo_url, axe, path):
    page.goto(demo_url + path)
    violations = axe(page)
    assert not violations, f"{path or 'home'}:\n{format_violations(violations)}"


@pytest.mark.parametrize("width", [1280, 375])
def test_a_story_preview_opened_from_disk_has_no_wcag_violations(page, demo_output, axe, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto((demo_output.parent / "preview" / STORY_PREVIEW).as_uri())
    assert page.locator("figure img").count() >= 2  # the lead image and Instagram's crop, beside the page
    assert page.evaluate("[...document.images].every(image => image.complete && image.naturalWidth > 0)")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing to scroll sideways
    violations = axe(page)
    assert not violations, f"{STORY_PREVIEW} at {width} px:\n{format_violations(violations)}"


def test_every_generated_html_page_is_valid(demo_output, vnu):
    """The site and the build's channel previews for the Chef vom Dienst (preview/, beside it)."""
    preview = demo_output.parent / "preview"
    assert len(list(demo_output.rglob("*.html"))) > 100  # the whole demo site, not a sample
    assert (preview / "index.html").is_file()
    errors = vnu(demo_output, preview)
    assert not errors, "\n".join(e.replace(f"file:{demo_output.parent}/", "") for e in errors[:50])


@pytest.mark.parametrize("width", [1280, 375])
def test_the_desk_has_no_wcag_violations_on_a_wide_screen_and_a_phone(page, demo_output, serve_folder, axe, width):
    """The desk (preview/desk/, never deployed): the days as columns at 1280 px, a list at 375 px."""
    url = serve_folder(demo_output.parent / "preview")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url + "desk/index.html")
    assert page.locator("h1").inner_text().startswith("Desk: Wochenplan")
    columns = page.eval_on_selector(".days", "list => getComputedStyle(list).gridTemplateColumns.split(' ').length")
    assert columns == (7 if width == 1280 else 1)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the screen
    violations = axe(page)
    assert not violations, f"desk at {width} px:\n{format_violations(violations)}"
