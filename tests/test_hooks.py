"""The pre-commit hook in a real git repository: `invoke hooks`, then commits as editors make them."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.support import PHOTO, REPO, Site, invoke, project_copy, story_text


@pytest.fixture
def repo(tmp_path):
    root = project_copy(tmp_path / "redaktion")
    shutil.copytree(REPO / ".githooks", root / ".githooks")
    (root / ".venv").symlink_to(REPO / ".venv")  # the hook runs .venv/bin/invoke like on an editor's machine
    site = Site(root)
    (root / ".gitignore").write_text("/.venv\n/output/\n/.cache/\n/preview/\n/.output*\n__pycache__/\n")
    site.story("2026/radwege.md")
    site.commit("Start", "2026-11-20 09:00")
    result = invoke(root, "hooks")
    assert result.returncode == 0, result.stderr
    assert "Pre-commit-Prüfung eingerichtet" in result.stdout
    return site


def git(site: Site, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=site.root, capture_output=True, text=True, timeout=300)


def commit(site: Site, *paths: str) -> subprocess.CompletedProcess:
    assert git(site, "add", "--", *paths).returncode == 0
    return git(site, "commit", "-m", "Meldung")


def test_hooks_sets_the_committed_hook_folder(repo: Site):
    assert git(repo, "config", "core.hooksPath").stdout.strip() == ".githooks"


def test_a_valid_story_is_committed(repo: Site):
    repo.story("2026/neu.md", id="c3c3c3c3c3c3", title="Neue Bänke")
    result = commit(repo, "content/stories/2026/neu.md")
    assert result.returncode == 0, result.stderr
    assert git(repo, "log", "-1", "--format=%s").stdout.strip() == "Meldung"


def test_a_broken_story_is_refused_with_the_german_message(repo: Site):
    repo.write("stories/2026/falle.md", story_text(id="dddddddddddd", title="no"))
    result = commit(repo, "content/stories/2026/falle.md")
    assert result.returncode != 0
    assert ("FEHLER content/stories/2026/falle.md:3: Feld „title“: „no“ wird von YAML als Wahrheitswert "
            "(ja/nein) gelesen") in result.stderr
    assert "Commit abgebrochen: 1 Fehler. Beheben, mit „git add“ aufnehmen, erneut committen." in result.stderr
    assert git(repo, "log", "-1", "--format=%s").stdout.strip() == "Start"  # nothing committed


def test_only_the_changed_stories_count(repo: Site):
    repo.write("stories/2026/liegen-gelassen.md", story_text(id="eeeeeeeeeeee", title="no"))  # not staged
    repo.story("2026/neu.md", id="c3c3c3c3c3c3", title="Neue Bänke")
    result = commit(repo, "content/stories/2026/neu.md")
    assert result.returncode == 0, result.stderr
    assert "1 Fehler in anderen Dateien" in result.stderr  # git shows the hook's output there


def test_a_broken_link_from_a_changed_story_is_refused(repo: Site):
    repo.write("stories/2026/neu.md", story_text(id="c3c3c3c3c3c3", title="Neue Bänke",
                                                  body="Siehe [hier](story:gibtesnicht1).\n"))
    result = commit(repo, "content/stories/2026/neu.md")
    assert result.returncode != 0
    assert "Link story: „gibtesnicht1“: keine Meldung hat diese id." in result.stderr


def test_deleting_a_story_others_link_to_is_refused(repo: Site):
    repo.write("stories/2026/verweis.md", story_text(id="c3c3c3c3c3c3", title="Verweis", related="[a1b2c3d4e5f6]"))
    assert commit(repo, "content/stories/2026/verweis.md").returncode == 0
    assert git(repo, "rm", "-q", "content/stories/2026/radwege.md").returncode == 0
    result = git(repo, "commit", "-m", "Weg damit")
    assert result.returncode != 0
    assert "verweis.md" in result.stderr and "a1b2c3d4e5f6" in result.stderr


def test_commits_outside_content_are_not_checked(repo: Site):
    repo.write("stories/2026/liegen-gelassen.md", story_text(id="eeeeeeeeeeee", title="no"))
    (repo.root / "NOTIZ.txt").write_text("Nur eine Notiz\n")
    result = commit(repo, "NOTIZ.txt")
    assert result.returncode == 0, result.stderr
    assert "Prüfung" not in result.stdout + result.stderr


def test_a_symbolic_link_below_content_is_refused(repo: Site, tmp_path):
    outside = tmp_path / "geheim.jpg"  # a valid photo with a valid description: only the link is wrong
    outside.write_bytes(PHOTO)
    repo.write("media/fotos/geheim.jpg.yml", "alt: Geheim\ncredit: Stadt\n")
    (repo.content / "media/fotos/geheim.jpg").symlink_to(outside)
    result = commit(repo, "content/media/fotos/geheim.jpg", "content/media/fotos/geheim.jpg.yml")
    assert result.returncode != 0
    assert (f"FEHLER content/media/fotos/geheim.jpg: Diese Datei oder dieser Ordner ist eine Verknüpfung (Symlink) "
            f"auf „{outside}“.") in result.stderr
    assert git(repo, "log", "-1", "--format=%s").stdout.strip() == "Start"  # nothing committed
