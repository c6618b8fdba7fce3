"""A site whose desk takes approvals from the browser: the real build, the real desk server."""

from __future__ import annotations

from tests.publishing_support import commit_and_push, due_story
from tests.support import REPO

APPROVERS = "approvers:\n  cvd-a:\n    emails: [cora.vogt@example.org]\n  cvd-b:\n    emails: [ben.dorn@example.org]\n"
CORA, BEN, EDITOR = ("Cora Vogt", "cora.vogt@example.org"), ("Ben Dorn", "ben.dorn@example.org"), \
    ("Test Redaktion", "redaktion@example.org")


def as_person(site, person) -> None:
    """The checkout's git identity: who approves, stops or lifts."""
    with site.repo.config_writer() as config:
        config.set_value("user", "name", person[0])
        config.set_value("user", "email", person[1])


def desk_site(site, person=BEN):
    """A due story written by the editorial office, and the git identity of `person` in the checkout."""
    site.write("desk/approvers.yml", APPROVERS)
    due_story(site)
    commit_and_push(site)
    as_person(site, person)
    return site


def desk_server(site):
    """The desk server as `invoke desk` runs it, approving with the checkout's identity."""
    from newsroom.build.runner import build, check
    from newsroom.desk.actions import approve as approve_story
    from newsroom.publishing.pipeline import ledger_from_settings
    from newsroom.servers.desk_server import DeskServer, serve

    overrides = site.overrides(APPROVAL_SINCE="2026-11-01 00:00")
    build(REPO / "pelicanconf.py", overrides)

    def approve(story_id, version):
        approval, _made = check(REPO / "pelicanconf.py", overrides, after=lambda built, s: approve_story(
            built, s, ledger_from_settings(s), story_id, version=version))
        build(REPO / "pelicanconf.py", overrides)
        return f"Freigegeben von {approval.by} (lokal): {approval.source}."

    server = DeskServer(site.root / "preview", approve)
    serve(server)
    return server


def approvals_on_origin(site) -> list[str]:
    site.repo.git.fetch("origin")
    return [p for p in site.repo.git.ls_tree("-r", "--name-only", "origin/main").splitlines() if "/approvals/" in p]
