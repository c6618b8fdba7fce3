"""The embedded default: builds render what each channel would receive, and never send."""

from __future__ import annotations

import pytest

from newsroom.errors import ContentErrors
from tests.fakes.mastodon import FakeMastodon
from tests.publishing_support import STORY_ID, due_story, mastodon_env


def test_build_writes_previews_and_overview_and_sends_nothing(site, monkeypatch):
    with FakeMastodon() as server:
        mastodon_env(monkeypatch, server)
        due_story(site)
        site.commit("Meldung", "2026-11-26 08:00")
        site.build()
        assert server.log == []  # credentials present, and still nothing sent
    preview = site.root / "preview"
    page = (preview / "meldungen" / f"{STORY_ID}.html").read_text()
    assert "Nichts davon wurde gesendet" in page and "http://localhost:8000/aktuelles/2026/11/" in page
    overview = (preview / "status.txt").read_text()
    assert "Neue Radwege am Rheinufer" in overview and "mastodon   fällig" in overview
    for path in preview.rglob("*"):
        if path.is_file():
            assert server.token not in path.read_text()
    assert not (site.output / "meldungen").exists() and "preview" not in {p.name for p in site.output.iterdir()}


def test_an_unchanged_build_rewrites_no_preview_and_a_change_rewrites_one(site):
    due_story(site)
    due_story(site, "2026/zwei.md", story_id="b2b2b2b2b2b2", title="Zweite Meldung")
    site.build()
    preview = site.root / "preview"  # the channel previews and the overview; the desk: tests/test_desk_page.py
    files = sorted(p for p in preview.rglob("*.html") if p.relative_to(preview).parts[0] != "desk")
    inodes = {p: p.stat().st_ino for p in files}
    site.build()
    assert {p: p.stat().st_ino for p in files} == inodes
    due_story(site, "2026/zwei.md", story_id="b2b2b2b2b2b2", title="Zweite Meldung, geändert")
    site.build()
    changed = sorted(p.name for p in files if p.stat().st_ino != inodes[p])
    assert changed == ["b2b2b2b2b2b2.html", "index.html"]


def test_a_post_that_cannot_fit_fails_check_naming_story_channel_and_numbers(site):
    text = "Sehr lang. " * 50
    due_story(site, channels=f"\n  mastodon:\n    text: \"{text}\"")
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert [str(e) for e in caught.value.errors] == [
        "content/stories/2026/radwege.md: Feld „channels.mastodon“: Mastodon: Der Text hat 574 Zeichen "
        "(Links zählen 23), erlaubt sind 500. Bitte unter channels.mastodon.text kürzen."]


def test_a_story_with_other_problems_has_its_posts_checked_in_the_same_round(site):
    text = "Sehr lang. " * 50
    due_story(site, department="Gartenamt", summary="Achtung: Sperrung", channels=f"\n  mastodon:\n    text: \"{text}\"")
    with pytest.raises(ContentErrors) as caught:
        site.check()
    errors = [str(e) for e in caught.value.errors]  # sorted by line: the channel's, without one, first
    assert errors[0] == ("content/stories/2026/radwege.md: Feld „channels.mastodon“: Mastodon: Der Text hat 574 "
                         "Zeichen (Links zählen 23), erlaubt sind 500. Bitte unter channels.mastodon.text kürzen.")
    assert errors[1].startswith("content/stories/2026/radwege.md:6: Doppelpunkt an unerwarteter Stelle.")
    assert errors[2].startswith("content/stories/2026/radwege.md:8: Feld „department“: „Gartenamt“ ist nicht erlaubt.")
    assert len(errors) == 3
    assert not (site.root / "preview").exists()  # a check writes nothing


def test_removing_the_channels_removes_the_preview(site):
    due_story(site)
    site.build()
    page = site.root / "preview" / "meldungen" / f"{STORY_ID}.html"
    assert page.exists()
    due_story(site, channels=None)
    site.build()
    assert not page.exists()
