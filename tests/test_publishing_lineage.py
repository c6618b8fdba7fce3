"""A sent story whose id changes: `invoke publish`, `check` and `build` in fresh clones of a bare
origin stop with a German error, nothing is mailed or posted again; `invoke rename-id` keeps
the story's record, press number, recipient hashes and Message-IDs under its first id."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import subprocess
import sys
from pathlib import Path

import git
import pytest
import yaml

from tests.fakes.mastodon import FakeMastodon
from tests.fakes.smtp import FakeSMTP
from tests.press_support import SECRET, SENDER, write_list
from tests.support import GIT_IDENTITY as IDENTITY
from tests.support import NOW, seeded_origin, story_text

OLD, NEW = "p100000000001", "radwege-rheinufer"
FILE = "content/stories/2026/radwege.md"
RECORD = f"content/receipts/{OLD}.yml"
ADDRESSES = ["anna@rp.example", "ben@wdr.example", "cem@kultur.example"]


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare origin holding the project and one story due for the press and Mastodon."""
    text = story_text(id=OLD, date="2026-11-26 11:00", channels="\n  press: true\n  mastodon: true")
    return seeded_origin(tmp_path, {FILE.removeprefix("content/stories/"): text})


@pytest.fixture
def servers(tmp_path):
    listing = write_list(tmp_path / "verteiler.csv", [(a, a[:4], "Zeitung", "alle") for a in ADDRESSES])
    with FakeSMTP() as smtp, FakeMastodon() as mastodon:
        smtp.env = {"NEWSROOM_PRESS_SMTP_HOST": "127.0.0.1", "NEWSROOM_PRESS_SMTP_PORT": str(smtp.port),
                    "NEWSROOM_PRESS_SMTP_SECURITY": "none", "NEWSROOM_PRESS_FROM": SENDER,
                    "NEWSROOM_PRESS_RECIPIENTS": str(listing), "NEWSROOM_PRESS_RECIPIENT_SECRET": SECRET,
                    **mastodon.env}
        yield smtp, mastodon


def clone(origin: Path, name: str) -> Path:
    target = origin.parent / name
    git.Repo.clone_from(origin, target)
    return target


def invoke(checkout: Path, smtp, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **smtp.env, **IDENTITY, "CI": "true"}
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=checkout, env=env, capture_output=True,
                          text=True, timeout=300)


def publish(origin: Path, name: str, smtp) -> subprocess.CompletedProcess:
    return invoke(clone(origin, name), smtp, "publish", "--now", NOW)


def edit_and_push(checkout: Path, change, message: str) -> None:
    path = checkout / FILE
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    repo = git.Repo(checkout)
    repo.git.add("-A")
    repo.git.commit("-m", message, env={**os.environ, **IDENTITY})
    repo.git.push("origin", "HEAD:main")


def change_id(text: str) -> str:
    return text.replace(f"id: {OLD}\n", f"id: {NEW}\n", 1)


def record(origin: Path, key: str = OLD) -> dict | None:
    try:
        return yaml.safe_load(git.Repo(origin).git.show(f"main:content/receipts/{key}.yml"))
    except git.GitCommandError:
        return None


def recipient_key(address: str, story_id: str) -> str:
    return hmac.new(SECRET.encode(), f"{story_id}\0{address}".encode(), hashlib.sha256).hexdigest()[:12]


MESSAGE = re.compile(
    rf"{re.escape(FILE)}:2: Feld „id“: Die Kennung „{OLD}“ wurde geändert, aber unter ihr sind Sendungen "
    rf"verzeichnet \({re.escape(RECORD)}\)\. .*„invoke rename-id {OLD} {NEW}“")


def test_a_sent_story_whose_id_changed_is_refused_by_publish_check_and_build_and_sent_nothing(origin, servers):
    smtp, mastodon = servers
    first = publish(origin, "runner-1", smtp)
    assert first.returncode == 0, first.stdout + first.stderr
    assert sorted(smtp.delivered_to()) == ADDRESSES and len(mastodon.statuses) == 1
    edit_and_push(clone(origin, "editor"), change_id, "Neue id")

    again = publish(origin, "runner-2", smtp)
    assert again.returncode != 0
    assert MESSAGE.search(again.stderr), again.stdout + again.stderr
    # Nothing went out a second time: not one mail, not one post; no record under the new id.
    assert len(smtp.received) == 3 and len(mastodon.statuses) == 1
    assert record(origin, NEW) is None and record(origin)["source"] == FILE  # the record names the story's file
    checkout = origin.parent / "runner-2"
    for task in ("check", "build"):
        result = invoke(checkout, smtp, task, "--now", NOW)
        assert result.returncode == 1 and MESSAGE.search(result.stderr), (task, result.stdout + result.stderr)


