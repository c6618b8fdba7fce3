"""The main navigation and the tables' headers on a phone and a desktop.

On a phone (375 px) the links of the main navigation wait behind the button "Menü", which opens
without JavaScript; on a desktop (1280 px) they show without a button. Table headers keep their
words whole at 320 px.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _is_loopback, format_violations
from tests.browser.pages import PAGE_TYPES

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
MENU = ["Aktuelles", "Themen", "Stadtbezirke", "Ämter", "Presse", "Medienportal", "Kontakt", "Suche"]

# Words of table headers that a line break splits (one word's text on two lines), visually hidden text
# aside; a compound's hyphen ("Flingern-Nord") is a place to break.
SPLIT_WORDS = """() => {
  const split = [];
  for (const th of document.querySelectorAll('th')) {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('.visually-hidden')) continue;
      for (const word of node.data.matchAll(/[^\\s-]+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
        if (lines.size > 1) split.push(word[0]);
      }
    }
  }
  return split;
}"""


@pytest.fixture
def open_page(browser):
    """open_page(path, viewport, javascript=True) -> a page of the demo site in a fresh context."""
    contexts = []

    def open_(url: str, viewport: dict, javascript: bool = True):
        context = browser.new_context(locale="de-DE", viewport=viewport, java_script_enabled=javascript,
                                      service_workers="block")
        context.route(lambda u: not _is_loopback(u), lambda route: route.abort("blockedbyclient"))
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()


def ax_button(page) -> dict:
    """The button "Menü" as Chromium's accessibility tree has it (what a screen reader reads)."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    for node in nodes:
        if node.get("ignored") or node.get("role", {}).get("value") in ("StaticText", "InlineTextBox"):
            continue
        if node.get("name", {}).get("value") == "Menü":
            properties = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
            return {"role": node["role"]["value"], "expanded": properties.get("expanded"),
                    "focusable": properties.get("focusable")}
    raise AssertionError("no accessible element named „Menü“")


def nav_links(page):
    """The main navigation's links, hidden ones included (get_by_role leaves them out otherwise)."""
    return page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", include_hidden=True)


@pytest.mark.parametrize("how", ["click", "Enter", "Space"])
def test_on_a_phone_the_menu_button_shows_the_links_without_javascript(demo_url, open_page, how):
    page = open_page(demo_url, PHONE, javascript=False)
    assert page.evaluate("1 + 1") == 2  # the test's own scripts still run; the page's would not
    button = page.locator(".main-nav summary")
    expect(button).to_be_visible()
    expect(button).to_have_text("Menü")
    assert ax_button(page) == {"role": "DisclosureTriangle", "expanded": False, "focusable": True}
    expect(nav_links(page)).to_have_count(len(MENU))
    for link in nav_links(page).all():
        expect(link).to_be_hidden()

    if how == "click":
        button.click()
    else:
        button.focus()
        page.keyboard.press(how)

    assert ax_button(page)["expanded"] is True
    links = nav_links(page)
    expect(links).to_have_text(MENU)
    for link in links.all():
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()
    # Tab goes from the button through the links, in their order, then into the page.
    button.focus()
    for label in MENU:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == label
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.main-nav') === null")

    button.focus()
    page.keyboard.press("Enter")  # closes again
    assert ax_button(page)["expanded"] is False
    for link in nav_links(page).all():
        expect(link).to_be_hidden()


def test_the_open_menu_lies_over_the_page_below_the_header(demo_url, open_page):
    page = open_page(demo_url, PHONE, javascript=False)
    main_before = page.locator("main").bounding_box()
    page.locator(".main-nav summary").click()
    header = page.locator(".site-header").bounding_box()
    panel = page.locator(".main-nav ul").bounding_box()
    assert panel["y"] >= header["y"] + header["height"] - 1, "below the header"
    assert panel["x"] == 0 and panel["width"] == PHONE["width"], "the width of the screen"
    assert page.locator("main").bounding_box() == main_before, "the page does not move"
    targets = [link.bounding_box() for link in nav_links(page).all()]
    assert all(box["height"] >= 44 for box in targets), "large enough to touch"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_on_a_desktop_the_links_show_without_a_button(demo_url, open_page, javascript):
    page = open_page(demo_url, DESKTOP, javascript=javascript)
    expect(page.locator(".main-nav summary")).to_be_hidden()
    links = nav_links(page)
    expect(links).to_have_text(MENU)
    rows = {round(link.bounding_box()["y"]) for link in links.all()}
    assert len(rows) == 1, "the links in one row"


@pytest.mark.parametrize("path", [PAGE_TYPES["home"], PAGE_TYPES["story"]], ids=["home", "story"])
def test_on_a_desktop_the_navigation_is_a_bar_below_the_brand(demo_url, open_page, path):
    """A deliberate second row: the links start under the brand and the bar spans the header's width,
    whatever the width of the menu's words in the machine's font."""
    page = open_page(demo_url + path, DESKTOP)
    brand, nav = page.locator(".brand").bounding_box(), page.locator(".main-nav").bounding_box()
    inner = page.locator(".header-inner").evaluate(
        "el => { const s = getComputedStyle(el), r = el.getBoundingClientRect();"
        " const left = parseFloat(s.paddingLeft), right = parseFloat(s.paddingRight);"
        " return {x: r.x + left, width: r.width - left - right}; }")
    assert nav["y"] >= brand["y"] + brand["height"], "below the brand"
    assert abs(nav["x"] - inner["x"]) < 1 and abs(nav["width"] - inner["width"]) < 1, "across the header"
    first, last = nav_links(page).first.bounding_box(), nav_links(page).last.bounding_box()
    assert abs(first["x"] - brand["x"]) < 1, "aligned with the brand"
    assert last["x"] + last["width"] <= nav["x"] + nav["width"], "every link inside the bar"
    assert page.locator(".main-nav").evaluate("el => getComputedStyle(el).borderTopStyle") == "solid"


def test_presse_leads_to_the_press_pages_and_is_current_below_them(demo_url, open_page):
    page = open_page(demo_url, DESKTOP)
    presse = nav_links(page).filter(has_text="Presse")
    expect(presse).to_have_attribute("href", "/presse/")
    expect(presse).not_to_have_attribute("aria-current", "true")
    page.goto(demo_url + PAGE_TYPES["appointments"])
    expect(nav_links(page).filter(has_text="Presse")).to_have_attribute("aria-current", "true")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
@pytest.mark.parametrize("path", [PAGE_TYPES["home"], PAGE_TYPES["story"]], ids=["home", "story"])
def test_the_navigation_has_no_wcag_violations_closed_and_open(demo_url, open_page, axe, path, viewport):
    # Scripts on: axe needs the page's timers; the menu is the same without them (tests above).
    page = open_page(demo_url + path, viewport)
    violations = axe(page)
    assert not violations, f"{path or 'home'} at {viewport['width']} px:\n{format_violations(violations)}"
    if viewport is PHONE:
        page.locator(".main-nav summary").click()
        violations = axe(page)
        assert not violations, f"{path or 'home'}, menu open:\n{format_violations(violations)}"


@pytest.mark.parametrize("path", [PAGE_TYPES["feeds"], PAGE_TYPES["media-photo"], PAGE_TYPES["media-video"]],
                         ids=["feeds", "media-photo", "media-video"])
def test_table_headers_keep_their_words_whole_on_a_small_phone(demo_url, open_page, path):
    page = open_page(demo_url + path, {"width": 320, "height": 640})
    assert page.locator("th").count() > 3
    assert page.evaluate(SPLIT_WORDS) == []
    # A table wider than the screen scrolls in its frame; the page itself never does.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
