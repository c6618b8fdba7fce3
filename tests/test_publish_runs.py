"""Publish runs as CI runs them: `invoke publish` in fresh clones of a bare origin.

Killed with SIGKILL after its k-th send, run twice at the same time, and watched for
secrets in every byte it leaves behind.
"""

from __future__ import annotations

from pathlib import Path

import git
import pytest
import yaml

from tests.fakes.mastodon import FakeMastodon
from tests.publishing_support import fresh_clone, publish_killed, start_publish
from tests.support import seeded_origin, story_text

STORIES = {f"s{n}00000000{n}": f"2026-11-26 0{n + 5}:00" for n in range(1, 4)}
SENTINEL = "SENTINEL-geheim-4b1d9e7c2f"


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare origin holding the project and three stories due for Mastodon."""
    return seeded_origin(tmp_path, {f"2026/{story_id}.md": story_text(
        id=story_id, title=f"Meldung {story_id}", date=date, channels="\n  mastodon: true")
        for story_id, date in STORIES.items()})


def receipts(origin: Path) -> dict[str, str]:
    repo = git.Repo(origin)
    return {story_id: yaml.safe_load(repo.git.show(f"main:content/receipts/{story_id}.yml"))["channels"]
            ["mastodon"]["status"] for story_id in STORIES}


def posts_per_story(server) -> dict[str, int]:
    return {story_id: sum(f"meldung-{story_id}" in s["content"] for s in server.statuses) for story_id in STORIES}


@pytest.mark.parametrize("k", [1, 2, 3])
def test_kill_9_after_the_kth_send_then_a_rerun_sends_each_exactly_once(origin, k):
    with FakeMastodon() as server:
        # The k-th post is created on the server, then the run dies before it hears the answer.
        publish_killed(fresh_clone(origin, "runner-1"), server.env, server=server, hook="on_write", at=k)
        assert len(server.statuses) == k
        second = start_publish(fresh_clone(origin, "runner-2"), server.env)
        out, err = second.communicate(timeout=300)
        assert second.returncode == 0, out + err
        assert posts_per_story(server) == {story_id: 1 for story_id in STORIES}
        assert receipts(origin) == {story_id: "sent" for story_id in STORIES}


def test_two_runs_at_the_same_time_send_each_story_once(origin):
    with FakeMastodon() as server:
        runs = [start_publish(fresh_clone(origin, f"runner-{n}"), server.env) for n in (1, 2)]
        results = [run.communicate(timeout=300) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], results
        assert posts_per_story(server) == {story_id: 1 for story_id in STORIES}
        assert receipts(origin) == {story_id: "sent" for story_id in STORIES}


def test_secrets_appear_in_no_log_record_or_file(origin):
    with FakeMastodon(token=SENTINEL) as server:
        server.fail("POST", "/api/v1/statuses", server.echoing_refusal())
        checkout = fresh_clone(origin, "runner-1")
        out, err = start_publish(checkout, server.env).communicate(timeout=300)
        history = git.Repo(origin).git.log("-p", "--all")
        assert "HTTP 422" in history  # the failure is recorded …
        leaks = [name for name, text in (("stdout", out), ("stderr", err), ("git history", history)) if SENTINEL in text]
        for path in checkout.rglob("*"):
            if path.is_file() and ".git" not in path.parts and SENTINEL.encode() in path.read_bytes():
                leaks.append(str(path.relative_to(checkout)))
        assert leaks == []  # … without the secret
