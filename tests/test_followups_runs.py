"""Corrections and withdrawals as CI runs them: `invoke publish` in fresh clones of a bare origin,
killed with SIGKILL after its k-th reply or deletion, then run again: each exactly once."""

from __future__ import annotations

from pathlib import Path

import git
import pytest
import yaml

from tests.fakes.mastodon import FakeMastodon
from tests.publishing_support import fresh_clone, publish_killed, start_publish
from tests.support import story_text
from tests.test_publish_runs import STORIES

CORRECTION = "\n  - date: 2026-11-26 11:00\n    wrong: Es war Montag.\n    right: Es ist Dienstag."
WITHDRAWAL = "\n  date: 2026-11-26 11:00\n  reason: Die Meldung war verfrüht."


@pytest.fixture
def origin(tmp_path) -> Path:
    from tests.support import seeded_origin

    return seeded_origin(tmp_path, {f"2026/{story_id}.md": story_text(
        id=story_id, title=f"Meldung {story_id}", date=date, channels="\n  mastodon: true")
        for story_id, date in STORIES.items()})


def amend(origin: Path, **fields) -> None:
    """An editor's commit to every story, pushed on top of the receipts."""
    checkout = fresh_clone(origin, "editor")
    repo = git.Repo(checkout)
    for story_id, date in STORIES.items():
        (checkout / f"content/stories/2026/{story_id}.md").write_text(story_text(
            id=story_id, title=f"Meldung {story_id}", date=date, channels="\n  mastodon: true", **fields),
            encoding="utf-8")
    repo.git.add("-A")
    repo.git.commit("-m", "Nachtrag")
    repo.git.push("origin", "HEAD:refs/heads/main")


def statuses(origin: Path, suffix: str) -> dict[str, str]:
    repo = git.Repo(origin)
    return {story_id: yaml.safe_load(repo.git.show(f"main:content/receipts/{story_id}{suffix}.yml"))["channels"]
            ["mastodon"]["status"] for story_id in STORIES}


def first_sends(origin: Path, server) -> dict[str, str]:
    done = start_publish(fresh_clone(origin, "runner-0"), server.env)
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, out + err
    return {s["content"].split("meldung-")[1].split("/")[0]: s["id"] for s in server.statuses}


@pytest.mark.parametrize("k", [1, 3])
def test_kill_9_after_the_kth_correction_then_a_rerun_replies_to_each_exactly_once(origin, k):
    with FakeMastodon() as server:
        posts = first_sends(origin, server)
        amend(origin, corrections=CORRECTION)
        publish_killed(fresh_clone(origin, "runner-1"), server.env, server=server, hook="on_write", at=3 + k)
        assert len(server.statuses) == 3 + k
        again = start_publish(fresh_clone(origin, "runner-2"), server.env)
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, out + err
        assert {story_id: len(server.replies_to(post)) for story_id, post in posts.items()} == {
            story_id: 1 for story_id in STORIES}
        assert statuses(origin, ".berichtigung-202611261100") == {story_id: "sent" for story_id in STORIES}


@pytest.mark.parametrize("k", [1, 2])
def test_kill_9_after_the_kth_deletion_then_a_rerun_takes_every_post_back_once(origin, k):
    with FakeMastodon() as server:
        first_sends(origin, server)
        amend(origin, status="withdrawn", withdrawal=WITHDRAWAL)
        publish_killed(fresh_clone(origin, "runner-1"), server.env, server=server, hook="on_delete", at=k)
        assert len(server.deleted) == k
        again = start_publish(fresh_clone(origin, "runner-2"), server.env)
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, out + err
        assert server.statuses == [] and len(server.deleted) == 3
        assert statuses(origin, ".ruecknahme") == {story_id: "sent" for story_id in STORIES}
        # The deletion cut off by the kill is answered 404 in the rerun, and counts as deleted.
        assert len(server.calls("DELETE", r"/api/v1/statuses/\d+")) in (3, 4)
