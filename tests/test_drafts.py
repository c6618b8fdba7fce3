"""A draft is never published: its problems are reported, and the rest of the site still goes out.
A broken published story still stops the build; the Chef vom Dienst's overview always renders."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from newsroom.errors import ContentErrors
from tests.publishing_support import due_story
from tests.support import NOW, REPO, Site, invoke, project_copy, snapshot, story_text

GOOD = "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html"
DRAFT = "content/stories/2026/entwurf.md"


def broken_draft(site: Site, **fields) -> None:
    """A draft with a YAML error (an unquoted colon), a wrong Amt and a missing photo."""
    values = {"id": "dddddddddddd", "title": "Entwurf", "status": "draft", "summary": "Achtung: Sperrung: ab Montag",
              "department": "Gartenamt", "image": "fotos/fehlt.jpg", "channels": "\n  mastodon: true", **fields}
    site.write("stories/2026/entwurf.md", story_text(**values))


def test_a_broken_draft_is_reported_and_the_site_still_builds(site):
    due_story(site)  # published, with a channel
    broken_draft(site)
    report = site.build()
    assert "Neue Radwege am Rheinufer" in site.page(GOOD)
    problems = [str(p) for p in report.draft_problems]
    assert problems[0].startswith(f"{DRAFT}:6: Doppelpunkt an unerwarteter Stelle.")
    assert problems[1].startswith(f"{DRAFT}:8: Feld „department“: „Gartenamt“ ist nicht erlaubt.")
    assert len(problems) == 3 and "fehlt.jpg" in problems[2]
    overview = (site.root / "preview" / "status.txt").read_text(encoding="utf-8")
    assert f"  {DRAFT}  [fehlerhaft (Entwurf, wird nicht veröffentlicht)]" in overview
    assert "    Zeile 8: Feld „department“: „Gartenamt“ ist nicht erlaubt." in overview
    assert "mastodon   fällig" in overview and "BUILD ABGEBROCHEN" not in overview
    html = (site.root / "preview" / "index.html").read_text(encoding="utf-8")
    assert "fehlerhaft (Entwurf, wird nicht veröffentlicht)" in html and "Gartenamt" in html


def test_a_draft_whose_front_matter_cannot_be_read_counts_as_a_draft_by_its_status_line(site):
    site.story()
    site.write("stories/2026/entwurf.md", "---\nid: dddddddddddd\nstatus: draft\ntitle: [kaputt\n---\nText.\n")
    report = site.build()
    assert site.page(GOOD)
    assert {p.path for p in report.draft_problems} == {DRAFT}
    # The front matter is not even closed: its status line still tells.
    site.write("stories/2026/entwurf.md", "---\nid: dddddddddddd\nstatus: 'draft'  # noch nicht\ntitle: T\nText.\n")
    report = site.build()
    assert [str(p) for p in report.draft_problems] == [
        f"{DRAFT}:1: Der Kopfbereich wird nicht mit einer Zeile --- abgeschlossen."]
    # Without a readable status line it is not known to be a draft: it stops the build.
    site.write("stories/2026/entwurf.md", "---\nid: dddddddddddd\nstatus: drafts\ntitle: T\nText.\n")
    with pytest.raises(ContentErrors):
        site.build()


def test_a_broken_published_story_stops_the_build_and_the_overview_names_it(site):
    due_story(site)
    broken_draft(site)
    site.build()
    before = snapshot(site.output)
    site.story("2026/kaputt.md", id="eeeeeeeeeeee", title="Kaputt", department="Gartenamt")
    with pytest.raises(ContentErrors) as caught:
        site.build()
    assert [e.path for e in caught.value.errors] == ["content/stories/2026/kaputt.md"]
    assert {e.path for e in caught.value.drafts} == {DRAFT}
    assert snapshot(site.output) == before
    overview = (site.root / "preview" / "status.txt").read_text(encoding="utf-8")
    assert "BUILD ABGEBROCHEN: online bleibt die zuletzt erfolgreiche Fassung" in overview
    assert "  content/stories/2026/kaputt.md  [fehlerhaft – Build angehalten]" in overview
    assert f"  {DRAFT}  [fehlerhaft (Entwurf, wird nicht veröffentlicht)]" in overview
    assert "Der letzte Build wurde abgebrochen" in (site.root / "preview" / "index.html").read_text(encoding="utf-8")


def test_a_draft_with_a_published_storys_id_gives_way(site):
    site.story()  # id a1b2c3d4e5f6, published
    site.story("2026/kopie.md", status="draft", title="Kopie als Entwurf")  # same id
    site.story("2026/verweis.md", id="ffffffffffff", title="Verweis", date="2026-11-21 10:00",
               body="Siehe [die Radwege](story:a1b2c3d4e5f6).\n")
    report = site.build()
    assert [str(p) for p in report.draft_problems] == [
        "content/stories/2026/kopie.md: Feld „id“: Die id „a1b2c3d4e5f6“ hat schon "
        "content/stories/2026/radwege.md. Jede Meldung braucht eine eigene id."]
    assert 'href="/aktuelles/2026/11/neue-radwege-am-rheinufer/"' in site.page(
        "aktuelles/2026/11/verweis/index.html")


@pytest.fixture
def project_site(tmp_path):
    return Site(project_copy(tmp_path / "project"))


def test_invoke_check_and_build_warn_about_a_broken_draft_and_succeed(project_site):
    site, project = project_site, project_site.root
    site.story()
    broken_draft(site)
    check = invoke(project, "check", "--now", NOW)
    assert check.returncode == 0, check.stderr
    assert f"WARNUNG (Entwurf) {DRAFT}:8: Feld „department“: „Gartenamt“ ist nicht erlaubt." in check.stderr
    assert "1 fehlerhafte(r) Entwurf/Entwürfe (nicht veröffentlicht, siehe WARNUNG)" in check.stdout
    build = invoke(project, "build", "--now", NOW)
    assert build.returncode == 0, build.stderr
    assert f"WARNUNG (Entwurf) {DRAFT}:6: Doppelpunkt" in build.stderr
    assert (project / "output" / GOOD).is_file()
    # Published, the same file stops both.
    broken_draft(site, status="published")
    check = invoke(project, "check", "--now", NOW)
    assert check.returncode == 1 and f"FEHLER {DRAFT}:8: Feld „department“" in check.stderr


def test_the_pre_commit_hook_lets_a_broken_draft_through_with_a_warning(tmp_path):
    root = project_copy(tmp_path / "redaktion")
    shutil.copytree(REPO / ".githooks", root / ".githooks")
    (root / ".venv").symlink_to(REPO / ".venv")
    site = Site(root)
    (root / ".gitignore").write_text("/.venv\n/output/\n/.cache/\n/preview/\n__pycache__/\n")
    site.story()
    site.commit("Start", "2026-11-20 09:00")
    assert invoke(root, "hooks").returncode == 0

    def commit(path: str) -> subprocess.CompletedProcess:
        subprocess.run(["git", "add", "--", path], cwd=root, check=True)
        return subprocess.run(["git", "commit", "-m", "Entwurf"], cwd=root, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=300)

    broken_draft(site)
    result = commit(DRAFT)
    assert result.returncode == 0, result.stderr
    assert f"WARNUNG (Entwurf) {DRAFT}:8: Feld „department“" in result.stderr
    broken_draft(site, status="published")
    result = commit(DRAFT)
    assert result.returncode != 0 and f"FEHLER {DRAFT}:8: Feld „department“" in result.stderr
