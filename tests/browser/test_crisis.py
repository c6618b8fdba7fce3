"""Krisenmodus in the browser: with a crisis active, the banner on one page of each kind (home, story,
an English story, a Thema list, the media portal, a static page, the press appointments, the emergency
page) at 1280 px and at 320 px, without JavaScript, without a WCAG violation and without a request to
another host.

One demo site with content/krise.yml is built for the module; each width loads every page once,
with JavaScript switched off, and the tests read what that visit saw.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import pytest

from tests.browser.conftest import NetworkLog, _is_loopback, build_site, format_violations
from tests.browser.pages import PAGE_TYPES
from tests.support import REPO

# Active at tests.support.NOW (2026-11-26 12:00), with an update already shown and the details in
# a published demo story (the mobile flood walls).
CRISIS = """\
id: hochwasser-rhein-2026-11
level: Gefahr
title: "Hochwasser am Rhein: Ufer gesperrt"
text: >
  Der Rhein steigt schnell. Die Rheinuferpromenade und die Parkplätze am Ufer sind gesperrt.
  Bitte meiden Sie das Ufer und folgen Sie den Anweisungen der Einsatzkräfte.
start: 2026-11-26 08:00
story: 2a5fa4d1aca1
channels: [press, buerger, mastodon]
updates:
  - date: 2026-11-26 10:30
    text: "Die Oberkasseler Brücke ist für Fußgänger gesperrt."
"""
TITLE = "Hochwasser am Rhein: Ufer gesperrt"
KINDS = {
    "home": PAGE_TYPES["home"],
    "story": PAGE_TYPES["story"],
    "story-english": PAGE_TYPES["story-english"],
    "thema": PAGE_TYPES["list-thema"],
    "media-portal": PAGE_TYPES["media-portal"],
    "impressum": PAGE_TYPES["impressum"],
    "appointments": PAGE_TYPES["appointments"],
    "krise": "krise/",
}
WIDTHS = (1280, 320)
BANNER = "section.krise"
HEADING = "#krise-titel"

# Whether the page scrolls sideways, and what sticks out to the right (visually hidden parts excepted).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.body.querySelectorAll('*')].filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && (box.right > width + 1 || box.left < -1);
  }).map(el => el.outerHTML.slice(0, 100));
  return {scrolls: document.documentElement.scrollWidth > width + 1, out: out.slice(0, 10)};
}"""


@dataclass
class Visit:
    status: int
    in_html: bool
    banners: int
    banner_visible: bool
    banner_lang: str | None
    heading: str
    heading_visible: bool
    heading_in_view: bool
    links: list[str]
    overflow: dict
    violations: list[dict]
    foreign: list[str]


@pytest.fixture(scope="module")
def crisis_site(tmp_path_factory, serve_folder) -> str:
    root = tmp_path_factory.mktemp("krise")
    shutil.copytree(REPO / "content", root / "content")
    (root / "content" / "krise.yml").write_text(CRISIS, encoding="utf-8")
    return serve_folder(build_site(root / "content", root))


class NoScripts:
    """A page in its own context that loads pages with JavaScript off and runs axe on what it got.

    Chromium's script switch (DevTools protocol) is off while a page loads, so none of its scripts
    run; it is switched on only to run axe on that DOM (axe.run needs the page's timers)."""

    def __init__(self, browser, width: int):
        self.network = NetworkLog()
        self.context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", service_workers="block",
                                           viewport={"width": width, "height": 800})
        self.context.on("request", self.network.record)
        self.context.route(lambda url: not _is_loopback(url), lambda route: route.abort("blockedbyclient"))
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.devtools = self.context.new_cdp_session(self.page)

    def load(self, url: str):
        self.network.clear()
        self.devtools.send("Emulation.setScriptExecutionDisabled", {"value": True})
        return self.page.goto(url, wait_until="networkidle")

    def axe(self, run_axe) -> list[dict]:
        self.devtools.send("Emulation.setScriptExecutionDisabled", {"value": False})
        try:
            return run_axe(self.page)
        finally:
            self.devtools.send("Emulation.setScriptExecutionDisabled", {"value": True})

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def visits(browser, crisis_site, axe):
    """width → kind → Visit, each width's pages loaded once, on first use."""
    seen: dict[int, dict[str, Visit]] = {}

    def at(width: int) -> dict[str, Visit]:
        if width not in seen:
            visitor = NoScripts(browser, width)
            try:
                seen[width] = {kind: _visit(visitor, crisis_site + path, axe) for kind, path in KINDS.items()}
            finally:
                visitor.close()
        return seen[width]

    return at


def _visit(visitor: NoScripts, url: str, axe) -> Visit:
    response = visitor.load(url)
    page = visitor.page
    banner, heading = page.locator(BANNER), page.locator(HEADING)
    box = heading.first.bounding_box() if heading.count() else None
    return Visit(
        status=response.status if response else 0,
        in_html=response is not None and 'id="krise-titel"' in response.text(),
        banners=banner.count(),
        banner_visible=banner.count() == 1 and banner.is_visible(),
        banner_lang=banner.first.get_attribute("lang") if banner.count() else None,
        heading=" ".join(heading.first.text_content().split()) if heading.count() else "",
        heading_visible=heading.count() == 1 and heading.is_visible(),
        heading_in_view=box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"],
        links=banner.first.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        if banner.count() else [],
        overflow=page.evaluate(OVERFLOW),
        violations=visitor.axe(axe),
        foreign=[r.url for r in visitor.network.foreign(url)],
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", KINDS)
def test_the_banner_is_on_every_kind_of_page_without_javascript(visits, kind, width):
    visit = visits(width)[kind]
    assert visit.status == 200
    assert visit.in_html  # in the page as served, not put there by a script
    assert visit.banners == 1 and visit.banner_visible
    assert visit.banner_lang == "de"  # German on the English pages too, and says so (WCAG 3.1.2)
    assert visit.heading_visible and visit.heading_in_view, visit.heading
    assert visit.heading == f"Gefahr: {TITLE}"
    assert any(href.rstrip("/").endswith("krise") for href in visit.links), visit.links


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_page_with_the_banner_fits_the_screen_and_has_no_wcag_violation(visits, kind, width):
    visit = visits(width)[kind]
    assert not visit.overflow["scrolls"], f"scrolls sideways; too wide: {visit.overflow['out']}"
    assert not visit.violations, f"{kind} at {width} px:\n{format_violations(visit.violations)}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_page_with_the_banner_requests_only_the_own_host(visits, kind, width):
    assert not visits(width)[kind].foreign


def test_no_script_runs_while_a_page_loads(browser, serve_folder, tmp_path):
    """The visits above can fail: a same-origin script that would mark the page does not run."""
    (tmp_path / "index.html").write_text('<!DOCTYPE html><html lang="de"><title>T</title><script src="s.js"></script>'
                                         "<p>Seite</p>", encoding="utf-8")
    (tmp_path / "s.js").write_text("document.documentElement.dataset.scripts = 'ran';", encoding="utf-8")
    url = serve_folder(tmp_path)
    visitor = NoScripts(browser, 320)
    try:
        visitor.load(url)
        assert visitor.page.evaluate("document.documentElement.dataset.scripts") is None
        visitor.devtools.send("Emulation.setScriptExecutionDisabled", {"value": False})
        visitor.page.reload()
        assert visitor.page.evaluate("document.documentElement.dataset.scripts") == "ran"
    finally:
        visitor.close()
