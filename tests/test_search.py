"""The search index step (newsroom/search/index.py, parts.py): real Pagefind over real builds and small sites."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys

import pytest

from newsroom.errors import SearchIndexError
from newsroom.search.index import index_site, marked_pages
from tests.support import snapshot, story_text


def _teile(output):
    return json.loads((output / "pagefind" / "teile.json").read_text(encoding="utf-8"))["teile"]


def _entry(output, teil):
    return json.loads((output / "pagefind" / teil / "pagefind-entry.json").read_text(encoding="utf-8"))


def _urls(bundle):
    """The page addresses in a bundle (each fragment is gzipped JSON behind a signature)."""
    urls = set()
    for fragment in (bundle / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes())
        urls.add(json.loads(data[data.index(b"{"):])["url"])
    return urls


def test_indexes_stories_and_pages_in_german_one_bundle_per_part(site):
    site.story()
    site.write("pages/impressum.md", "---\ntitle: Impressum\n---\nVerantwortlich ist die Stadt.\n")
    site.commit("Start", "2026-11-19 15:00")
    site.build()
    report = index_site(site.output)
    # The story, the page, the feeds page's text and the photo's media-portal page; lists,
    # archive and home only repeat them. The story is dated, the others are not (yet).
    assert (report.pages, report.parts, report.ran) == (4, 2, 2)
    assert _teile(site.output) == [
        {"name": "2026", "seiten": 1, "sprachen": ["de"], "von": "2026-01-01", "bis": "2026-12-31"},
        {"name": "seiten", "seiten": 3, "sprachen": ["de"]}]
    assert sorted(p.name for p in (site.output / "pagefind").iterdir()) == ["2026", "seiten", "teile.json"]
    for teil in ("2026", "seiten"):
        assert list(_entry(site.output, teil)["languages"]) == ["de"]
        assert (site.output / "pagefind" / teil / "pagefind.js").is_file()
    assert _urls(site.output / "pagefind" / "2026") == {"/aktuelles/2026/11/neue-radwege-am-rheinufer/"}
    assert report.written and not report.removed


def test_unchanged_site_leaves_the_index_byte_identical(site):
    site.story()
    site.build()
    index_site(site.output)
    before = snapshot(site.output)
    report = index_site(site.output)
    assert (report.written, report.removed, report.ran) == ([], [], 0)
    assert report.skipped  # the same pages and the same index: Pagefind is not even started
    assert snapshot(site.output) == before


def test_one_changed_story_runs_its_part_only_and_replaces_few_files(site):
    for n in range(6):
        site.story(f"2026/s{n}.md", id=f"story{n}abc", title=f"Meldung Nummer {n}")
    site.story("2025/alt.md", id="story9abc", title="Alte Meldung", date="2025-03-02 10:00")
    site.build()
    first = index_site(site.output)
    assert [t["name"] for t in _teile(site.output)] == ["2026", "2025", "seiten"]
    others = {teil: snapshot(site.output / "pagefind" / teil) for teil in ("2025", "seiten")}
    site.write("stories/2026/s3.md", story_text(id="story3abc", title="Meldung Nummer 3",
                                               body="Ganz neuer Text über Straßenbahnen.\n"))
    site.build()
    report = index_site(site.output)
    assert (report.parts, report.ran) == (3, 1)
    assert 0 < len(report.written) < len(first.written) / 4
    assert all(p.startswith("2026/") for p in report.written + report.removed)
    assert report.removed  # the old fragment and chunks are gone
    assert not [p for p in report.removed if (site.output / "pagefind" / p).exists()]
    assert {teil: snapshot(site.output / "pagefind" / teil) for teil in others} == others


def test_a_full_build_keeps_the_index(site):
    site.story()
    site.build()
    index_site(site.output)
    site.build(BUILD_FULL=True)  # walks output/ instead of trusting its manifest
    assert (site.output / "pagefind" / "teile.json").is_file()
    assert (site.output / "pagefind" / "2026" / "pagefind-entry.json").is_file()


def test_no_built_site_is_a_german_error(tmp_path):
    (tmp_path / "output").mkdir()
    with pytest.raises(SearchIndexError, match="zuerst „invoke build“"):
        index_site(tmp_path / "output")


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_only_marked_pages_are_given_to_pagefind_and_the_results_stay_the_same(site, tmp_path):
    """Pagefind reads a folder of links to a part's marked pages instead of the whole site; what the
    parts hold is what a crawl of the whole site finds: the same pages with the same titles, URLs,
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

    crawl = tmp_path / "crawl"  # Pagefind over every file of the site
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site.output), "--output-path", str(crawl)],
                   check=True, capture_output=True)
    theirs = _files(crawl)
    ours = {}
    for teil in ("2026", "seiten"):
        ours |= {k: v for k, v in _files(site.output / "pagefind" / teil).items() if k.startswith("fragment/")}
    assert ours == {k: v for k, v in theirs.items() if k.startswith("fragment/")}
    counts = [_entry(site.output, teil)["languages"]["de"]["page_count"] for teil in ("2026", "seiten")]
    assert counts == [4, 3] and json.loads(theirs["pagefind-entry.json"])["languages"]["de"]["page_count"] == 7


