"""English pages in Chromium at 1280 and 375 px: a translated story and its German original name each
other (hreflang), the language switch leads from one to the other and back, the English home page lists
the translated stories only, and axe finds no WCAG 2.1 AA violation on them."""

from __future__ import annotations

import pytest

from tests.browser.conftest import format_violations
from tests.browser.pages import PAGE_TYPES

GERMAN = "aktuelles/2026/05/japan-tag-am-16-mai-mit-neuem-familienbereich/"
ENGLISH = PAGE_TYPES["story-english"]
WIDTHS = [1280, 375]
# Words of the site's German texts (menu, footer, service bar, Thema and Amt, interface texts, the crisis
# banner, the official warnings, a table's frame): on an English page each must lie inside lang="de".
GERMAN_WORDS = ("Aktuelles", "Themen", "Stadtbezirk", "Ämter", "Amt für", "Presse", "Medienportal", "Kontakt",
                "Suche", "Impressum", "Datenschutz", "Barriere", "Leichte Sprache", "Gebärdensprache", "Abonnement",
                "Termine", "Feeds", "Veranstaltungen", "Soziales", "Landeshauptstadt", "Startseite", "Zum Inhalt",
                "Menü", "Hauptnavigation", "Veröffentlicht", "Meldung", "Tabelle", "Sprache", "Übersetzt",
                "Aktualisiert", "Warnung", " und ", " der ", " für ", " Uhr")
# Every text and every named attribute of the page, with the language it is in (its closest lang).
TEXTS_WITH_LANGUAGE = """() => {
  const found = [];
  const language = el => (el.closest('[lang]') || document.documentElement).getAttribute('lang');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, ' ');
    if (text.trim()) found.push([language(node.parentElement), text]);
  }
  for (const el of document.body.querySelectorAll('[aria-label], [alt], [title]')) {
    for (const name of ['aria-label', 'alt', 'title']) {
      if (el.getAttribute(name)) found.push([language(el), ' ' + el.getAttribute(name) + ' ']);
    }
  }
  return found;
}"""


def german_in_english(page) -> list[str]:
    """The texts of the page that are German but not marked so."""
    return [text.strip() for lang, text in page.evaluate(TEXTS_WITH_LANGUAGE)
            if lang != "de" and any(word in text for word in GERMAN_WORDS)]


def alternates(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        'link[rel="alternate"][hreflang]', "links => Object.fromEntries(links.map(l => [l.hreflang, l.href]))")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_language_switch_leads_to_the_translation_and_back(page, demo_url, axe, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo_url + GERMAN)
    assert page.evaluate("document.documentElement.lang") == "de"
    site = "http://localhost:8000/"  # SITEURL: alternates are absolute addresses
    expected = {"de": site + GERMAN, "en": site + ENGLISH, "x-default": site + GERMAN}
    assert alternates(page) == expected
    switch = page.get_by_role("navigation", name="Sprache").get_by_role("link", name="English")
    assert switch.get_attribute("lang") == "en" and switch.is_visible()
    switch.click()
    page.wait_for_url(demo_url + ENGLISH)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Japan Day on 16 May with a new family area"
    assert alternates(page) == expected
    assert not german_in_english(page)
    assert page.locator(".dateline time").inner_text() == "7 May 2026, 10:00"  # British, as the text is
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    violations = axe(page)
    assert not violations, f"{ENGLISH} at {width} px:\n{format_violations(violations)}"
    back = page.get_by_role("navigation", name="Language").get_by_role("link", name="Deutsch")
    assert back.get_attribute("lang") == "de"
    back.click()
    page.wait_for_url(demo_url + GERMAN)
    assert page.evaluate("document.documentElement.lang") == "de"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_english_home_lists_the_translated_stories(page, demo_url, axe, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo_url + "impressum/")  # a page without translation: the switch leads to the English home
    page.get_by_role("navigation", name="Sprache").get_by_role("link", name="English").click()
    page.wait_for_url(demo_url + "en/")
    assert page.evaluate("document.documentElement.lang") == "en"
    titles = page.locator(".card-title").all_inner_texts()
    # Newest first; the tram story is dated after the demo build's time (tests.support.NOW).
    assert titles == ["Japan Day on 16 May with a new family area", "Heat helpline calls older people on hot days"]
    assert all(not title.startswith(("Japan-Tag", "Straßenbahn")) for title in titles)
    assert not german_in_english(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    violations = axe(page)
    assert not violations, f"en/ at {width} px:\n{format_violations(violations)}"
    page.get_by_role("link", name="Japan Day on 16 May with a new family area").click()
    page.wait_for_url(demo_url + ENGLISH)