def test_publish_refuses_when_only_the_pushed_record_knows_the_sends(origin, servers):
    """The checkout is the editor's commit made before the receipts were pushed (another CI job
    pushed them meanwhile): the build sees no record, the record on the remote does."""
    smtp, mastodon = servers
    editor = clone(origin, "editor")  # before the first run: no receipts
    assert publish(origin, "runner-1", smtp).returncode == 0
    path = editor / FILE
    path.write_text(change_id(path.read_text(encoding="utf-8")), encoding="utf-8")
    repo = git.Repo(editor)
    repo.git.commit("-am", "Neue id", env={**os.environ, **IDENTITY})
    repo.git.push("origin", "HEAD:refs/heads/bearbeitung")
    runner = clone(origin, "runner-2")
    git.Repo(runner).git.checkout("--detach", "origin/bearbeitung")
    assert not (runner / RECORD).exists()
    result = invoke(runner, smtp, "publish", "--now", NOW)
    assert result.returncode == 1, result.stdout + result.stderr
    assert MESSAGE.search(result.stderr) and "Nichts gesendet." in result.stderr
    assert len(smtp.received) == 3 and len(mastodon.statuses) == 1


def test_rename_id_carries_the_record_and_keeps_number_hashes_and_message_ids_of_the_first_id(origin, servers):
    smtp, mastodon = servers
    smtp.script.refuse[ADDRESSES[2]] = "451 4.7.1 Später bitte"  # greylisted: mailed by a later run
    first = publish(origin, "runner-1", smtp)
    assert first.returncode == 1 and record(origin)["channels"]["press"]["status"] == "retry"
    assert smtp.delivered_to() == ADDRESSES[:2]
    editor = clone(origin, "editor")
    edit_and_push(editor, change_id, "Neue id")  # by hand first: refused, see above
    renamed = invoke(editor, smtp, "rename-id", OLD, NEW)
    assert renamed.returncode == 0, renamed.stdout + renamed.stderr
    text = (editor / FILE).read_text(encoding="utf-8")
    assert f"id: {NEW}\nformer_ids: [{OLD}]\n" in text
    edit_and_push(editor, lambda same: same, "id umbenannt")

    smtp.script.refuse.clear()
    second = publish(origin, "runner-2", smtp)
    assert second.returncode == 0, second.stdout + second.stderr
    # Only the greylisted recipient, under the first id's number, hash and Message-ID.
    assert smtp.delivered_to() == ADDRESSES
    late = smtp.received[-1].message
    assert late["Subject"] == "PM 1/2026: Neue Radwege am Rheinufer"
    assert late["Message-ID"] == f"<pm-1-2026.{OLD}.{recipient_key(ADDRESSES[2], OLD)}@duesseldorf.de>"
    press = record(origin)["channels"]["press"]
    assert press["status"] == "sent" and press["remote_id"] == "PM 1/2026"
    assert sorted(press["detail"]["accepted"].split()) == sorted(recipient_key(a, OLD) for a in ADDRESSES)
    assert record(origin)["source"] == FILE and record(origin, NEW) is None
    register = yaml.safe_load(git.Repo(origin).git.show("main:content/receipts/press/numbers-2026.yml"))
    assert register == {1: OLD}
    assert len(mastodon.statuses) == 1

    third = publish(origin, "runner-3", smtp)
    assert third.returncode == 0, third.stdout + third.stderr
    assert len(smtp.received) == 3 and len(mastodon.statuses) == 1
    check = invoke(origin.parent / "runner-3", smtp, "check", "--now", NOW)
    assert check.returncode == 0, check.stdout + check.stderr


# -- in process: records written before they named their story's file, moves, deletions ---------

SENT = f"""story: {OLD}
channels:
  mastodon:
    status: sent
    key: {OLD}-mastodon-1
    run: ci:1
    claimed: '2026-11-20T10:00:00+01:00'
    remote_id: '1'
"""


def sent_story(site, name: str = "2026/radwege.md") -> None:
    """A story with a record of the kind older runs wrote: no `source`, found through git."""
    site.story(name, id=OLD, channels="\n  mastodon: true")
    site.write(f"receipts/{OLD}.yml", SENT)
    site.commit("Meldung und Versand", "2026-11-20 10:00")


def check_errors(site) -> list[str]:
    from newsroom.errors import ContentErrors

    try:
        site.check()
    except ContentErrors as exc:
        return [str(e) for e in exc.errors]
    return []


def test_an_older_record_without_source_finds_its_story_through_git(site):
    sent_story(site)
    site.story("2026/radwege.md", id=NEW, channels="\n  mastodon: true")
    site.commit("Neue id", "2026-11-21 10:00")
    assert [e.split(" Unter der")[0] for e in check_errors(site)] == [
        f"content/stories/2026/radwege.md:2: Feld „id“: Die Kennung „{OLD}“ wurde geändert, aber unter ihr sind "
        f"Sendungen verzeichnet (content/receipts/{OLD}.yml)."]


