"""Merging Pagefind indexes of parts (newsroom/search/index/merge.py) against real Pagefind runs.

The reference is Pagefind itself: one run over all pages. The parts are indexed by Pagefind
too, each over the pages the single run numbered consecutively, so the merge must give the
single run's index file for file: the same names (each a hash of the file's content) and,
once unzipped, the same bytes.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys

import pytest

from newsroom.search import merge as search_merge
from newsroom.search.index import index_site, marked_pages

WORDS = ("Straßenbahn Königsallee Rheinufer Jecken Frühjahr Fruhjahr Bürgerbüro Baustelle Umleitung "
         "Spielplatz Kita Radweg Schützenfest Altstadt Hofgarten Zoo Nordpark Rathaus Müll Glasfaser").split()
# Forms that Pagefind keeps as variants of one entry ("alt": "älteren", "ältere", …), in the order
# they first occur; spread over the pages so that the merge must keep that order across parts.
FORMS = (("älteren", "ältere", "älter", "ältester"), ("Ämtern", "Ämter"), ("ausgewählter", "ausgewählt"))


def _pagefind(site, target):
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(target)],
                   check=True, capture_output=True)


def _view(output, pages, folder):
    for relative in pages:
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        os.link(output / relative, folder / relative)
    return folder


def _unzipped(folder):
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            files[path.relative_to(folder).as_posix()] = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    return files


def _order(index):
    """The pages' paths in the order the index numbers them."""
    entry = json.loads((index / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta = search_merge._read(index / f"pagefind.{entry['languages']['de']['hash']}.pf_meta")
    urls = []
    for name, _words in meta[1]:
        fragment = gzip.decompress((index / "fragment" / f"{name}.pf_fragment").read_bytes())
        urls.append(json.loads(fragment[len(search_merge.SIGNATURE):])["url"].strip("/") + "/index.html")
    return urls


@pytest.fixture
def built(site):
    for n in range(9):
        words = " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(40))
        forms = " ".join(group[n % len(group)] for group in FORMS)
        site.story(f"2026/s{n}.md", id=f"story{n}abc", title=f"Meldung {n} über {WORDS[n]}",
                   body=f"{words}.\n\n## Mehr\n\n{WORDS[n + 3]} und {WORDS[n + 5]}, {forms}.\n")
    site.write("pages/impressum.md", "---\ntitle: Impressum\n---\nVerantwortlich ist die Stadt.\n")
    site.build()
    return site


@pytest.mark.parametrize("sizes", [(4, 1, 7), (1,) * 12], ids=["three parts", "a part per page"])
def test_merged_parts_are_the_index_of_one_run_file_for_file(built, tmp_path, sizes):
    pages, _ = marked_pages(built.output)
    single = tmp_path / "single"
    _pagefind(_view(built.output, pages, tmp_path / "all"), single)
    order = _order(single)
    assert sorted(order) == pages
    parts, start = [], 0
    for n, size in enumerate(sizes):  # the Impressum has no date and no image: fewer meta fields
        parts.append(tmp_path / f"part{n}")
        _pagefind(_view(built.output, order[start:start + size], tmp_path / f"view{n}"), parts[-1])
        start += size
    assert search_merge.merge(parts, tmp_path / "merged") == len(pages) == 12
    merged, expected = _unzipped(tmp_path / "merged"), _unzipped(single)
    assert merged.keys() == expected.keys()
    assert merged == expected
    # The example is one that needs the forms' order kept: somewhere it is not the sorted one.
    entries = [w for name in sorted(expected) if name.startswith("index/")
               for w in search_merge._decode(expected[name], len(search_merge.SIGNATURE))[0][0]]
    assert any([form for form, _ in w[2]] != sorted(form for form, _ in w[2]) for w in entries)


def test_index_site_in_parts_finds_the_same_pages(built, tmp_path):
    whole = index_site(built.output)
    records = {k: v for k, v in _unzipped(built.output / "pagefind").items() if k.startswith("fragment/")}
    (built.root / ".output.pagefind.json").unlink()  # no stamp: index again, now in parts of up to 5
    parted = index_site(built.output, part_pages=5)
    assert parted.pages == whole.pages == 12 and not parted.skipped
    assert parted.parts >= 3 and parted.reused == 0
    files = _unzipped(built.output / "pagefind")
    assert {k: v for k, v in files.items() if k.startswith("fragment/")} == records
    assert json.loads(files["pagefind-entry.json"])["languages"]["de"]["page_count"] == 12
    leftovers = [p.name for p in built.root.glob(".output.pagefind*") if p.is_dir()]
    assert leftovers == [".output.pagefind-parts"]  # the parts' indexes, kept for the next run
    # No file of the live index shares its inode with a kept part: changing one leaves the other.
    assert all(p.stat().st_nlink == 1 for p in (built.output / "pagefind").rglob("*") if p.is_file())
    assert index_site(built.output, part_pages=5).skipped


def test_a_changed_story_runs_pagefind_for_its_part_only(built):
    index_site(built.output, part_pages=5)
    built.story("2026/s4.md", id="story4abc", title=f"Meldung 4 über {WORDS[4]}",  # other pages list the title
                body="Ganz neuer Text über Straßenbahnen am Rheinufer.\n")
    built.build()
    report = index_site(built.output, part_pages=5)
    assert report.written and report.reused == report.parts - 1
    # What came from the kept parts is what Pagefind writes for them now: the same bytes.
    shutil.rmtree(built.root / ".output.pagefind-parts")
    (built.root / ".output.pagefind.json").unlink()
    again = index_site(built.output, part_pages=5)
    assert again.reused == 0 and again.written == [] and again.removed == []


def test_a_part_with_filters_is_refused(tmp_path):
    site = tmp_path / "site"
    for n in range(2):
        page = site / f"seite{n}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f'<!DOCTYPE html><html lang="de"><body><main data-pagefind-body><h1>Seite {n}</h1>'
                        f'<p data-pagefind-filter="Amt">Umweltamt</p><p>{" ".join(WORDS)}</p></main></body></html>',
                        encoding="utf-8")
    _pagefind(site, tmp_path / "index")
    with pytest.raises(search_merge.MergeUnsupported, match="Filter"):
        search_merge.merge([tmp_path / "index"], tmp_path / "merged")


def test_index_site_falls_back_to_one_run_when_the_parts_cannot_be_merged(tmp_path, caplog):
    output = tmp_path / "output"
    (output / "index.html").parent.mkdir(parents=True)
    (output / "index.html").write_text('<!DOCTYPE html><html lang="de"><body><p>Start</p></body></html>',
                                       encoding="utf-8")
    for n in range(6):
        page = output / f"seite{n}" / "index.html"
        page.parent.mkdir()
        page.write_text(f'<!DOCTYPE html><html lang="de"><body><main data-pagefind-body><h1>Seite {n}</h1>'
                        f'<p data-pagefind-filter="Amt">Amt {n % 2}</p><p>{WORDS[n]} {WORDS[n + 1]}</p>'
                        f'</main></body></html>', encoding="utf-8")
    report = index_site(output, part_pages=2)
    assert report.pages == 6 and report.parts == 1
    assert "lassen sich nicht zusammenführen" in caplog.text
    assert (output / "pagefind" / "filter").is_dir()  # the filter is there, from the one run
    assert not [p for p in tmp_path.glob(".output.pagefind*") if p.is_dir()]  # no parts kept
