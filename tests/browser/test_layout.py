"""Reflow: each page type works at 320 CSS pixels and at 200 % zoom (WCAG 1.4.4, 1.4.10).

200 % zoom is emulated as Chromium does it: a 1280 × 900 window at zoom 2 lays pages out
in 640 × 450 CSS pixels at device scale factor 2. Full-page screenshots of both go to
test-output/browser/<test>/ for a person to look at.
"""

from __future__ import annotations

import pytest

from tests.browser.pages import PAGE_TYPES

VIEWS = {
    "320px": {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 1},
    "zoom200": {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2},
}

# Elements that stick out of the viewport to the right (visually hidden ones excepted),
# and whether the page as a whole scrolls sideways.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if (box.right > width + 1 || box.left < -1) out.push(el.outerHTML.slice(0, 100));
  }
  return {scrolls: document.documentElement.scrollWidth > width + 1, out: out.slice(0, 10)};
}"""

# Text clipped inside its box: more content than room with overflow hidden.
CLIPPED = """() => [...document.body.querySelectorAll('*')].filter(el => {
  const style = getComputedStyle(el);
  if (!['hidden', 'clip'].includes(style.overflowX) && !['hidden', 'clip'].includes(style.overflowY)) return false;
  if (el.closest('.visually-hidden, .skip-link')) return false;
  return el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
}).map(el => el.outerHTML.slice(0, 100))"""


@pytest.mark.parametrize("view", VIEWS, ids=VIEWS.keys())
@pytest.mark.parametrize("path", PAGE_TYPES.values(), ids=PAGE_TYPES.keys())
def test_page_type_reflows_without_sideways_scrolling(browser, demo_url, artifacts, path, view):
    context = browser.new_context(locale="de-DE", **VIEWS[view])
    try:
        page = context.new_page()
        page.goto(demo_url + path, wait_until="networkidle")
        page.screenshot(path=str(artifacts / f"{view}.png"), full_page=True)
        overflow = page.evaluate(OVERFLOW)
        assert not overflow["scrolls"], f"scrolls sideways; too wide: {overflow['out']}"
        assert not overflow["out"], f"outside the viewport: {overflow['out']}"
        assert not page.evaluate(CLIPPED), "text cut off"
    finally:
        context.close()


def test_leichte_sprache_stands_beside_the_text_and_below_it_when_narrow(browser, demo_url, artifacts):
    boxes = {}
    for width in (1280, 320):
        context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(demo_url + PAGE_TYPES["story"])
        page.screenshot(path=str(artifacts / f"{width}px.png"), full_page=True)
        boxes[width] = [page.locator(s).bounding_box() for s in (".story-body", "#leichte-sprache")]
        context.close()
    text, easy = boxes[1280]
    assert easy["x"] >= text["x"] + text["width"] and abs(easy["y"] - text["y"]) < 2, "beside"
    text, easy = boxes[320]
    assert easy["y"] >= text["y"] + text["height"], "below"
