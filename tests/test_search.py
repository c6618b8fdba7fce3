"""The search index step (newsroom/search.py): real Pagefind over real builds."""

from __future__ import annotations

import json

import pytest

from newsroom.search import SearchIndexError, index_site
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
