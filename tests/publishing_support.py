"""Helpers for the publishing tests: a site with a due story, the real build, the real Publisher."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import git
import yaml

from tests.support import NOW, REPO, Site

STORY_ID = "a1b2c3d4e5f6"


def due_story(site: Site, name: str = "2026/radwege.md", story_id: str = STORY_ID, date: str = "2026-11-26 09:00",
              channels: str = "\n  mastodon: true", **fields) -> None:
    site.story(name, id=story_id, date=date, channels=channels, **fields)


def commit_and_push(site: Site, message: str = "Meldung", when: str = "2026-11-26 08:00") -> None:
    """Commit and push as an editor does, on top of what publish runs pushed meanwhile (the receipts)."""
    site.commit(message, when)
    if "main" in site.repo.git.ls_remote("--heads", "origin"):
        site.repo.git.pull("--rebase", "origin", "main")
    site.repo.git.push("origin", "HEAD:refs/heads/main")


def publish(site: Site, *, now: str = NOW, settings: dict | None = None, **options):
    """`invoke publish` in process: the production build (with `settings` overridden), then the
    Publisher on its context."""
    from newsroom.build.runner import build
    from newsroom.publishing.pipeline import Publisher

    overrides = site.overrides(BUILD_NOW=now, PUBLISH_RETRY_SECONDS=20, **(settings or {}))
    report = build(REPO / "publishconf.py", overrides,
                   after=lambda context, settings: Publisher(settings, context, **options).run())
    return report.after


def fresh_clone(origin: Path, name: str) -> Path:
    """A clone of the bare origin beside it, as an ephemeral CI runner has."""
    checkout = origin.parent / name
    git.Repo.clone_from(origin, checkout)
    return checkout


def start_publish(checkout: Path, environ: Mapping[str, str], *options: str, now: str = NOW) -> subprocess.Popen:
    """`invoke publish` as CI runs it (CI=true, the channels' variables in `environ`), a process of its
    own that a test may kill -9 mid-run."""
    return subprocess.Popen([sys.executable, "-m", "invoke", "publish", "--now", now, *options], cwd=checkout,
                            env={**os.environ, "CI": "true", **environ}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def publish_killed(checkout: Path, environ: Mapping[str, str], *options: str, server, hook: str, at: int,
                   now: str = NOW) -> tuple[str, str]:
    """`start_publish`, killed with SIGKILL from inside the fake `server`: its `hook` (on_write,
    on_publish, on_delete, on_data), called with a count after each act, kills the run when the count
    reaches `at`, after the act and before the answer. Returns the run's output once it died."""
    run = start_publish(checkout, environ, *options, now=now)
    setattr(server, hook, lambda count: count == at and os.kill(run.pid, signal.SIGKILL))
    try:
        out, err = run.communicate(timeout=300)
    finally:
        setattr(server, hook, None)
    assert run.returncode == -signal.SIGKILL, out + err
    return out, err


def origin_receipt(site: Site, story_id: str = STORY_ID) -> dict | None:
    """The receipt as the bare origin has it (what the next CI runner will see)."""
    origin = git.Repo(site.root.parent / f"{site.root.name}-origin.git")
    try:
        text = origin.git.show(f"main:content/receipts/{story_id}.yml")
    except git.GitCommandError:
        return None
    return yaml.safe_load(text)


def mastodon_env(monkeypatch, server) -> None:
    monkeypatch.setenv("NEWSROOM_MASTODON_TOKEN", server.token)
    monkeypatch.setenv("NEWSROOM_MASTODON_BASE_URL", server.url)
