"""The search index step (newsroom/search/index/index.py): real Pagefind over real builds."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newsroom.errors import SearchIndexError
from newsroom.search.index import index_site, marked_pages
from tests.support import snapshot, story_text


def _entry(output):
    return json.loads((output / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))


def test_indexes_stories_and_pages_in_german(site):
    site.story()
    site.write("pages/impressum.md", "---\ntitle: Impressum\n---\nVerantwortlich ist die Stadt.\n")
    site.commit("Start", "2026-11-19 15:00")
    site.build()
    report = index_site(site.output)
    # The story, the page, the feeds page's text and the photo's media-portal page; lists,
    # archive and home only repeat them.
    assert report.pages == 4
    assert list(_entry(site.output)["languages"]) == ["de"]
    assert report.written and not report.removed


def test_unchanged_site_leaves_the_index_byte_identical(site):
    site.story()
    site.build()
    index_site(site.output)
    before = snapshot(site.output)
    report = index_site(site.output)
    assert (report.written, report.removed) == ([], [])
    assert report.skipped  # the same pages and the same index: Pagefind is not even started
    assert snapshot(site.output) == before


def test_one_changed_story_replaces_few_files_and_removes_stale_ones(site):
    for n in range(6):
        site.story(f"2026/s{n}.md", id=f"story{n}abc", title=f"Meldung Nummer {n}")
    site.build()
    first = index_site(site.output)
    site.write("stories/2026/s3.md", story_text(id="story3abc", title="Meldung Nummer 3",
                                               body="Ganz neuer Text über Straßenbahnen.\n"))
    site.build()
    report = index_site(site.output)
    assert 0 < len(report.written) < len(first.written) / 2
    assert report.removed  # the old fragment and chunks are gone
    assert not [p for p in report.removed if (site.output / "pagefind" / p).exists()]


def test_a_full_build_keeps_the_index(site):
    site.story()
    site.build()
    index_site(site.output)
    site.build(BUILD_FULL=True)  # walks output/ instead of trusting its manifest
    assert (site.output / "pagefind" / "pagefind-entry.json").is_file()


def test_no_built_site_is_a_german_error(tmp_path):
    (tmp_path / "output").mkdir()
    with pytest.raises(SearchIndexError, match="zuerst „invoke build“"):
        index_site(tmp_path / "output")


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_only_marked_pages_are_given_to_pagefind_and_the_results_stay_the_same(site, tmp_path):
    """Pagefind reads a folder of links to the marked pages instead of the whole site; what it
    finds is what a crawl of the whole site finds: the same pages with the same titles, URLs,
    texts and meta (the fragments are named by their content)."""
    for n in range(4):
        site.story(f"2026/s{n}.md", id=f"story{n}abc", title=f"Meldung Nummer {n}", tags="[Verkehr, Radwege]")
    site.write("pages/impressum.md", "---\ntitle: Impressum\n---\nVerantwortlich ist die Stadt.\n")
    site.build()
    pages, _ = marked_pages(site.output)
    html = sorted(p.relative_to(site.output).as_posix() for p in site.output.rglob("*.html"))
    assert "impressum/index.html" in pages and "feeds/index.html" in pages
    assert not {"index.html", "archiv/index.html", "suche/index.html"} & set(pages)  # lists, home, search
    assert len(pages) < len(html) / 2

    report = index_site(site.output)
    assert report.pages == len(pages) == 7  # four stories, the Impressum, the feeds page, the photo
    assert not [p for p in site.root.glob(".output.pagefind*") if p.is_dir()]  # staging and link folders are gone

    crawl = tmp_path / "crawl"  # what `invoke search` did before: Pagefind over every file of the site
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site.output), "--output-path", str(crawl)],
                   check=True, capture_output=True)
    ours, theirs = _files(site.output / "pagefind"), _files(crawl)
    # The word index numbers the pages in the order Pagefind walks the folders, which only
    # ext4's hashed directories keep the same for both folders; everything else is equal anywhere.
    assert _records(ours) == _records(theirs)
    entry, crawled = json.loads(ours["pagefind-entry.json"]), json.loads(theirs["pagefind-entry.json"])
    assert entry["languages"]["de"]["page_count"] == crawled["languages"]["de"]["page_count"] == 7


def _records(files):
    """The per-page records (fragment/) and the bundle's scripts, styles and WebAssembly."""
    return {k: v for k, v in files.items()
            if not (k.startswith("index/") or k.endswith(".pf_meta") or k == "pagefind-entry.json")}


