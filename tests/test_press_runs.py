"""Press runs as CI runs them: `invoke publish` in fresh clones of a bare origin, against a
real SMTP server. Killed with SIGKILL mid-list, and several runs at the same time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import git
import pytest
import yaml

from tests.fakes.smtp import FakeSMTP
from tests.press_support import press_environ, write_list
from tests.publishing_support import fresh_clone, publish_killed, start_publish
from tests.support import NOW, seeded_origin, story_text

STORIES = ["p100000000001", "p200000000002", "p300000000003"]
ADDRESSES = [f"redaktion{n:02d}@zeitung.example" for n in range(1, 11)]


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare origin holding the project (press releases in batches of three) and three releases."""
    return seeded_origin(tmp_path, {f"2026/{story_id}.md": story_text(
        id=story_id, title=f"Meldung {n}", date="2026-11-26 15:00", embargo=f"2026-11-26 {n + 7:02d}:00",
        channels="\n  press: true") for n, story_id in enumerate(STORIES, 1)}, settings="PRESS_BATCH = 3")


@pytest.fixture
def listing(tmp_path) -> Path:
    return write_list(tmp_path / "verteiler.csv", [(a, f"Redaktion {a[9:11]}", "Zeitung", "alle") for a in ADDRESSES])


def press_record(origin: Path, story_id: str) -> dict:
    text = git.Repo(origin).git.show(f"main:content/receipts/{story_id}.yml")
    return yaml.safe_load(text)["channels"]["press"]


def copies(server: FakeSMTP, number: str) -> dict[str, int]:
    """How many messages of release `number` each address received."""
    counts = dict.fromkeys(ADDRESSES, 0)
    for received in server.received:
        if f"{number}:" in received.message["Subject"]:
            for address in received.rcpt_tos:
                counts[address] += 1
    return counts


def status(origin: Path, name: str) -> subprocess.CompletedProcess:
    """`invoke status` in a fresh clone, as the Chef vom Dienst runs it."""
    return subprocess.run([sys.executable, "-m", "invoke", "status", "--now", NOW], cwd=fresh_clone(origin, name),
                          capture_output=True, text=True, timeout=300, env={**os.environ, "CI": "true"})


