"""Keyboard: Tab reaches every interactive element of each page type, and focus is visible."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import PAGE_TYPES

INTERACTIVE = ("a[href], button, input:not([type=hidden]), select, textarea, summary, iframe,"
               " [tabindex]:not([tabindex='-1'])")

# Everything a visitor can operate that is rendered (not display:none / visibility:hidden). A group
# of radio buttons is one Tab stop, its checked button (the arrow keys move within it), as browsers do.
LIST_INTERACTIVE = """selector => [...document.querySelectorAll(selector)]
  .filter(el => !el.disabled && el.checkVisibility({visibilityProperty: true}))
  .filter(el => !(el.type === 'radio' && !el.checked && el.form && [...el.form.elements].some(
    other => other.type === 'radio' && other.name === el.name && other.checked)))
  .map(el => el.outerHTML.slice(0, 120))"""

# What the focused element is and how its focus shows: an outline or a ring of box-shadow,
# inside the viewport (scrolled there), not clipped to nothing.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    html: el.outerHTML.slice(0, 120),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    ring: style.boxShadow !== 'none',
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
              && box.top < innerHeight && box.left < innerWidth,
  };
}"""


def tab_through(page, limit: int = 400) -> list[dict]:
    """Press Tab until focus comes back to the first element; what was focused each time."""
    seen: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue  # the browser's own UI between the last and the first element
        if seen and focused["html"] == seen[0]["html"]:
            return seen
        seen.append(focused)
    raise AssertionError(f"Tab did not come round within {limit} presses")


@pytest.mark.parametrize("path", PAGE_TYPES.values(), ids=PAGE_TYPES.keys())
def test_every_interactive_element_is_reachable_with_visible_focus(page, demo_url, path):
    page.goto(demo_url + path, wait_until="networkidle")
    wanted = page.evaluate(LIST_INTERACTIVE, INTERACTIVE)
    reached = tab_through(page)
    assert reached[0]["html"].startswith('<a class="skip-link"'), "the skip link comes first"
    missing = [html for html in wanted if html not in {r["html"] for r in reached}]
    assert not missing, f"not reachable with Tab: {missing}"
    invisible = [r["html"] for r in reached if not (r["outline"] or r["ring"]) or not r["onScreen"]]
    assert not invisible, f"focus not visible: {invisible}"


def test_skip_link_moves_focus_to_the_content(page, demo_url):
    page.goto(demo_url + PAGE_TYPES["story"])
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhalt"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_search_is_operated_by_keyboard(page, demo_url):
    page.goto(demo_url + "suche/")
    page.get_by_role("searchbox", name="Suchbegriff").wait_for()
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "suche-begriff":
            break
    page.keyboard.type("Rosenmontag")
    page.keyboard.press("Enter")
    page.locator(".search-result-title a").first.wait_for()
    stops = []
    for _ in range(8):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert stops[:7] == ["Suchen", "suche-thema", "suche-amt", "suche-bezirk", "suche-jahr", "suche-sortierung",
                         "suche-pm"]
    assert page.evaluate("document.activeElement.closest('.search-result-title') !== null")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")  # "Nur Pressemitteilungen"
    expect(page).to_have_url(re.compile(r"/suche/\?q=Rosenmontag&art=Pressemitteilung$"))
