"""Dates and editors from real git history; clear fallbacks where git cannot tell."""

import json

import git

from tests.publishing_support import due_story
from tests.support import Site

STORY = "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html"


def test_change_after_publication_is_shown_as_update(site):
    site.story()
    site.commit("Radwege", "2026-11-19 15:00", author="Anna Beispiel", email="anna@example.org")
    site.story(summary="Die Stadt baut zweieinhalb Kilometer Radweg.")
    site.commit("Tippfehler", "2026-11-22 08:30", author="Ben Muster", email="ben@example.org")
    build = site.check()
    story = build.archive.full_story(build.all_stories[0])
    assert story.git.created.isoformat() == "2026-11-19T15:00:00+01:00"
    assert story.git.editors == ()  # no public name configured: no one is named
    site.build()
    html = site.page(STORY)
    assert 'Aktualisiert am <time datetime="2026-11-22T08:30:00+01:00">22. November 2026, 08:30 Uhr</time>' in html
    assert "<dt>Redaktion</dt>" not in html  # the Amt line names the office; no person is named
    assert "<dt>Amt</dt>" in html and "Anna Beispiel" not in html and "Ben Muster" not in html


def test_authors_are_shown_only_by_their_configured_public_name(site):
    site.story()
    site.commit("Radwege", "2026-11-19 15:00", author="Anna Beispiel", email="Anna@Example.org")
    site.story(summary="Die Stadt baut zweieinhalb Kilometer Radweg.")
    site.commit("Tippfehler", "2026-11-22 08:30", author="Ben Muster", email="ben@example.org")
    site.build(PUBLIC_AUTHORS={"anna@example.org": "Pressesprecherin der Stadt"})
    html = site.page(STORY)
    assert "<dt>Redaktion</dt>\n      <dd>Pressesprecherin der Stadt</dd>" in html
    document = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert document["editor"] == [{"@type": "Person", "name": "Pressesprecherin der Stadt"}]
    assert document["author"]["name"].endswith("Amt für Verkehrsmanagement")
    assert "Ben Muster" not in html and "Anna Beispiel" not in html


def test_git_authors_never_reach_the_site_feeds_or_previews(site):
    """Names and addresses of the city's staff stay in git: grep every file a build writes."""
    due_story(site)  # with a channel: the preview and the overview are written too
    site.commit("Radwege", "2026-11-19 15:00", author="Zacharias Quellengeheim", email="zq.intern@stadt.example")
    due_story(site, summary="Die Stadt baut zweieinhalb Kilometer Radweg.")
    site.commit("Änderung", "2026-11-26 08:30", author="Zacharias Quellengeheim", email="zq.intern@stadt.example")
    site.build()
    written = [p for folder in (site.output, site.root / "preview") for p in folder.rglob("*") if p.is_file()]
    assert any(p.name == "status.txt" for p in written) and any(p.suffix == ".xml" for p in written)
    story_pages = [p for p in written if p.match("output/aktuelles/*/*/*/index.html")]
    assert [p.parent.name for p in story_pages] == ["neue-radwege-am-rheinufer"]  # its page is among the files
    for needle in (b"Quellengeheim", b"zq.intern", b"stadt.example"):
        leaks = [p for p in written if needle in p.read_bytes()]
        assert leaks == [], (needle, leaks)


def test_changes_before_publication_are_not_updates(site):
    site.story()
    site.commit("Entwurf", "2026-11-18 15:00")
    site.story(summary="Überarbeitet vor dem Termin.")
    site.commit("Überarbeitung", "2026-11-19 15:00")
    site.build()
    assert "Aktualisiert" not in site.page(STORY)


def test_moving_a_story_keeps_its_history(site):
    site.story("radwege.md")
    site.commit("Radwege", "2026-11-19 15:00")
    site.repo.git.mv("content/stories/radwege.md", "content/stories/2026-radwege.md")
    site.commit("verschoben", "2026-11-23 15:00")
    build = site.check()
    story = build.archive.full_story(build.all_stories[0])
    assert story.git.created.isoformat() == "2026-11-19T15:00:00+01:00"
    assert story.git.updated.isoformat() == "2026-11-19T15:00:00+01:00"  # a pure move changes nothing


def test_uncommitted_story_has_no_git_dates(site):
    site.story()
    build = site.check()
    story = build.archive.full_story(build.all_stories[0])
    assert story.git.created is None and story.updated is None


def test_shallow_clone_warns_and_uses_front_matter_dates(site, tmp_path):
    site.story()
    site.commit("Radwege", "2026-11-19 15:00")
    site.story(summary="Geändert nach Veröffentlichung.")
    site.commit("Änderung", "2026-11-22 15:00")
    site.repo.git.push("origin", "main")
    origin = site.repo.remotes.origin.url
    clone = tmp_path / "shallow"
    git.Repo.clone_from(f"file://{origin}", clone, depth=1)
    shallow = Site.__new__(Site)
    shallow.root, shallow.content, shallow.output, shallow.repo = clone, clone / "content", clone / "output", None
    report = shallow.build()
    assert report.warnings == [
        "Das Git-Repository ist ein flacher Klon (shallow clone): die Historie ist unvollständig, deshalb gilt "
        "das Datum aus dem Kopfbereich. Für echte Änderungsdaten vollständig klonen (git fetch --unshallow)."
    ]
    html = shallow.page(STORY)
    assert "Veröffentlicht am" in html and "Aktualisiert" not in html


def test_content_outside_git_warns(plain_site):
    plain_site.story()
    report = plain_site.build()
    assert report.warnings == [
        "Der Inhalt liegt in keinem Git-Repository: Erstellungs- und Änderungsdaten fehlen, "
        "es gilt das Datum aus dem Kopfbereich."
    ]
    assert "20. November 2026, 10:00 Uhr" in plain_site.page(STORY)