def test_killed_mid_batch_then_rerun_nobody_gets_a_release_twice_and_the_cut_batch_is_unclear(origin, listing):
    with FakeSMTP() as server:
        environ = press_environ(server, listing)
        # The fourth message (the first of the second batch of three) is taken; the run dies before the answer.
        publish_killed(fresh_clone(origin, "runner-1"), environ, "--story", STORIES[0], "--channel", "press",
                       server=server, hook="on_data", at=4)
        assert server.delivered_to() == ADDRESSES[:4]
        second = start_publish(fresh_clone(origin, "runner-2"), environ, "--story", STORIES[0], "--channel", "press")
        out, err = second.communicate(timeout=300)
        # The second batch was announced: its three recipients may have been mailed, so none is mailed again,
        # and the run says so and fails.
        assert second.returncode == 1, out + err
        assert copies(server, "PM 1/2026") == {a: (0 if a in ADDRESSES[4:6] else 1) for a in ADDRESSES}
        assert "3 Empfänger unklar" in out and "Zusammenfassung: 1 UNKLAR (Empfänger)" in out
        assert "ACHTUNG: Bei einem Versand ist unklar" in err
        assert f"{STORIES[0]}/press: unklar (3 Empfänger)" in err
        assert f"invoke publish --story {STORIES[0]} --channel press --send-unclear" in err
        assert "Versand unvollständig: Empfänger unklar" in err
        assert "Empfängern (" not in err  # no progress line in CI
        record = press_record(origin, STORIES[0])
        assert record["status"] == "unclear" and record["unclear"] == 3 and record["remote_id"] == "PM 1/2026"
        uncertain = record["detail"]["uncertain"].split()
        assert len(record["detail"]["accepted"].split()) == 7 and len(uncertain) == 3
        assert all(re.fullmatch(r"[0-9a-f]{12}", key) for key in uncertain)  # keyed hashes, never addresses
        assert "@" not in git.Repo(origin).git.show(f"main:content/receipts/{STORIES[0]}.yml")
        # The Chef vom Dienst sees it; asking for the story again mails nobody and still fails.
        shown = status(origin, "cvd")
        assert shown.returncode == 0 and "press      unklar (3 Empfänger)" in shown.stdout, shown.stdout + shown.stderr
        third = start_publish(fresh_clone(origin, "runner-3"), environ, "--story", STORIES[0])
        out, err = third.communicate(timeout=300)
        assert third.returncode == 1 and "unklar (3 Empfänger)" in err, out + err
        assert copies(server, "PM 1/2026") == {a: (0 if a in ADDRESSES[4:6] else 1) for a in ADDRESSES}
        # On purpose: exactly the three unclear recipients get it once more (the fourth address had it).
        fourth = start_publish(fresh_clone(origin, "runner-4"), environ, "--story", STORIES[0], "--channel", "press",
                               "--send-unclear")
        out, err = fourth.communicate(timeout=300)
        assert fourth.returncode == 0, out + err
        assert copies(server, "PM 1/2026") == {a: (2 if a == ADDRESSES[3] else 1) for a in ADDRESSES}
        record = press_record(origin, STORIES[0])
        assert record["status"] == "sent" and "unclear" not in record and record["remote_id"] == "PM 1/2026"
        assert len(record["detail"]["accepted"].split()) == 10 and record["detail"]["uncertain"] == ""
        # Nothing is unclear any more: the option is refused and mails nobody.
        fifth = start_publish(fresh_clone(origin, "runner-5"), environ, "--story", STORIES[0], "--channel", "press",
                              "--send-unclear")
        out, err = fifth.communicate(timeout=300)
        assert fifth.returncode == 1 and f"Meldung „{STORIES[0]}“: keine unklaren Empfänger" in err, out + err
        assert sum(copies(server, "PM 1/2026").values()) == 11


def hold_pushes(origin: Path, folder: Path) -> None:
    """A pre-receive hook that logs every push (old and new commit) and holds it until `folder/go` exists."""
    folder.mkdir()
    hook = origin / "hooks" / "pre-receive"
    hook.write_text(f"""#!/bin/sh
cat >> "{folder}/pushes"
touch "{folder}/waiting-$$"
i=0
while [ ! -f "{folder}/go" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
exit 0
""")
    hook.chmod(0o755)


def test_two_runs_claiming_at_the_same_moment_never_share_a_number(origin, listing, tmp_path):
    gate = tmp_path / "gate"
    hold_pushes(origin, gate)
    with FakeSMTP() as server:
        environ = press_environ(server, listing)
        runs = [start_publish(fresh_clone(origin, f"runner-{n}"), environ, "--story", story_id, "--channel", "press")
                for n, story_id in enumerate(STORIES[:2], 1)]
        while len(list(gate.glob("waiting-*"))) < 2:  # both claims built on the same record, both pushed
            if any(run.poll() is not None for run in runs):
                break
            time.sleep(0.05)
        (gate / "go").touch()
        results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    pushes = [line.split() for line in (gate / "pushes").read_text().splitlines()]
    assert pushes[0][0] == pushes[1][0]  # the race happened: one of the two was refused and planned again
    numbers = sorted(press_record(origin, story_id)["remote_id"] for story_id in STORIES[:2])
    assert numbers == ["PM 1/2026", "PM 2/2026"]
    register = yaml.safe_load(git.Repo(origin).git.show("main:content/receipts/press/numbers-2026.yml"))
    assert sorted(register) == [1, 2] and sorted(register.values()) == sorted(STORIES[:2])
    for number in numbers:
        assert copies(server, number) == dict.fromkeys(ADDRESSES, 1)