def _fixture_site(output, pages):
    """A built site of hand-written pages: {path: (title, datum or None)}."""
    (output / "index.html").parent.mkdir(parents=True, exist_ok=True)
    (output / "index.html").write_text('<html lang="de"><body><p>Startseite</p></body></html>', encoding="utf-8")
    for path, (title, datum) in pages.items():
        sort = f' data-pagefind-sort="datum:{datum}"' if datum else ""
        page = output / path / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f'<html lang="de"><body><main><article data-pagefind-body{sort}><h1>{title}</h1>'
                        f"<p>Text der Seite {title}.</p></article></main></body></html>", encoding="utf-8")


def test_three_parts_each_hold_their_pages_and_are_listed_newest_first(tmp_path):
    output = tmp_path / "output"
    _fixture_site(output, {
        "aktuelles/2026/03/maerz": ("Märzmeldung", "2026-03-02T09:15"),
        "aktuelles/2026/12/dezember": ("Dezembermeldung", "2026-12-31T23:59"),
        "aktuelles/2025/01/januar": ("Januarmeldung", "2025-01-01T00:00"),
        "impressum": ("Impressum", None),
        "datenschutz": ("Datenschutz", None),
    })
    report = index_site(output)
    assert (report.parts, report.ran, report.pages) == (3, 3, 5)
    assert _teile(output) == [
        {"name": "2026", "seiten": 2, "sprachen": ["de"], "von": "2026-01-01", "bis": "2026-12-31"},
        {"name": "2025", "seiten": 1, "sprachen": ["de"], "von": "2025-01-01", "bis": "2025-12-31"},
        {"name": "seiten", "seiten": 2, "sprachen": ["de"]}]
    expected = {"2026": {"/aktuelles/2026/03/maerz/", "/aktuelles/2026/12/dezember/"},
                "2025": {"/aktuelles/2025/01/januar/"}, "seiten": {"/impressum/", "/datenschutz/"}}
    for teil, urls in expected.items():
        assert _entry(output, teil)["languages"]["de"]["page_count"] == len(urls)
        assert _urls(output / "pagefind" / teil) == urls


def _months(output, year, per_month):
    return {f"aktuelles/{year}/{m:02d}/m{n}": (f"Meldung {m}-{n}", f"{year}-{m:02d}-{n + 1:02d}T10:00")
            for m, count in per_month.items() for n in range(count)}


def test_a_large_year_is_cut_into_month_ranges_and_an_addition_changes_the_last_one(tmp_path):
    output = tmp_path / "output"
    # 2 pages a month; at most 5 pages a part: Jan–Feb (4), Mar–Apr (4), May–Jun, … six ranges.
    _fixture_site(output, _months(output, 2026, {m: 2 for m in range(1, 13)}))
    _fixture_site(output, _months(output, 2025, {6: 3}))
    report = index_site(output, part_pages=5)
    teile = _teile(output)
    assert [t["name"] for t in teile] == ["2026-f", "2026-e", "2026-d", "2026-c", "2026-b", "2026-a", "2025"]
    assert [(t["von"], t["bis"], t["seiten"]) for t in teile[-3:-1]] == [
        ("2026-03-01", "2026-04-30", 4), ("2026-01-01", "2026-02-28", 4)]
    assert teile[0]["bis"] == "2026-12-31" and report.ran == 7
    assert _urls(output / "pagefind/2026-a") == {f"/aktuelles/2026/{m:02d}/m{n}/" for m in (1, 2) for n in (0, 1)}
    before = {t["name"]: snapshot(output / "pagefind" / t["name"]) for t in teile[1:]}

    _fixture_site(output, {"aktuelles/2026/12/neu": ("Neue Dezembermeldung", "2026-12-20T10:00")})
    report = index_site(output, part_pages=5)
    assert (report.parts, report.ran) == (7, 1)
    assert _teile(output)[0] == {"name": "2026-f", "seiten": 5, "sprachen": ["de"], "von": "2026-11-01",
                                 "bis": "2026-12-31"}
    assert {name: snapshot(output / "pagefind" / name) for name in before} == before

    # A year that grows past the limit is cut; its old part goes, after teile.json names the new ones.
    _fixture_site(output, _months(output, 2025, {7: 3}))
    report = index_site(output, part_pages=5)
    assert [t["name"] for t in _teile(output)][-2:] == ["2025-b", "2025-a"]
    assert not (output / "pagefind/2025").exists() and report.ran == 2
    assert {p.split("/")[0] for p in report.removed} == {"2025"}


