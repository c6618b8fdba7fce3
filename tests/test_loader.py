"""Reading many stories: parsed on every core, chunk by chunk, into the parse cache, without holding
their bytes; a file that changes between its hash and its parse stops the build."""

import hashlib

import pytest

import newsroom.content.loader
from newsroom.content.loader import _parse_chunk
from newsroom.content.reader import StoryVocabulary
from newsroom.errors import ContentErrors
from tests.support import REPO


def vocabulary(site):
    from newsroom.build.runner import load_settings

    return StoryVocabulary.from_settings(load_settings(REPO / "pelicanconf.py", site.overrides()))


def test_a_file_changed_after_its_hash_is_an_error_not_another_story(site):
    path = site.story()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    site.story(title="Inzwischen geändert")
    [(source, outcome)] = _parse_chunk([("content/stories/2026/radwege.md", digest, str(path))], vocabulary(site))
    assert isinstance(outcome, ContentErrors)
    assert [str(e) for e in outcome.errors] == [
        "content/stories/2026/radwege.md: Die Datei wurde während des Builds geändert. Bitte den Build wiederholen."]


def test_a_draft_with_an_error_is_known_as_a_draft_from_its_parser(site):
    path = site.story(status="draft", category="Gibt es nicht")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    [(_source, outcome)] = _parse_chunk([("content/stories/2026/radwege.md", digest, str(path))], vocabulary(site))
    assert isinstance(outcome, ContentErrors) and outcome.status == "draft"


@pytest.mark.parametrize("workers", [1, 2])
def test_many_stories_parsed_in_chunks_are_all_cached_and_built_once(site, monkeypatch, workers):
    monkeypatch.setattr(newsroom.content.loader, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(newsroom.content.loader, "CHUNK", 3)
    for n in range(10):
        site.story(f"2026/m{n}.md", id=f"story{n:07d}x", title=f"Meldung {n}", date=f"2026-10-{n + 1:02d} 10:00")
    report = site.build(BUILD_WORKERS=workers)
    assert report.stats["parsed"] == 10
    from newsroom.build.cache import BuildCache

    cache = BuildCache(site.root / ".cache")
    try:
        assert cache.story_count() == 10
    finally:
        cache.close()
    again = site.build(BUILD_FULL=True, OUTPUT_PATH=str(site.root / "again"))  # all from the parse cache
    assert (again.stats["files_read"], again.stats["parsed"]) == (10, 0)
