"""The night shift's way when the git host is down (docs/krisenmodus.md): a duty laptop publishes
with notfallconf.py, the record of sends stays on its own branch, and once it is pushed no CI run
sends anything again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import git
import yaml

from tests.fakes.mastodon import FakeMastodon
from tests.support import NOW, REPO, seeded_origin, story_text

STORY = "a1b2c3d4e5f6"


def publish(checkout: Path, server, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEWSROOM_MASTODON_TOKEN": server.token, "NEWSROOM_MASTODON_BASE_URL": server.url}
    return subprocess.run([sys.executable, "-m", "invoke", "publish", "--now", NOW, *args], cwd=checkout, env=env,
                          capture_output=True, stdin=subprocess.DEVNULL, text=True, timeout=300)


def test_a_laptop_publishes_while_the_git_host_is_down_and_after_its_push_nothing_goes_twice(tmp_path):
    origin = seeded_origin(tmp_path, {f"2026/{STORY}.md": story_text(
        id=STORY, title="Hochwasser am Rhein", date="2026-11-26 11:00", channels="\n  mastodon: true")})
    laptop = tmp_path / "laptop"
    git.Repo.clone_from(origin, laptop)
    shutil.copy2(REPO / "notfallconf.py", laptop / "notfallconf.py")
    away = origin.rename(tmp_path / "unreachable.git")  # the git host is down
    with FakeMastodon() as server:
        usual = publish(laptop, server)
        assert usual.returncode == 1 and "git fetch origin fehlgeschlagen" in usual.stdout + usual.stderr
        assert server.statuses == []  # without the record's lock nothing is sent

        down = publish(laptop, server, "--settings", "notfallconf.py")
        assert down.returncode == 0, down.stdout + down.stderr
        assert len(server.statuses) == 1
        recorded = git.Repo(laptop).git.show(f"main:content/receipts/{STORY}.yml")
        assert yaml.safe_load(recorded)["channels"]["mastodon"]["status"] == "sent"

        away.rename(origin)  # the git host is back: the laptop pushes first
        git.Repo(laptop).git.push("origin", "main")
        ci = tmp_path / "ci"
        git.Repo.clone_from(origin, ci)
        after = publish(ci, server)
        assert after.returncode == 0, after.stdout + after.stderr
        assert len(server.statuses) == 1