def test_a_site_without_marked_pages_has_an_empty_list_of_parts(tmp_path):
    output = tmp_path / "output"
    _fixture_site(output, {"impressum": ("Impressum", None)})
    index_site(output)
    (output / "impressum/index.html").write_text('<html lang="de"><body><p>Ohne Markierung</p></body></html>')
    report = index_site(output)
    assert (report.parts, report.ran, report.pages) == (0, 0, 0) and _teile(output) == []
    assert [p.name for p in (output / "pagefind").iterdir()] == ["teile.json"]


def test_a_malformed_datum_is_a_german_error_naming_the_page(tmp_path):
    output = tmp_path / "output"
    _fixture_site(output, {"aktuelles/kaputt": ("Kaputt", "7.12.2026")})
    with pytest.raises(SearchIndexError, match=r"aktuelles/kaputt/index.html: .*datum:7\.12\.2026.*JJJJ-MM-TT"):
        index_site(output)


def test_files_of_another_layout_are_removed_after_teile_json_is_written(tmp_path):
    output = tmp_path / "output"
    _fixture_site(output, {"impressum": ("Impressum", None)})
    (output / "pagefind/fragment").mkdir(parents=True)  # a single bundle at the top
    (output / "pagefind/fragment/de_alt.pf_fragment").write_bytes(b"alt")
    (output / "pagefind/pagefind-entry.json").write_text("{}")
    report = index_site(output)
    assert sorted(p.name for p in (output / "pagefind").iterdir()) == ["seiten", "teile.json"]
    assert sorted(report.removed) == ["fragment/de_alt.pf_fragment", "pagefind-entry.json"]


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


def _reordered(path: str) -> bool:
    """Files Pagefind 1.5.2 writes with a filter's values in another order on every run (a hash
    map's order): a part that runs again may bring new bytes of them for the same pages."""
    return "/filter/" in path or path.endswith((".pf_meta", "/pagefind-entry.json"))


def test_a_damaged_part_is_written_again_although_no_page_changed(site):
    site.story()
    site.build()
    first = index_site(site.output)
    fragment = sorted((site.output / "pagefind" / "2026" / "fragment").iterdir())[0]
    good = fragment.read_bytes()
    fragment.write_bytes(b"kaputt")
    report = index_site(site.output)
    assert not report.skipped and report.ran == 1 and f"2026/fragment/{fragment.name}" in report.written
    assert all(_reordered(p) for p in report.written if p != f"2026/fragment/{fragment.name}")
    assert fragment.read_bytes() == good
    (site.output / "pagefind" / "seiten" / "pagefind-entry.json").unlink()
    written = index_site(site.output).written
    assert "seiten/pagefind-entry.json" in written and all(p.startswith("seiten/") and _reordered(p) for p in written)
    (site.output / "pagefind" / "teile.json").write_text("{}")
    assert index_site(site.output).written == ["teile.json"]
    assert index_site(site.output).skipped and first.pages == 3


def test_a_failing_pagefind_leaves_the_index_and_the_next_run_indexes_the_change(site, monkeypatch):
    site.story()
    site.build()
    index_site(site.output)
    before = snapshot(site.output / "pagefind")
    site.story(title="Radwege werden breiter")
    site.write("pages/impressum.md", "---\ntitle: Impressum\n---\nVerantwortlich ist die Stadt.\n")
    site.build()
    with monkeypatch.context() as patched:
        patched.setenv("PAGEFIND_BINARY_PATH", "/bin/false")  # Pagefind's own wrapper runs this instead
        with pytest.raises(SearchIndexError, match="Pagefind ist gescheitert"):
            index_site(site.output)
    assert snapshot(site.output / "pagefind") == before
    assert not [p for p in site.root.glob(".output.pagefind*") if p.is_dir()]
    report = index_site(site.output)
    assert not report.skipped and report.ran == 2 and report.written and report.removed


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