def test_a_change_outside_the_marked_pages_does_not_run_pagefind(site):
    site.story()
    site.build()
    index_site(site.output)
    before = snapshot(site.output / "pagefind")
    archive = site.output / "archiv" / "index.html"
    archive.write_text(archive.read_text(encoding="utf-8") + "<!-- anders -->", encoding="utf-8")
    report = index_site(site.output)
    assert report.skipped and report.pages == 3
    assert snapshot(site.output / "pagefind") == before


def test_a_damaged_index_is_written_again_although_no_page_changed(site):
    site.story()
    site.build()
    first = index_site(site.output)
    fragment = sorted((site.output / "pagefind" / "fragment").iterdir())[0]
    good = fragment.read_bytes()
    fragment.write_bytes(b"kaputt")
    report = index_site(site.output)
    assert not report.skipped and report.written == [f"fragment/{fragment.name}"]
    assert fragment.read_bytes() == good
    (site.output / "pagefind" / "pagefind-entry.json").unlink()
    assert index_site(site.output).written == ["pagefind-entry.json"]
    assert index_site(site.output).skipped and first.pages == 3


def test_a_failing_pagefind_leaves_the_index_and_the_next_run_indexes_the_change(site, monkeypatch):
    site.story()
    site.build()
    index_site(site.output)
    before = snapshot(site.output / "pagefind")
    site.story(title="Radwege werden breiter")
    site.build()
    with monkeypatch.context() as patched:
        patched.setenv("PAGEFIND_BINARY_PATH", "/bin/false")  # Pagefind's own wrapper runs this instead
        with pytest.raises(SearchIndexError, match="Pagefind ist gescheitert"):
            index_site(site.output)
    assert snapshot(site.output / "pagefind") == before
    assert not [p for p in site.root.glob(".output.pagefind*") if p.is_dir()]
    report = index_site(site.output)
    assert not report.skipped and report.written and report.removed


def test_many_pages_are_hashed_on_threads_as_one_would_without_the_crisis_region(tmp_path):
    """Enough pages for the threads: every marked page once, by path, hashed with its region emptied."""
    expected = []
    for n in range(1200):
        marked = n % 3 != 0
        body = f"<main{' data-pagefind-body' if marked else ''}><p>Seite {n}</p></main>"
        page = tmp_path / f"aktuelles/{n % 7}/seite-{n}/index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        empty = f"<html><body><!--newsroom:krise--><!--/newsroom:krise-->{body}</body></html>"
        page.write_text(empty.replace("--><!--/", f"--><p>Lage {n}</p><!--/"))
        if marked:
            expected.append(page.relative_to(tmp_path).as_posix())
    (tmp_path / "pagefind").mkdir()
    (tmp_path / "pagefind/index.html").write_text("<main data-pagefind-body></main>")  # the index: never a page
    paths, digest = marked_pages(tmp_path)
    assert paths == sorted(expected)
    for page in (tmp_path / "aktuelles").rglob("*.html"):  # another crisis text: the same digest
        page.write_text(page.read_text().replace("Lage", "Entwarnung"))
    assert marked_pages(tmp_path) == (paths, digest)
    page = tmp_path / expected[0]
    page.write_text(page.read_text().replace("Seite", "Neue Seite"))
    assert marked_pages(tmp_path)[1] != digest