def test_a_story_moved_and_renamed_in_one_commit_is_found_too(site):
    sent_story(site)
    (site.content / "stories/2026/radwege.md").unlink()
    site.story("2026/11/radwege-am-rhein.md", id=NEW, channels="\n  mastodon: true")
    site.commit("Verschoben und neue id", "2026-11-21 10:00")
    errors = check_errors(site)
    assert len(errors) == 1 and errors[0].startswith("content/stories/2026/11/radwege-am-rhein.md:2: Feld „id“: "
                                                     f"Die Kennung „{OLD}“ wurde geändert")


def test_a_deleted_story_leaves_its_record_as_history_without_error_and_git_is_asked_once(site, monkeypatch):
    import newsroom.git_command

    site.story("2026/anderes.md", id="b1b2c3d4e5f6", title="Etwas anderes")
    sent_story(site)
    (site.content / "stories/2026/radwege.md").unlink()
    site.commit("Gelöscht", "2026-11-21 10:00")
    calls = []
    run = newsroom.git_command.subprocess.run
    monkeypatch.setattr(newsroom.git_command.subprocess, "run", lambda args, **kw: calls.append(args) or run(args, **kw))
    assert check_errors(site) == []
    traced = [c for c in calls if "--diff-filter=A" in c]
    assert len(traced) == 1
    site.story("2026/anderes.md", id="b1b2c3d4e5f6", title="Etwas anderes, geändert")
    assert check_errors(site) == [] and [c for c in calls if "--diff-filter=A" in c] == traced
    # The path it had may hold a story again: then that one is asked about.
    site.story("2026/radwege.md", id=NEW, channels="\n  mastodon: true")
    assert [e.split(":")[0] for e in check_errors(site)] == ["content/stories/2026/radwege.md"]


def test_former_ids_belong_to_one_story_and_the_record_counts_for_it(site):
    sent_story(site)
    site.story("2026/radwege.md", id=NEW, former_ids=f"[{OLD}]", channels="\n  mastodon: true")
    assert check_errors(site) == []
    site.story("2026/zweite.md", id="c1c2c3d4e5f6", former_ids=f"[{OLD}]", title="Zweite Meldung")
    site.story("2026/dritte.md", id="d1d2c3d4e5f6", former_ids="[d1d2c3d4e5f6]", title="Dritte Meldung")
    errors = check_errors(site)
    assert any(e.startswith("content/stories/2026/zweite.md: Feld „former_ids“: Die frühere id "
                            f"„{OLD}“ gehört schon zu content/stories/2026/radwege.md") for e in errors), errors
    assert any(e.startswith("content/stories/2026/dritte.md:") and "„d1d2c3d4e5f6“ ist die jetzige id" in e
               for e in errors), errors


def test_rename_id_rewrites_only_the_id_and_former_ids_and_names_stories_that_link_the_old_id(site):
    from newsroom.build.runner import load_settings
    from newsroom.content.rename_id import rename
    from tests.support import REPO

    site.story("2026/radwege.md", id=NEW, former_ids="\n  - a0a0a0a0a0a0", channels="\n  mastodon: true")
    site.story("2026/verweis.md", id="e1e2e3e4e5e6", title="Verweis", related=f"[{NEW}]")
    settings = load_settings(REPO / "pelicanconf.py", site.overrides())
    renamed = rename(settings, NEW, "radwege-neu")
    text = (site.content / "stories/2026/radwege.md").read_text(encoding="utf-8")
    assert text.startswith(f"---\nid: radwege-neu\nformer_ids: [a0a0a0a0a0a0, {NEW}]\ntitle: Neue Radwege")
    assert text.count("former_ids") == 1 and "  - a0a0a0a0a0a0" not in text
    assert renamed.linking == (site.content / "stories/2026/verweis.md",)
    # Back to an earlier id: it leaves former_ids, the first one stays the key.
    rename(settings, "radwege-neu", NEW)
    assert (site.content / "stories/2026/radwege.md").read_text(encoding="utf-8").startswith(
        f"---\nid: {NEW}\nformer_ids: [a0a0a0a0a0a0, radwege-neu]\n")
    # An id YAML would read as a number is written quoted, and the story stays valid.
    rename(settings, NEW, "202611")
    assert (site.content / "stories/2026/radwege.md").read_text(encoding="utf-8").startswith(
        f'---\nid: "202611"\nformer_ids: [a0a0a0a0a0a0, radwege-neu, {NEW}]\n')
    # Valid; only the link the task named still points to the id before.
    assert check_errors(site) == [f"content/stories/2026/verweis.md: Feld „related“: Verwandte Meldung „{NEW}“: "
                                  "keine Meldung hat diese id."]
