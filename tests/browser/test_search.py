"""The site search: the search page (theme/static/js/search.js) on Pagefind's JavaScript API over the
index parts of the built demo site (pagefind/teile.json), queried in the browser itself.

Every count a test expects is computed from the built HTML (the pages' data-pagefind-filter and
data-pagefind-sort attributes) or from Pagefind's own API, never written down."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import git
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import build_site, format_violations
from tests.support import GIT_IDENTITY, REPO

STORY = "aktuelles/2026/02/rosenmontag-2026-das-muessen-jecken-wissen/"
PRESS_STORY = "aktuelles/2026/03/neue-feuer-und-rettungswache-sued-ist-in-betrieb/"
PRESS_NUMBER = "PM 7/2026"
PRESS_SOURCE = "stories/2026/2026-03-10-feuerwache-sued-in-betrieb.md"  # below content/
PRESS_KEY = "c4efddf6c78f"  # its id
BODY = re.compile(r"<[^>]*\sdata-pagefind-body[\s>]")
FILTER = re.compile(r'\sdata-pagefind-filter="([^":]+):([^"]*)"')
DATUM = re.compile(r'\sdata-pagefind-sort="datum:([^"]*)"')
LANG = re.compile(r'<html lang="([^"]*)"')
RESULT_LINKS = "els => els.map(a => a.getAttribute('href'))"


# -- what the built site holds -------------------------------------------------------------------

def indexed_pages(output: Path, lang: str | None = "de") -> dict[str, dict]:
    """Every page Pagefind indexes in `lang` (the search page's; None: in any), by its URL: its filters
    (name → values) and its datum."""
    pages = {}
    for path in output.rglob("*.html"):
        relative = path.relative_to(output).as_posix()
        if relative.startswith("pagefind/"):
            continue
        text = path.read_text(encoding="utf-8")
        if not BODY.search(text) or (lang and LANG.search(text)[1] != lang):
            continue
        filters: dict[str, list[str]] = {}
        for name, value in FILTER.findall(text):
            filters.setdefault(name, []).append(html.unescape(value))
        datum = DATUM.search(text)
        url = "/" + relative.removesuffix("index.html")
        pages[url] = {"filters": filters, "datum": datum[1] if datum else None}
    return pages


def having(pages: dict[str, dict], name: str, value: str) -> set[str]:
    return {url for url, page in pages.items() if value in page["filters"].get(name, [])}


# Every result of a query through Pagefind's API, the parts merged as the search page does.
# Run on a page other than suche/: the module is one per page, and the search page merges it itself.
API_SEARCH = """async ([query, filters]) => {
  const teile = (await (await fetch("/pagefind/teile.json")).json()).teile;
  const pagefind = await import(`/pagefind/${teile[0].name}/pagefind.js`);
  await pagefind.options({basePath: `/pagefind/${teile[0].name}/`, mergeFilter: {teil: teile[0].name}});
  await Promise.all(teile.slice(1).map((t) => pagefind.mergeIndex(`/pagefind/${t.name}/`, {mergeFilter: {teil: t.name}})));
  const search = await pagefind.search(query, {filters});
  const found = await Promise.all(search.results.map((result) => result.data()));
  return found.map((data) => [data.url, [data.excerpt, ...data.sub_results.map((sub) => sub.excerpt)], data.content]);
}"""


def api_search(page, base_url: str, query: str | None, filters: dict | None = None) -> list[tuple[str, list[str]]]:
    """(URL, excerpts) of every result in Pagefind's order of relevance."""
    return [(url, excerpts) for url, excerpts, _ in api_results(page, base_url, query, filters)]


def api_results(page, base_url: str, query: str | None, filters: dict | None = None) -> list[list]:
    page.goto(base_url + "impressum/")
    return page.evaluate(API_SEARCH, [query, filters or {}])


# -- driving the search page ---------------------------------------------------------------------

def status(page):
    return page.locator("#suche-status")


def all_results(page) -> list[str]:
    """The result links in their order, after "Weitere Treffer" until every result is shown."""
    expect(page.locator("#suche-treffer[aria-busy]")).to_have_count(0)
    more = page.get_by_role("button", name="Weitere Treffer")
    while more.is_visible():
        shown = page.locator(".search-result").count()
        more.click()
        expect(page.locator(".search-result")).not_to_have_count(shown)
    return page.locator(".search-result-title a").evaluate_all(RESULT_LINKS)


def expect_count(page, count: int) -> None:
    if count:
        expect(status(page)).to_have_text(re.compile(rf"^{count} Treffer\b"))
    else:
        expect(status(page)).to_have_text(re.compile(r"^Keine Treffer"))


# -- a site with more parts and a press release ----------------------------------------------------

def record_press_release(content: Path) -> None:
    """The record of sends as a publish run leaves it in the content's git repository: the claim
    commit numbers PRESS_STORY's release (the register of 2026 gives it number 7), the next one
    records it sent. Written by the Ledger the publish run writes with."""
    from newsroom.build.runner import load_settings
    from newsroom.dates import BERLIN
    from newsroom.publishing.pipeline import ledger_from_settings
    from newsroom.publishing.plan import this_run
    from newsroom.publishing.press_numbers import REGISTER
    from newsroom.publishing.records import CLAIMED, SENT, ChannelRecord, Receipt
    from plugins.press.numbers import dump_register

    settings = load_settings(REPO / "pelicanconf.py", {"PATH": str(content)})
    number = settings["PRESS_NUMBER_FORMAT"].format(number=7, year=2026)
    issued = datetime(2026, 3, 10, 12, 5, tzinfo=BERLIN).isoformat()
    ledger = ledger_from_settings(settings)
    claim = ChannelRecord(CLAIMED, f"{PRESS_KEY}-press-1", this_run(), issued,
                          detail={"number": number, "issued": issued})
    receipt = Receipt(PRESS_KEY, {"press": claim}, f"{content.name}/{PRESS_SOURCE}")
    ledger.write([receipt], f"publish: claim {PRESS_KEY}/press",
                 {REGISTER.format(year=2026): dump_register(2026, {7: PRESS_KEY})})
    sent = replace(claim, status=SENT, finished=issued, remote_id=number, detail={**claim.detail, "recipients": 4})
    ledger.write([receipt.with_record("press", sent)], f"publish: press sent for {PRESS_KEY}")


def build_with_press_release(root: Path) -> Path:
    """The demo content in a git repository of its own below `root`, its record of sends saying
    PRESS_STORY went out as PM 7/2026 (record_press_release), built; returns the output folder."""
    content = shutil.copytree(REPO / "content", root / "redaktion" / "content")
    repo = git.Repo.init(content.parent, initial_branch="main")
    repo.git.add("-A")
    repo.git.commit("-m", "Demo", env={**os.environ, **GIT_IDENTITY})
    record_press_release(content)
    return build_site(content, root)


@pytest.fixture(scope="module")
def archive_output(tmp_path_factory) -> Path:
    """The demo content in a git repository of its own, whose record of sends says PRESS_STORY went
    out as press release PM 7/2026, built and then indexed with at most four pages per part, so
    years are cut into month ranges and "Neueste zuerst" spans many parts."""
    from newsroom.search.index import index_site

    output = build_with_press_release(tmp_path_factory.mktemp("archiv"))
    index_site(output, part_pages=4)
    return output


@pytest.fixture(scope="module")
def archive_url(archive_output, serve_folder) -> str:
    return serve_folder(archive_output)


# -- finding -----------------------------------------------------------------------------------------

def test_search_finds_a_story_by_a_word_of_its_text(page, demo_url, network):
    # Pagefind answers each part alone: parts without the word add near words ("Jugendschutz").
    count = len(api_search(page, demo_url, "Jugendschutzstellen"))
    network.clear()
    page.goto(demo_url + "suche/")
    page.get_by_role("searchbox", name="Suchbegriff").fill("Jugendschutzstellen")
    result = page.locator(".search-result-title a").first
    expect(result).to_have_text("Rosenmontag 2026: Das müssen Jecken wissen")
    assert result.get_attribute("href") == "/" + STORY
    expect(page.get_by_role("status")).to_have_text(f"{count} Treffer für „Jugendschutzstellen“, die neuesten zuerst.")
    assert page.url.endswith("/suche/?q=Jugendschutzstellen")
    assert not network.foreign(demo_url)


def test_search_stems_german_words(page, demo_url):
    """'Jecke' finds 'Jecken' only with the German stemmer of Pagefind's extended build."""
    page.goto(demo_url + "suche/?q=Jecke")
    expect(page.locator(".search-result-title a").first).to_have_text(re.compile("Rosenmontag"))


def test_search_reports_no_result_in_german(page, demo_url):
    page.goto(demo_url + "suche/?q=Zwetschgendatschi")
    expect(status(page)).to_have_text(
        "Keine Treffer für „Zwetschgendatschi“. Versuchen Sie andere Wörter oder weniger Filter.")
    expect(page.locator(".search-result")).to_have_count(0)
    expect(page.get_by_role("button", name="Weitere Treffer")).to_be_hidden()


def test_every_story_page_and_media_item_is_in_one_part(demo_output):
    teile = json.loads((demo_output / "pagefind" / "teile.json").read_text(encoding="utf-8"))["teile"]
    # A withdrawn story keeps its page but leaves the index (it says noindex to search engines as well).
    stories = len([p for p in (demo_output / "aktuelles").glob("*/*/*/index.html")
                   if 'content="noindex"' not in p.read_text(encoding="utf-8")])
    pages = len(list((REPO / "content" / "pages").glob("*.md")))  # Impressum, Datenschutz, …
    media = len(list((demo_output / "medienportal" / "medien").glob("*/*/index.html")))  # each media item
    assert media > 5
    translations = len(list((demo_output / "en" / "news").glob("*/*/*/index.html")))  # in their own language
    assert translations >= 2
    assert sum(t["seiten"] for t in teile) == stories + pages + media + translations + 1  # and the feeds page's text
    assert sum(t["seiten"] for t in teile) == len(indexed_pages(demo_output, lang=None))
    assert len([t for t in teile if "von" in t]) >= 2  # years: "Neueste zuerst" crosses parts


def test_pages_carry_their_filters_and_dates(demo_output):
    pages = indexed_pages(demo_output)
    assert pages["/" + STORY] == {"datum": "2026-02-10T11:00", "filters": {
        "jahr": ["2026"], "thema": ["Sicherheit & Ordnung"], "amt": ["Ordnungsamt"],
        "bezirk": ["Stadtbezirk 1", "Stadtbezirk 3"], "art": ["Meldung"]}}
    citywide = pages["/aktuelles/2022/06/hitzeaktionsplan-stadt-schuetzt-aeltere-und-kranke-menschen/"]
    assert citywide["filters"]["bezirk"] == ["Stadtweit"] and citywide["datum"] == "2022-06-20T09:30"
    assert pages["/impressum/"] == {"datum": None, "filters": {"art": ["Seite"]}}
    assert pages["/feeds/"] == {"datum": None, "filters": {"art": ["Seite"]}}
    assert pages["/medienportal/medien/videos/wochenrueckblick-2026-48/"] == {
        "datum": "2026-11-26T00:00", "filters": {"art": ["Medien"], "jahr": ["2026"]}}


def test_media_portal_items_are_found_by_their_description(page, demo_url):
    page.goto(demo_url + "suche/?q=Wochenrückblick")
    expect(page.locator('.search-result-title a[href="/medienportal/medien/videos/wochenrueckblick-2026-47/"]')
           ).to_be_visible()


def test_feeds_page_is_found_by_its_text_not_by_every_feed_name(page, demo_url):
    page.goto(demo_url + "suche/?q=Feedreader")
    expect(page.locator(".search-result-title a").first).to_have_text("RSS-Feeds")
    page.goto(demo_url + "suche/?q=Stadtbezirk 10")
    expect(status(page)).not_to_be_empty()
    assert "RSS-Feeds" not in page.locator("#suche-treffer").inner_text()


def test_without_an_index_the_page_says_so_and_points_to_the_archive(page, demo_output, tmp_path, serve_folder):
    site = tmp_path / "ohne-index"
    shutil.copytree(demo_output, site, ignore=shutil.ignore_patterns("pagefind"))
    page.goto(serve_folder(site) + "suche/")
    expect(page.get_by_role("status")).to_have_text(
        "Die Suche ist gerade nicht verfügbar. Alle Meldungen finden Sie im Archiv.")
    expect(page.get_by_role("search")).to_be_hidden()


def test_without_javascript_the_page_points_to_the_archive(demo_output):
    """Chromium with scripts switched off still parses <noscript> as text: read the built page instead."""
    text = (demo_output / "suche" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<noscript><p>Die Suche benötigt JavaScript\. Ohne JavaScript finden Sie alle Meldungen im '
                     r'<a href="/archiv/">Archiv</a>', text)
    assert re.search(r'<form id="suche" [^>]*\bhidden>', text)  # search.js shows it


# -- filters -----------------------------------------------------------------------------------------

FILTER_CHOICES = [("Thema", "thema", "Sicherheit & Ordnung"), ("Amt", "amt", "Umweltamt"),
                  ("Stadtbezirk", "bezirk", "Stadtbezirk 3"), ("Stadtbezirk", "bezirk", "Stadtweit"),
                  ("Jahr", "jahr", "2025")]


@pytest.mark.parametrize("label, name, value", FILTER_CHOICES, ids=[c[2] for c in FILTER_CHOICES])
def test_a_filter_alone_lists_every_page_it_holds_newest_first(page, demo_url, demo_output, label, name, value):
    pages = indexed_pages(demo_output)
    expected = having(pages, name, value)
    assert expected  # the demo content has pages of this value
    page.goto(demo_url + "suche/")
    select = page.get_by_label(label, exact=True)
    expect(select.locator(f'option[value="{value}"]')).to_have_text(f"{value} ({len(expected)})")
    select.select_option(value)
    expect_count(page, len(expected))
    found = all_results(page)
    assert set(found) == expected
    datums = [pages[url]["datum"] for url in found]
    assert datums == sorted(datums, reverse=True)
    assert f"{name}=" in page.url


def test_the_selects_offer_every_value_in_a_readers_order(page, demo_url, demo_output):
    pages = indexed_pages(demo_output)
    counts = {name: Counter(v for p in pages.values() for v in p["filters"].get(name, []))
              for name in ("bezirk", "jahr")}
    page.goto(demo_url + "suche/")
    bezirke = sorted((v for v in counts["bezirk"] if v != "Stadtweit"), key=lambda v: int(v.split()[-1]))
    expect(page.locator("#suche-bezirk option")).to_have_text(
        ["Alle Stadtbezirke", *(f"{v} ({counts['bezirk'][v]})" for v in [*bezirke, "Stadtweit"])])
    expect(page.locator("#suche-jahr option")).to_have_text(
        ["Alle Jahre", *(f"{v} ({counts['jahr'][v]})" for v in sorted(counts["jahr"], reverse=True))])


def test_a_query_and_filters_give_the_pages_of_both(page, demo_url, demo_output):
    pages = indexed_pages(demo_output)
    matching = {url for url, _ in api_search(page, demo_url, "Stadt")}
    in_2026 = having(pages, "jahr", "2026")
    assert 0 < len(matching & in_2026) < len(matching)
    page.goto(demo_url + "suche/?q=Stadt")
    expect_count(page, len(matching))
    page.get_by_label("Jahr", exact=True).select_option("2026")
    expect_count(page, len(matching & in_2026))
    assert set(all_results(page)) == matching & in_2026
    # Each select counts what its values would give with the other choices kept.
    themen = Counter(t for url in matching & in_2026 for t in pages[url]["filters"].get("thema", []))
    for thema, count in themen.items():
        expect(page.locator(f'#suche-thema option[value="{thema}"]')).to_have_text(f"{thema} ({count})")
    years = Counter(pages[url]["filters"]["jahr"][0] for url in matching if "jahr" in pages[url]["filters"])
    for year, count in years.items():
        expect(page.locator(f'#suche-jahr option[value="{year}"]')).to_have_text(f"{year} ({count})")


def test_only_press_releases_and_a_press_number_find_the_press_release(page, archive_url, archive_output):
    pages = indexed_pages(archive_output)
    press = having(pages, "art", "Pressemitteilung")
    assert press == {"/" + PRESS_STORY}
    page.goto(archive_url + "suche/")
    page.get_by_label("Nur Pressemitteilungen").check()
    expect_count(page, len(press))
    assert set(all_results(page)) == press
    assert page.url.endswith("?art=Pressemitteilung")
    page.get_by_label("Nur Pressemitteilungen").uncheck()
    # The number, however it is typed, finds that release alone (not every page with "PM" or "2026").
    page.get_by_role("searchbox", name="Suchbegriff").fill("pm 7 / 2026")
    expect(status(page)).to_have_text(f"1 Treffer für „{PRESS_NUMBER}“, die neuesten zuerst.")
    result = page.locator(".search-result")
    expect(result).to_have_count(1)
    expect(result.locator("a")).to_have_attribute("href", "/" + PRESS_STORY)
    expect(result.locator(".search-result-meta")).to_contain_text(f"Pressemitteilung {PRESS_NUMBER}")
    page.get_by_role("searchbox", name="Suchbegriff").fill("PM 8/2026")
    expect_count(page, 0)
    # The page says it as the story template does, from the record of sends.
    page.goto(archive_url + PRESS_STORY)
    expect(page.locator(".press-number")).to_have_text(f"Pressemitteilung {PRESS_NUMBER} vom 10. März 2026")


# -- order -------------------------------------------------------------------------------------------

def test_newest_first_is_exact_across_parts(page, archive_url, archive_output):
    teile = json.loads((archive_output / "pagefind" / "teile.json").read_text(encoding="utf-8"))["teile"]
    assert len([t for t in teile if "von" in t]) > 5  # years cut into month ranges
    pages = indexed_pages(archive_output)
    matching = {url for url, _ in api_search(page, archive_url, "die")}
    assert len(matching) > 20  # more than one page of results
    page.goto(archive_url + "suche/?q=die")
    expect(status(page)).to_have_text(
        re.compile(rf"^{len(matching)} Treffer für „die“, die neuesten zuerst \(20 angezeigt\)\.$"))
    expect(page.locator(".search-result")).to_have_count(20)
    page.get_by_role("button", name="Weitere Treffer").click()
    expect(page.locator(".search-result")).to_have_count(min(40, len(matching)))
    # The keyboard goes on with the first result added.
    assert page.evaluate("document.activeElement.getAttribute('href')") == \
        page.locator(".search-result-title a").nth(20).get_attribute("href")
    found = all_results(page)
    assert len(found) == len(set(found)) == len(matching) and set(found) == matching
    datums = [pages[url]["datum"] for url in found]
    dated = [d for d in datums if d]
    assert dated == sorted(dated, reverse=True)
    assert datums == dated + [None] * (len(datums) - len(dated))  # undated pages last
    assert len({d[:4] for d in dated}) >= 2
    expect(status(page)).to_have_text(f"{len(matching)} Treffer für „die“, die neuesten zuerst.")


def test_best_matches_follow_pagefinds_ranking(page, demo_url):
    ranked = [url for url, _ in api_search(page, demo_url, "Rhein")]
    assert len(ranked) > 2
    page.goto(demo_url + "suche/?q=Rhein")
    expect_count(page, len(ranked))
    newest = all_results(page)
    page.get_by_label("Sortierung").select_option(label="Beste Treffer")
    expect(status(page)).to_have_text(f"{len(ranked)} Treffer für „Rhein“, die besten zuerst.")
    assert all_results(page) == ranked != newest
    assert page.url.endswith("?q=Rhein&sortierung=relevanz")


# -- the address, the layout, the policy ---------------------------------------------------------------

def test_the_address_keeps_the_search_and_a_link_restores_it(page, demo_url, demo_output):
    pages = indexed_pages(demo_output)
    expected = having(pages, "thema", "Umwelt & Klima") & having(pages, "jahr", "2025")
    page.goto(demo_url + "suche/")
    page.get_by_label("Thema", exact=True).select_option("Umwelt & Klima")
    page.get_by_label("Jahr", exact=True).select_option("2025")
    expect_count(page, len(expected))
    link = page.url
    assert link.endswith("/suche/?thema=Umwelt+%26+Klima&jahr=2025")
    page.goto(demo_url)
    page.goto(link)
    expect(page.get_by_label("Thema", exact=True)).to_have_value("Umwelt & Klima")
    expect(page.get_by_label("Jahr", exact=True)).to_have_value("2025")
    expect_count(page, len(expected))
    assert set(all_results(page)) == expected


@pytest.mark.parametrize("width", [375, 1280])
def test_search_page_meets_wcag_and_fits_the_screen(page, demo_url, axe, artifacts, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo_url + "suche/?q=die&bezirk=Stadtbezirk+1")
    expect(page.locator(".search-result").first).to_be_visible()
    expect(page.get_by_role("button", name="Weitere Treffer")).to_be_hidden()
    page.screenshot(path=str(artifacts / f"suche-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing to scroll sideways
    violations = axe(page)
    assert not violations, format_violations(violations)
    page.goto(demo_url + "suche/?q=die")
    expect(page.get_by_role("button", name="Weitere Treffer")).to_be_visible()
    violations = axe(page)
    assert not violations, format_violations(violations)


# -- excerpts and metadata --------------------------------------------------------------------------

# The text a reader searches for: the summary, the body and the Leichte-Sprache text of a story or
# page, the description of a media item; never its labels, dates, credits or navigation.
READER_TEXT = """() => [...document.querySelectorAll(
    "[data-pagefind-body] :is(.summary, .story-body, .easy-read, .lead, .media-item figcaption)")].map((element) => {
  const copy = element.cloneNode(true);
  copy.querySelectorAll(".credit, #leichte-sprache-heading").forEach((label) => label.remove());
  return copy.textContent;
}).join(" ")"""


def _words(text):
    return re.findall(r"\w+", html.unescape(re.sub(r"<[^>]+>", "", text)).lower())


def _is_run_of(words, text):
    return any(text[at:at + len(words)] == words for at in range(len(text) - len(words) + 1))


@pytest.mark.parametrize("query", ["Ordnung", "Verkehrsmanagement"])  # a Thema's name, an Amt's name
def test_excerpts_are_the_pages_own_text_without_labels(page, demo_url, query):
    results = api_search(page, demo_url, query)
    assert len(results) >= 2
    for url, excerpts in results:
        page.goto(demo_url.rstrip("/") + url)
        text = _words(page.evaluate(READER_TEXT))
        for excerpt in excerpts:
            assert _is_run_of(_words(excerpt), text), f"{url}: {excerpt}"


def test_the_filters_add_no_text_to_the_index(page, demo_url):
    """A filter's value is no word of a page: a citywide story's text says "stadtweit" or "Meldung"
    only where its own text does."""
    citywide = api_results(page, demo_url, None, {"bezirk": "Stadtweit"})
    assert citywide
    for url, _, content in citywide:
        page.goto(demo_url.rstrip("/") + url)
        own = set(_words(page.evaluate(READER_TEXT))) | set(_words(page.title()))
        assert not {"stadtweit", "meldung", "ordnungsamt"} & (set(_words(content)) - own), url


def test_thema_and_title_stay_searchable_as_metadata(page, demo_url):
    """The kicker names the Thema and the h1 the title; both are left out of the excerpts but found."""
    page.goto(demo_url + "suche/?q=Ordnung")
    result = page.locator(".search-result").filter(has_text="Neue Feuer- und Rettungswache Süd ist in Betrieb")
    expect(result.locator(".search-result-meta")).to_contain_text("Sicherheit & Ordnung")
    page.goto(demo_url + "suche/?q=Rekordinvestitionen")  # a word of the title only
    expect(page.locator(".search-result-title a").first).to_have_text(
        "Rat beschließt Haushalt 2025 mit Rekordinvestitionen")