def test_a_second_scan_reads_only_the_files_the_build_replaced(site):
    site.story()
    site.story("2026/bruecke.md", id="b1b2c3d4e5f6", title='"Brücke gesperrt"')
    site.commit("Start", "2026-11-19 15:00")
    site.build()
    index_site(site.output)
    first = site.output / "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html"
    second = site.output / "aktuelles/2026/11/bruecke-gesperrt/index.html"
    # The same file (inode, time, size) with other bytes: a scan that trusts its record does not see it.
    stat = first.stat()
    with open(first, "r+b") as handle:
        data = handle.read()
        handle.seek(0)
        handle.write(data.replace(b"Radwege", b"Radwegx"))
    os.utime(first, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    # A page written anew (as the build writes: a new file in its place) is read again.
    replaced = second.read_bytes().replace(b"gesperrt", b"gesperrx")
    second.unlink()
    second.write_bytes(replaced)
    report = index_site(site.output)
    assert report.ran == 1
    fragments = b"".join(gzip.decompress(f.read_bytes()) for f in (site.output / "pagefind/2026/fragment").iterdir())
    assert b"gesperrx" in fragments and b"Radwegx" in fragments  # the part ran: Pagefind read both files whole
    first.write_bytes(first.read_bytes())  # a new time: read, and the same digest as recorded
    assert index_site(site.output).ran == 1  # "Radwegx" is now the recorded digest of the page's bytes
    assert index_site(site.output).skipped


def _dated_page(output, path, related, extra=""):
    page = output / path / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.unlink(missing_ok=True)  # as the build writes: a new file in its place
    page.write_text(f'<html lang="de"><body><article data-pagefind-body data-pagefind-sort="datum:2025-03-01T10:00">'
                    f"<p>Die Brücke wird erneuert.</p><!--newsroom:nicht-im-index-->{related}<!--/newsroom:nicht-im-index-->"
                    f"{extra}</article></body></html>", encoding="utf-8")


def test_lists_of_other_pages_that_pagefind_ignores_do_not_re_index_a_part(tmp_path):
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("<html><body><p>Start</p></body></html>")
    listing = '<section data-pagefind-ignore><h2 id="related-heading">Weitere</h2><ul>{}</ul></section>'
    _dated_page(output, "aktuelles/2025/brücke", listing.format("<li><a href='/a/'>Alt</a></li>"))
    assert index_site(output).ran == 1
    _dated_page(output, "aktuelles/2025/brücke", listing.format("<li><a href='/n/'>Neue Meldung</a></li>"))
    assert index_site(output).skipped  # only the list of other stories changed
    cold = tmp_path / "cold"
    shutil.copytree(output, cold, ignore=shutil.ignore_patterns("pagefind"))
    index_site(cold)
    def contents(folder):
        return {path: data for path, (data, _) in snapshot(folder).items()}
    assert contents(cold / "pagefind") == contents(output / "pagefind")  # Pagefind writes the same bundle
    # A filter inside such a region is something Pagefind reads: the page counts as changed.
    _dated_page(output, "aktuelles/2025/brücke", listing.format('<li data-pagefind-filter="thema:Verkehr">x</li>'))
    assert index_site(output).ran == 1


def test_each_part_lists_the_languages_of_its_pages_also_from_the_scan_record(tmp_path):
    """Pagefind answers a page in a language a bundle lacks from its largest index: the search page
    of a language merges only the parts teile.json lists with it."""
    output = tmp_path / "output"
    _fixture_site(output, {"aktuelles/2026/a": ("Radwege", "2026-03-01T10:00"),
                           "aktuelles/2025/b": ("Brücke", "2025-03-01T10:00")})
    english = output / "en/news/2026/a/index.html"
    english.parent.mkdir(parents=True)
    english.write_text('<!DOCTYPE html>\n<html lang="EN"><body><article data-pagefind-body '
                       'data-pagefind-sort="datum:2026-03-01T10:00"><p>New cycle lanes.</p></article></body></html>',
                       encoding="utf-8")
    index_site(output)
    expected = [("2026", ["de", "en"]), ("2025", ["de"])]
    assert [(t["name"], t["sprachen"]) for t in _teile(output)] == expected
    assert sorted(_entry(output, "2026")["languages"]) == ["de", "en"]  # Pagefind's own names, lower case
    (output / "aktuelles/2025/b/index.html").unlink()  # a new scan that reads no page: the record keeps them
    index_site(output)
    assert [(t["name"], t["sprachen"]) for t in _teile(output)] == expected[:1]
