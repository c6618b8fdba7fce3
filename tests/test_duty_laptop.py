"""The night shift's way when the git host is down (docs/krisenmodus.md, step 8): the crisis message is
committed on a duty laptop, sent from there with notfallconf.py (`--story krise-<id>`), the record of
sends stays on the laptop's branch, and once it is pushed the CI run sends the rest, nothing twice."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import git
import yaml

from tests.fakes.mastodon import FakeMastodon
from tests.support import GIT_IDENTITY, NOW, REPO, seeded_origin, story_text

STORY = "a1b2c3d4e5f6"
CRISIS = "krise-hochwasser-rhein"
CRISIS_FILE = """\
id: hochwasser-rhein
level: Gefahr
title: "Hochwasser am Rhein: Ufer gesperrt"
text: "Der Rhein steigt schnell. Bitte meiden Sie das Ufer."
start: 2026-11-26 11:30
channels: [mastodon]
"""


def publish(checkout: Path, server, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEWSROOM_MASTODON_TOKEN": server.token, "NEWSROOM_MASTODON_BASE_URL": server.url}
    return subprocess.run([sys.executable, "-m", "invoke", "publish", "--now", NOW, *args], cwd=checkout, env=env,
                          capture_output=True, stdin=subprocess.DEVNULL, text=True, timeout=300)


def posts(server) -> dict[str, int]:
    return {"krise": sum("Hochwasser am Rhein" in s["content"] for s in server.statuses),
            "meldung": sum("Neue Bänke am Rhein" in s["content"] for s in server.statuses)}


def test_without_the_git_host_a_laptop_sends_the_crisis_and_after_its_push_nothing_goes_twice(tmp_path):
    origin = seeded_origin(tmp_path, {f"2026/{STORY}.md": story_text(
        id=STORY, title="Neue Bänke am Rhein", date="2026-11-26 11:00", channels="\n  mastodon: true")})
    laptop = tmp_path / "laptop"
    repo = git.Repo.clone_from(origin, laptop)
    shutil.copy2(REPO / "notfallconf.py", laptop / "notfallconf.py")
    away = origin.rename(tmp_path / "unreachable.git")  # the git host is down
    (laptop / "content" / "krise.yml").write_text(CRISIS_FILE, encoding="utf-8")
    repo.git.add("content/krise.yml")
    repo.git.commit("-m", "Krise: Hochwasser am Rhein", env={**os.environ, **GIT_IDENTITY})
    with FakeMastodon() as server:
        usual = publish(laptop, server, "--story", CRISIS)
        assert usual.returncode == 1 and "git fetch origin fehlgeschlagen" in usual.stdout + usual.stderr
        assert server.statuses == []  # without the record's lock nothing is sent

        down = publish(laptop, server, "--story", CRISIS, "--settings", "notfallconf.py")
        assert down.returncode == 0, down.stdout + down.stderr
        assert posts(server) == {"krise": 1, "meldung": 0}  # the crisis alone
        recorded = yaml.safe_load(repo.git.show(f"main:content/receipts/{CRISIS}.yml"))
        assert recorded["channels"]["mastodon"]["status"] == "sent"

        away.rename(origin)  # the git host is back: the laptop pushes first
        repo.git.push("origin", "main")
        ci = tmp_path / "ci"
        git.Repo.clone_from(origin, ci)
        after = publish(ci, server)
        assert after.returncode == 0, after.stdout + after.stderr
        assert posts(server) == {"krise": 1, "meldung": 1}
