"""The English search page (en/search/) in Chromium at 1280 and 375 px: it finds the English pages in
Pagefind's English index and no German page, the German search page finds no English page, its texts are
English and its German values say so, the two search pages name each other (hreflang, the language
switch), and axe finds no WCAG 2.1 AA violation with results shown."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import format_violations
from tests.browser.pages import PAGE_TYPES
from tests.browser.test_languages import alternates, german_in_english
from tests.browser.test_search import RESULT_LINKS, indexed_pages

SEARCH = PAGE_TYPES["search-english"]
ENGLISH_STORY = PAGE_TYPES["story-english"]
WIDTHS = [1280, 375]
SITE = "http://localhost:8000/"  # SITEURL: alternates are absolute addresses

# Every result of a query through Pagefind's API over the parts listing a language, as search.js merges them;
# run on a page in that language (Pagefind picks the index of the page's <html lang>).
API_SEARCH = """async ([query, lang]) => {
  const teile = (await (await fetch("/pagefind/teile.json")).json()).teile.filter((t) => t.sprachen.includes(lang));
  const pagefind = await import(`/pagefind/${teile[0].name}/pagefind.js`);
  await pagefind.options({basePath: `/pagefind/${teile[0].name}/`, mergeFilter: {teil: teile[0].name}});
  await Promise.all(teile.slice(1).map((t) => pagefind.mergeIndex(`/pagefind/${t.name}/`, {mergeFilter: {teil: t.name}})));
  const search = await pagefind.search(query);
  return (await Promise.all(search.results.map((result) => result.data()))).map((data) => data.url);
}"""


def api_search(page, base_url: str, query: str, lang: str) -> list[str]:
    page.goto(base_url + ("en/" if lang == "en" else "impressum/"))
    return page.evaluate(API_SEARCH, [query, lang])


def results(page) -> list[str]:
    expect(page.locator("#suche-treffer[aria-busy]")).to_have_count(0)
    return page.locator(".search-result-title a").evaluate_all(RESULT_LINKS)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_english_word_finds_the_english_story_and_no_german_page(page, demo_url, demo_output, axe, network, width):
    english = indexed_pages(demo_output, lang="en")
    assert "/" + ENGLISH_STORY in english and all(url.startswith("/en/") for url in english)
    found = api_search(page, demo_url, "Japan", "en")
    assert "/" + ENGLISH_STORY in found and all(url.startswith("/en/") for url in found)
    page.set_viewport_size({"width": width, "height": 900})
    network.clear()
    page.goto(demo_url + SEARCH)
    assert page.evaluate("document.documentElement.lang") == "en"
    page.get_by_role("searchbox", name="Search term").fill("Japan")
    expect(page.get_by_role("status")).to_have_text(
        f"{len(found)} result{'' if len(found) == 1 else 's'} for “Japan”, newest first.")
    assert set(results(page)) == set(found)
    link = page.get_by_role("link", name="Japan Day on 16 May with a new family area")
    expect(link).to_be_visible()
    # The result's Thema and Amt are German, marked so; the page's own texts are English.
    meta = page.locator(".search-result-meta").first
    assert meta.locator("span[lang=de]").count() == 2
    assert not german_in_english(page)
    assert page.url.endswith("/en/search/?q=Japan")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    violations = axe(page)
    assert not violations, f"{SEARCH} at {width} px:\n{format_violations(violations)}"
    assert not network.foreign(demo_url)
    link.click()
    page.wait_for_url(demo_url + ENGLISH_STORY)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_german_word_finds_nothing_in_english_and_an_english_one_nothing_in_german(page, demo_url, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo_url + "suche/?q=Himmelgeist")  # a German story of 2023, a part without English pages
    expect(page.locator(".search-result").first).to_be_visible()
    page.goto(demo_url + SEARCH + "?q=Himmelgeist")
    expect(page.get_by_role("status")).to_have_text(
        "No results for “Himmelgeist”. Try other words or fewer filters.")
    expect(page.locator(".search-result")).to_have_count(0)
    page.goto(demo_url + SEARCH + "?q=helpline")  # the heat helpline's English text
    expect(page.locator(".search-result").first).to_be_visible()
    assert all(url.startswith("/en/") for url in results(page))
    page.goto(demo_url + "suche/?q=helpline")
    expect(page.get_by_role("status")).not_to_be_empty()
    assert not any(url.startswith("/en/") for url in results(page))


def test_the_filters_offer_the_english_pages_values_in_german_marked_so(page, demo_url, demo_output):
    english = indexed_pages(demo_output, lang="en")
    themen = sorted({t for p in english.values() for t in p["filters"]["thema"]})
    years = sorted({y for p in english.values() for y in p["filters"]["jahr"]}, reverse=True)
    page.goto(demo_url + SEARCH)
    thema = page.get_by_label("Topic", exact=True)
    expect(thema.locator("option")).to_have_count(len(themen) + 1)
    assert thema.locator("option").first.inner_text() == "All topics"
    assert sorted(thema.locator("option[value]:not([value=''])").evaluate_all(
        "options => options.map(o => o.value)")) == themen
    assert thema.locator("option[lang=de]").count() == len(themen)
    year = page.get_by_label("Year", exact=True)
    expect(year.locator("option")).to_have_text(
        ["All years", *(re.compile(rf"^{y} \(\d+\)$") for y in years)])
    assert year.locator("option[lang=de]").count() == len(years)  # years are numbers, marked as the values are
    year.select_option(years[-1])
    expected = {url for url, p in english.items() if years[-1] in p["filters"]["jahr"]}
    expect(page.get_by_role("status")).to_have_text(re.compile(rf"^{len(expected)} results?, newest first\.$"))
    assert set(results(page)) == expected
    assert page.get_by_label("Only press releases").count() == 0 and page.locator("#suche-pm").count() == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_the_search_pages_name_each_other_and_the_switch_leads_between_them(page, demo_url, width):
    page.set_viewport_size({"width": width, "height": 900})
    expected = {"de": SITE + "suche/", "en": SITE + SEARCH, "x-default": SITE + "suche/"}
    page.goto(demo_url + "suche/")
    assert alternates(page) == expected
    switch = page.get_by_role("navigation", name="Sprache").get_by_role("link", name="English")
    expect(switch).to_be_visible()
    switch.click()
    page.wait_for_url(demo_url + SEARCH)
    assert alternates(page) == expected
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Deutsch").click()
    page.wait_for_url(demo_url + "suche/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Suche")


def test_the_english_pages_menu_leads_to_the_english_search(page, demo_url):
    page.goto(demo_url + ENGLISH_STORY)
    menu = page.get_by_role("navigation", name="Main navigation")
    if not menu.get_by_role("link", name="Search").is_visible():  # behind "Menu" on a narrow screen
        menu.get_by_text("Menu").click()
    link = menu.get_by_role("link", name="Search", exact=True)
    assert link.get_attribute("lang") is None
    link.click()
    page.wait_for_url(demo_url + SEARCH)
