"""The Presse section in Chromium at a desktop's and a phone's width: presse/ and the list of press
releases with a release that went out (the demo content whose record of sends says PM 7/2026,
written by the publish run's Ledger), its Thema filter as plain links without JavaScript, WCAG 2.1
AA (axe), valid HTML (vnu), nothing requested from another host."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from newsroom.content.slugs import slugify
from tests.browser.conftest import format_violations
from tests.browser.test_search import PRESS_NUMBER, PRESS_STORY, build_with_press_release

THEMA = "Sicherheit & Ordnung"  # the press story's
RELEASES = "presse/pressemitteilungen/"


@pytest.fixture(scope="module")
def press_output(tmp_path_factory):
    return build_with_press_release(tmp_path_factory.mktemp("presse"))


@pytest.fixture(scope="module")
def press_url(press_output, serve_folder) -> str:
    return serve_folder(press_output)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_releases_list_and_its_thema_filter_meet_wcag_and_ask_no_other_host(page, press_url, network, axe,
                                                                                artifacts, width):
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("presse/", RELEASES, f"{RELEASES}{slugify(THEMA)}/", f"{RELEASES}kultur/"):
        page.goto(press_url + path)
        page.screenshot(path=str(artifacts / f"{path.strip('/').replace('/', '-')}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path  # nothing to scroll sideways
        violations = axe(page)
        assert not violations, f"{path} at {width} px:\n{format_violations(violations)}"
    assert network.foreign(press_url) == []


def test_the_list_leads_to_the_release_and_the_filter_works_without_javascript(browser, press_url):
    context = browser.new_context(locale="de-DE", java_script_enabled=False, viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(press_url + "presse/")
        page.get_by_role("link", name="Alle Pressemitteilungen (1)").click()
        expect(page).to_have_url(press_url + RELEASES)
        release = page.locator(".press-release")
        expect(release).to_have_count(1)
        expect(release.locator(".press-release-number")).to_have_text(PRESS_NUMBER)
        expect(release.locator(".press-release-meta")).to_contain_text(f"{PRESS_NUMBER} vom 10. März 2026 · {THEMA}")
        page.get_by_role("navigation", name="Nach Thema filtern:").get_by_role("link", name="Kultur").click()
        expect(page).to_have_url(press_url + f"{RELEASES}kultur/")
        expect(page.locator(".press-release")).to_have_count(0)
        expect(page.get_by_text("Zurzeit gibt es hier keine Pressemitteilungen.")).to_be_visible()
        page.get_by_role("link", name=THEMA, exact=True).click()
        expect(page).to_have_url(press_url + f"{RELEASES}{slugify(THEMA)}/")
        expect(page.locator('a[aria-current="page"]', has_text=THEMA)).to_have_count(1)
        page.locator(".press-release-title a").click()
        expect(page).to_have_url(press_url + PRESS_STORY)
        expect(page.locator(".press-number")).to_contain_text(f"Pressemitteilung {PRESS_NUMBER}")
    finally:
        context.close()


def test_the_press_pages_with_a_release_are_valid_html(press_output, vnu):
    pages = [press_output / "presse/index.html", *sorted((press_output / RELEASES).rglob("*.html"))]
    assert len(pages) > 10  # presse/, the list and a list per Thema
    errors = vnu(*pages)
    assert not errors, "\n".join(errors[:50])
