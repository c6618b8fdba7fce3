"""The CI pipelines (GitHub Actions, GitLab CI): their promises read from the YAML, and their steps
run here in order against a fresh clone with a bare origin and a folder as deploy target."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess

import pytest
import yaml
from invoke import Collection

import tasks
from tests.support import REPO, Site, project_copy

GITHUB = REPO / ".github" / "workflows" / "newsroom.yml"
GITLAB = REPO / ".gitlab-ci.yml"
INVOKE = re.compile(r"^\.venv/bin/invoke ([a-z-]+)")


def github() -> dict:
    return yaml.safe_load(GITHUB.read_text(encoding="utf-8"))


def gitlab() -> dict:
    return yaml.safe_load(GITLAB.read_text(encoding="utf-8"))


def documented_variables() -> set[str]:
    """Every NEWSROOM_* variable the README's tables name (the channels', the press's, the deploy's)."""
    names = set(re.findall(r"`(NEWSROOM_[A-Z0-9_]+)`", (REPO / "README.md").read_text(encoding="utf-8")))
    return {n for n in names if not n.endswith("_")}


def invoked(commands: list[str]) -> list[str]:
    return [m.group(1) for c in commands if (m := INVOKE.match(c.strip()))]


def github_commands() -> list[str]:
    """What every run on main does: the site job (build, deploy), then the publish job that needs it."""
    jobs = github()["jobs"]
    assert jobs["publish"]["needs"] == "site"
    return [step["run"] for name in ("site", "publish") for step in jobs[name]["steps"] if "run" in step]


def gitlab_commands() -> list[str]:
    """What every pipeline on the default branch does (the crisis job only runs for content/krise.yml)."""
    config = gitlab()
    jobs = sorted((name for name, job in config.items() if isinstance(job, dict) and "stage" in job
                   and job["stage"] != "test" and name != "crisis"),
                  key=lambda n: config["stages"].index(config[n]["stage"]))
    return [line for name in jobs for line in config[name]["script"]]


def test_tasks_named_by_the_pipelines_exist_and_run_warnings_build_deploy_publish():
    known = set(Collection.from_module(tasks).task_names)
    for commands in (github_commands(), gitlab_commands()):
        names = invoked(commands)
        assert names == ["warnings", "build", "deploy", "publish"], names
        assert set(names) <= known
    assert "setup:" in (REPO / "Makefile").read_text(encoding="utf-8")  # `make setup` in both pipelines


def test_github_fetches_history_publishes_one_at_a_time_on_schedule_with_secrets_and_caches():
    workflow = github()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as true
    crons = [entry["cron"] for entry in triggers["schedule"]]
    assert crons and all(re.fullmatch(r"\*/([1-9]|1[0-5]) \* \* \* \*", c) for c in crons), crons
    assert triggers["push"]["branches"] == ["main"]
    publish = workflow["jobs"]["publish"]
    assert publish["concurrency"] == {"group": "newsroom-publish", "cancel-in-progress": False}
    assert workflow["jobs"]["site"]["concurrency"] == {"group": "newsroom-deploy", "cancel-in-progress": False}
    checkout = next(s for s in publish["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    assert workflow["permissions"]["contents"] == "write"
    env = publish["env"]
    # GitLab's push token only: on GitHub the checkout's own token pushes the record of sends.
    missing = documented_variables() - {"NEWSROOM_GIT_PUSH_TOKEN"} - set(env)
    assert not missing, f"README names variables the workflow does not pass: {sorted(missing)}"
    assert all(value == f"${{{{ secrets.{name} }}}}" for name, value in env.items()), "secrets only from the store"
    cached = " ".join(s["with"]["path"] for s in publish["steps"] if s.get("uses", "").startswith("actions/cache"))
    for path in (".cache/pip", ".cache/npm", ".cache/build.sqlite", ".cache/warnungen.json", "output-production"):
        assert path in cached
    # A cache restores only where the same paths were saved (its version is made from them).
    saved = {s["with"]["key"].split("-")[0]: s["with"]["path"] for job in workflow["jobs"].values()
             for s in job.get("steps", []) if s.get("uses", "").startswith("actions/cache@")}
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("actions/cache/restore@"):
                assert step["with"]["path"] == saved[step["with"]["key"].split("-")[0]], step["name"]


def test_github_runs_a_crisis_commit_at_once_beside_a_long_publish_but_never_two_deploys_at_once():
    jobs = github()["jobs"]
    crisis, publish = jobs["crisis"], jobs["publish"]
    # Only for a push that touches the crisis file, after this run's deploy, in a group of its own.
    assert "github.event_name == 'push'" in crisis["if"] and crisis["needs"] == "site"
    for kind in ("added", "modified", "removed"):
        assert f"contains(join(github.event.commits.*.{kind}, ' '), 'content/krise.yml')" in crisis["if"]
    # The approval is often pushed after the message: it must not wait in the queue either.
    assert "contains(join(github.event.commits.*.added, ' '), 'content/approvals/krise-')" in crisis["if"]
    groups = {name: job.get("concurrency", {}).get("group") for name, job in jobs.items()}
    assert groups == {"test": None, "site": "newsroom-deploy", "publish": "newsroom-publish",
                      "crisis": "newsroom-crisis"}
    assert all(job["concurrency"]["cancel-in-progress"] is False for job in jobs.values() if "concurrency" in job)
    # The same publish as every run (the same secrets), and nothing else: the deploy stays in the site job.
    assert crisis["env"] == publish["env"] and crisis["steps"] == publish["steps"]
    assert invoked([s["run"] for s in crisis["steps"] if "run" in s]) == ["publish"]
    assert [name for name, job in jobs.items() if "deploy" in invoked([s.get("run", "") for s in job["steps"]])] \
        == ["site"]


def test_gitlab_runs_a_crisis_commit_at_once_beside_a_long_publish_but_never_two_deploys_at_once():
    config = gitlab()
    crisis = config["crisis"]
    assert crisis["stage"] == "publish" and crisis["resource_group"] == "newsroom-crisis"
    [rule] = crisis["rules"]
    assert rule["changes"] == ["content/krise.yml", "content/approvals/krise-*/**/*"] and '$CI_PIPELINE_SOURCE == "push"' in rule["if"]
    assert crisis["script"] == config["publish"]["script"] and invoked(crisis["script"]) == ["publish"]
    assert {job: config[job]["resource_group"] for job in ("build", "deploy", "publish")} == {
        "build": "newsroom-deploy", "deploy": "newsroom-deploy", "publish": "newsroom-publish"}


def test_gitlab_fetches_history_publishes_one_at_a_time_on_schedule_with_caches():
    config = gitlab()
    assert config["variables"]["GIT_DEPTH"] == "0"
    assert config["stages"] == ["test", "build", "deploy", "publish"]
    assert config["publish"]["resource_group"] == "newsroom-publish"
    rules = " ".join(rule["if"] for rule in config["workflow"]["rules"])
    assert '$CI_PIPELINE_SOURCE == "schedule"' in rules
    cached = [p for entry in config["default"]["cache"] for p in entry["paths"]]
    for path in (".cache/pip", ".cache/npm", ".cache/build.sqlite", ".cache/warnungen.json", "output-production/"):
        assert path in cached
    assert ".cache/warnungen.json" in config["build"]["artifacts"]["paths"]  # deploy and publish build the same
    assert "make setup" in config["default"]["before_script"]


@pytest.fixture
def ci_clone(tmp_path):
    """The project with one story in a repository with a bare origin, cloned like CI does."""
    seed = project_copy(tmp_path / "seed")
    for name in ("Makefile", "requirements.txt"):
        shutil.copy2(REPO / name, seed / name)  # copy2 keeps times: make sees the venv as up to date
    site = Site(seed)
    (seed / ".gitignore").write_text("/.venv\n/cms\n/output*/\n/.cache/\n/preview/\n/.output*\n__pycache__/\n")
    site.story("2026/radwege.md")  # a published story without channels: nothing to send
    site.commit("Erste Meldung", "2026-11-20 09:00")
    site.repo.git.push("origin", "main")
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", str(tmp_path / "seed-origin.git"), str(clone)], check=True)
    (clone / ".venv").symlink_to(REPO / ".venv")
    (clone / "cms").symlink_to(REPO / "cms")
    return clone


def test_the_github_steps_run_in_order_against_a_clone(ci_clone, tmp_path):
    target = tmp_path / "www"
    env = {**os.environ, "CI": "true", "NEWSROOM_DEPLOY_TARGET": str(target)}
    for command in github_commands():
        result = subprocess.run(shlex.split(command), cwd=ci_clone, env=env, capture_output=True, text=True,
                                timeout=600)
        assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    page = (target / "current/aktuelles/2026/11/neue-radwege-am-rheinufer/index.html").read_text(encoding="utf-8")
    assert 'href="https://www.duesseldorf.de/aktuelles/2026/11/neue-radwege-am-rheinufer/"' in page
    assert (target / "current/admin/config.yml").is_file() and (target / "current/pagefind").is_dir()
    assert not (ci_clone / "output").exists()  # production has its own folder
