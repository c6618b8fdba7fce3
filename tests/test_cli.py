"""The command line as editors use it: real `invoke` processes in a copy of the project."""

import pytest

from tests.support import Site, invoke, project_copy, snapshot, story_text


@pytest.fixture
def project(tmp_path):
    root = project_copy(tmp_path / "project")
    Site(root)  # content folders and a git repository
    return root


def test_new_creates_a_valid_story_and_prints_its_path(project):
    result = invoke(project, "new", "--title", "Straßenbahn über die Königsallee", "--date", "2026-12-03 10:00",
                    "--status", "published", "--category", "Verkehr")
    assert result.returncode == 0, result.stderr
    path = result.stdout.strip().splitlines()[-1]
    assert path.startswith("content/stories/2026/2026-12-03-strassenbahn-ueber-die-koenigsallee")
    text = (project / path).read_text(encoding="utf-8")
    assert 'title: "Straßenbahn über die Königsallee"' in text and "category: \"Verkehr\"" in text
    check = invoke(project, "check", "--now", "2026-12-04 10:00")
    assert check.returncode == 0, check.stderr
    assert "Prüfung bestanden: 1 Meldungen" in check.stdout


def test_new_never_overwrites_and_ids_are_fresh(project):
    first = invoke(project, "new", "--title", "Gleicher Titel", "--date", "2026-11-20 10:00")
    second = invoke(project, "new", "--title", "Gleicher Titel", "--date", "2026-11-20 10:00")
    paths = [r.stdout.strip().splitlines()[-1] for r in (first, second)]
    assert paths[0] != paths[1]
    ids = [(project / p).read_text(encoding="utf-8").split("id: ")[1][:12] for p in paths]
    assert ids[0] != ids[1]


def test_new_refuses_an_unknown_thema(project):
    result = invoke(project, "new", "--title", "Test", "--category", "Wetter")
    assert result.returncode == 1
    assert "Thema „Wetter“ gibt es nicht." in result.stderr


def test_bad_story_fails_build_with_german_message_and_keeps_the_site(project):
    content = project / "content" / "stories" / "2026"
    content.mkdir(parents=True, exist_ok=True)
    (content / "gut.md").write_text(story_text(), encoding="utf-8")
    assert invoke(project, "build", "--now", "2026-11-26 12:00").returncode == 0
    before = snapshot(project / "output")
    (content / "falle.md").write_text(story_text(id="bbbbbbbbbbbb", title="no"), encoding="utf-8")
    result = invoke(project, "build", "--now", "2026-11-26 12:00")
    assert result.returncode == 1
    assert ('FEHLER content/stories/2026/falle.md:3: Feld „title“: „no“ wird von YAML als Wahrheitswert (ja/nein) '
            'gelesen, nicht als Text. Bitte in Anführungszeichen setzen: title: "no"') in result.stderr
    assert "Build abgebrochen: 1 Fehler. output/ bleibt unverändert." in result.stderr
    assert snapshot(project / "output") == before
    check = invoke(project, "check", "--now", "2026-11-26 12:00")
    assert check.returncode == 1 and "falle.md:3" in check.stderr


def test_new_help_shows_help_and_creates_nothing(project):
    result = invoke(project, "new", "--help")
    assert result.returncode == 0 and "--title" in result.stdout
    assert not list((project / "content" / "stories").rglob("*.md"))
