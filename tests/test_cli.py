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
                    "--category", "Verkehr", "--department", "Amt für Verkehrsmanagement")
    assert result.returncode == 0, result.stderr
    path = result.stdout.strip().splitlines()[-1]
    assert path.startswith("content/stories/2026/2026-12-03-strassenbahn-ueber-die-koenigsallee")
    text = (project / path).read_text(encoding="utf-8")
    assert 'title: "Straßenbahn über die Königsallee"' in text and "category: \"Verkehr\"" in text
    assert 'department: "Amt für Verkehrsmanagement"' in text and "status: draft" in text
    check = invoke(project, "check", "--now", "2026-12-04 10:00")
    assert check.returncode == 0, check.stderr
    assert "Prüfung bestanden: 1 Meldungen" in check.stdout


def test_a_published_story_with_the_placeholders_of_new_fails_the_check(project):
    result = invoke(project, "new", "--title", "Baustelle Kö", "--date", "2026-12-03 10:00", "--status", "published",
                    "--category", "Verkehr", "--department", "Amt für Verkehrsmanagement")
    assert result.returncode == 0, result.stderr
    path = result.stdout.strip().splitlines()[-1]
    check = invoke(project, "check", "--now", "2026-12-04 10:00")
    assert check.returncode == 1
    assert (f"FEHLER {path}:6: Feld „summary“: Der Anreißer ist noch der Platzhalter aus „invoke new“ "
            "(„Anreißer: ein bis zwei Sätze, worum es geht.“). Eine veröffentlichte Meldung braucht einen eigenen "
            "Anreißer.") in check.stderr
    assert (f"FEHLER {path}:16: Feld „body“: Der Text der Meldung enthält noch den Platzhalter aus „invoke new“ "
            "(„Hier steht der Text der Meldung. Zwischenüberschriften beginnen mit ##.“). Bitte durch den eigenen "
            "Text ersetzen.") in check.stderr
    story = project / path
    text = story.read_text(encoding="utf-8").replace("Anreißer: ein bis zwei Sätze, worum es geht.",
                                                     "Die Kö wird gesperrt.")
    story.write_text(text.replace("Hier steht der Text der Meldung.", "Ab Montag ist die Kö gesperrt."),
                     encoding="utf-8")
    check = invoke(project, "check", "--now", "2026-12-04 10:00")
    assert check.returncode == 0, check.stderr


def test_new_without_thema_and_amt_and_without_a_terminal_names_the_allowed_values(project):
    result = invoke(project, "new", "--title", "Test")
    assert result.returncode == 1
    assert ("FEHLER Bitte Thema angeben: invoke new --category \"…\". Erlaubt: Verkehr, Umwelt & Klima, "
            "Bildung,") in result.stderr
    result = invoke(project, "new", "--title", "Test", "--category", "Verkehr")
    assert result.returncode == 1
    assert "FEHLER Bitte Amt angeben: invoke new --department \"…\". Erlaubt: Amt für Kommunikation," in result.stderr
    assert not list((project / "content" / "stories").rglob("*.md"))


def test_new_asks_for_thema_and_amt_on_a_terminal(project):
    """A real pseudo-terminal: the editor picks the Thema by number and the Amt by name."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "invoke", "new", "--title", "Neue Bäume",
                                "--date", "2026-12-03 10:00"], cwd=project, stdin=follower, stdout=follower,
                               stderr=follower, close_fds=True)
    os.close(follower)
    seen, answers = b"", [b"2\n", b"Gartenamt\n", "Umweltamt\n".encode()]
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        seen += chunk
        if seen.count(b"Nummer oder Name: ") > 3 - len(answers):
            os.write(leader, answers.pop(0))
    assert process.wait(timeout=120) == 0, seen.decode()
    output = seen.decode()
    assert "Thema der Meldung:" in output and " 2  Umwelt & Klima" in output
    assert "„Gartenamt“ ist keine der Nummern" in output
    path = output.strip().splitlines()[-1].strip()
    text = (project / path).read_text(encoding="utf-8")
    assert 'category: "Umwelt & Klima"' in text and 'department: "Umweltamt"' in text


def test_new_never_overwrites_and_ids_are_fresh(project):
    options = ("--date", "2026-11-20 10:00", "--category", "Verkehr", "--department", "Umweltamt")
    first = invoke(project, "new", "--title", "Gleicher Titel", *options)
    second = invoke(project, "new", "--title", "Gleicher Titel", *options)
    paths = [r.stdout.strip().splitlines()[-1] for r in (first, second)]
    assert paths[0] != paths[1]
    ids = [(project / p).read_text(encoding="utf-8").split("id: ")[1][:12] for p in paths]
    assert ids[0] != ids[1]


def test_new_refuses_an_unknown_thema(project):
    result = invoke(project, "new", "--title", "Test", "--category", "Verkehrr", "--department", "Umweltamt")
    assert result.returncode == 1
    assert "Thema „Verkehrr“ gibt es nicht. Meinten Sie „Verkehr“? Erlaubt: Verkehr, Umwelt & Klima," in result.stderr


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


def test_new_plans_a_story_with_owner_target_and_channels(project):
    result = invoke(project, "new", "--title", "Bilanz des Weihnachtsmarkts", "--status", "planned", "--owner",
                    "cvd-1", "--date", "2026-12-23", "--channels", "press,mastodon")
    assert result.returncode == 0, result.stderr
    path = result.stdout.strip().splitlines()[-1]
    assert path.startswith("content/stories/2026/2026-12-23-bilanz-des-weihnachtsmarkts")
    text = (project / path).read_text(encoding="utf-8")
    assert "status: planned\n" in text and "target: 2026-12-23\n" in text and "  mastodon: true\n" in text
    check = invoke(project, "check", "--now", "2026-12-04 10:00")
    assert check.returncode == 0, check.stderr
    refused = invoke(project, "new", "--title", "Ohne Zuständige", "--status", "planned", "--date", "2026-12-23")
    assert refused.returncode == 1 and "braucht „--owner“" in refused.stderr
