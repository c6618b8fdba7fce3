"""The site search: Pagefind's index of the built demo site, queried in the browser itself."""

from __future__ import annotations

import html
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import format_violations
from tests.support import REPO

STORY = "aktuelles/2026/02/rosenmontag-2026-das-muessen-jecken-wissen/"


def test_search_finds_a_story_by_a_word_of_its_text(page, demo_url, network):
    page.goto(demo_url + "suche/")
    page.get_by_role("textbox", name="Suchbegriff eingeben").fill("Jugendschutzstellen")
    result = page.locator(".pagefind-ui__result-link").first
    expect(result).to_have_text("Rosenmontag 2026: Das müssen Jecken wissen")
    assert result.get_attribute("href") == "/" + STORY
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^1 Ergebnis"))
    assert not network.foreign(demo_url)


def test_search_stems_german_words(page, demo_url):
    """'Jecke' finds 'Jecken' only with the German stemmer of Pagefind's extended build."""
    page.goto(demo_url + "suche/?q=Jecke")
    expect(page.locator(".pagefind-ui__result-link").first).to_have_text(re.compile("Rosenmontag"))


def test_search_reports_no_result_in_german(page, demo_url):
    page.goto(demo_url + "suche/?q=Zwetschgendatschi")
    expect(page.locator(".pagefind-ui__message")).to_contain_text("Keine Ergebnisse")


def test_search_results_meet_wcag(page, demo_url, axe):
    page.goto(demo_url + "suche/?q=Rosenmontag")
    expect(page.locator(".pagefind-ui__result-link").first).to_be_visible()
    violations = axe(page)
    assert not violations, format_violations(violations)


def test_lists_are_not_indexed_only_stories_and_pages(demo_output):
    import json

    entry = json.loads((demo_output / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["de"]
    # A withdrawn story keeps its page but leaves the index (it says noindex to search engines as well).
    stories = len([p for p in (demo_output / "aktuelles").glob("*/*/*/index.html")
                   if 'content="noindex"' not in p.read_text(encoding="utf-8")])
    pages = len(list((REPO / "content" / "pages").glob("*.md")))  # Impressum, Datenschutz, …
    media = len(list((demo_output / "medienportal" / "medien").glob("*/*/index.html")))  # each media item
    assert media > 5
    assert entry["languages"]["de"]["page_count"] == stories + pages + media + 1  # and the feeds page's text


def test_media_portal_items_are_found_by_their_description(page, demo_url):
    page.goto(demo_url + "suche/?q=Wochenrückblick")
    # Pagefind shows its results one after the other as their fragments load: wait for this one.
    expect(page.locator('.pagefind-ui__result-link[href="/medienportal/medien/videos/wochenrueckblick-2026-47/"]')
           ).to_be_visible()


def test_feeds_page_is_found_by_its_text_not_by_every_feed_name(page, demo_url):
    page.goto(demo_url + "suche/?q=Feedreader")
    expect(page.locator(".pagefind-ui__result-link").first).to_have_text("RSS-Feeds")
    page.goto(demo_url + "suche/?q=Stadtbezirk 10")
    expect(page.locator(".pagefind-ui__message")).to_be_visible()
    assert "RSS-Feeds" not in page.locator(".pagefind-ui__results").inner_text()


def test_without_an_index_the_page_says_so_and_points_to_the_archive(page, demo_output, tmp_path, serve_folder):
    import shutil

    site = tmp_path / "ohne-index"
    shutil.copytree(demo_output, site, ignore=shutil.ignore_patterns("pagefind"))
    page.goto(serve_folder(site) + "suche/")
    expect(page.get_by_role("status")).to_have_text(
        "Die Suche ist gerade nicht verfügbar. Alle Meldungen finden Sie im Archiv.")


# The text a reader searches for: the summary, the body and the Leichte-Sprache text of a story or
# page, the description of a media item; never its labels, dates, credits or navigation.
READER_TEXT = """() => [...document.querySelectorAll(
    "[data-pagefind-body] :is(.summary, .story-body, .easy-read, .lead, .media-item figcaption)")].map((element) => {
  const copy = element.cloneNode(true);
  copy.querySelectorAll(".credit, #leichte-sprache-heading").forEach((label) => label.remove());
  return copy.textContent;
}).join(" ")"""

# Every result's excerpt and the excerpts of its sections, through Pagefind's documented JS API.
EXCERPTS = """async ([bundle, query]) => {
  const pagefind = await import(bundle + "pagefind.js");
  const search = await pagefind.search(query);
  const found = await Promise.all(search.results.map((result) => result.data()));
  return found.map((data) => [data.url, [data.excerpt, ...data.sub_results.map((sub) => sub.excerpt)]]);
}"""


def _words(text):
    return re.findall(r"\w+", html.unescape(re.sub(r"<[^>]+>", "", text)).lower())


def _is_run_of(words, text):
    return any(text[at:at + len(words)] == words for at in range(len(text) - len(words) + 1))


@pytest.mark.parametrize("query", ["Ordnung", "Verkehrsmanagement"])  # a Thema's name, an Amt's name
def test_excerpts_are_the_pages_own_text_without_labels(page, demo_url, query):
    page.goto(demo_url + "suche/")
    results = page.evaluate(EXCERPTS, [demo_url + "pagefind/", query])
    assert len(results) >= 2
    for url, excerpts in results:
        page.goto(demo_url.rstrip("/") + url)
        text = _words(page.evaluate(READER_TEXT))
        for excerpt in excerpts:
            assert _is_run_of(_words(excerpt), text), f"{url}: {excerpt}"


def test_thema_and_title_stay_searchable_as_metadata(page, demo_url):
    """The kicker names the Thema and the h1 the title; both are left out of the excerpts but found."""
    page.goto(demo_url + "suche/?q=Ordnung")
    result = page.locator(".pagefind-ui__result").filter(has_text="Neue Feuer- und Rettungswache Süd ist in Betrieb")
    expect(result).to_contain_text("Thema: Sicherheit & Ordnung")
    page.goto(demo_url + "suche/?q=Rekordinvestitionen")  # a word of the title only
    expect(page.locator(".pagefind-ui__result-link").first).to_have_text(
        "Rat beschließt Haushalt 2025 mit Rekordinvestitionen")
