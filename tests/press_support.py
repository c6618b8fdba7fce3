"""Helpers for the press tests: a distribution list outside the site, the environment the
press channel reads, a story due for the press, and the real build plus Publisher."""

from __future__ import annotations

import csv
from pathlib import Path

import git

from tests.fakes.smtp import FakeSMTP
from tests.publishing_support import STORY_ID, due_story, origin_receipt
from tests.support import NOW, REPO

SECRET = "press-test-schluessel-5e1f"
SENDER = "Presse Düsseldorf <presse@duesseldorf.de>"
RECIPIENTS = [  # address, name, medium, themen
    ("anna@rp.example", "Anna Adler", "Rheinische Post", "Verkehr"),
    ("ben@wdr.example", "Ben Berg", "WDR", "alle"),
    ("cem@kultur.example", "Cem Cakir", "Kulturmagazin", "Kultur"),
    ("dora@express.example", "Dora Dietz", "Express", "Verkehr; Umwelt & Klima"),
    ("emil@dpa.example", "Emil Ernst", "dpa", "Bildung, Verkehr"),
]
VERKEHR = ["anna@rp.example", "ben@wdr.example", "dora@express.example", "emil@dpa.example"]
SUBJECT = "Sperrfrist: 26.11.2026, 14:00 Uhr – PM 1/2026: Neue Radwege am Rheinufer"


def write_list(path: Path, rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["address", "name", "medium", "themen"])
        writer.writerows(rows)
    return path


def press_environ(server: FakeSMTP, listing: Path) -> dict[str, str]:
    """The press channel's variables for the SMTP server on loopback and the recipients' list."""
    return {f"NEWSROOM_PRESS_{key}": value for key, value in {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port), "SMTP_SECURITY": "none", "FROM": SENDER,
        "RECIPIENTS": str(listing), "RECIPIENT_SECRET": SECRET}.items()}


def press_env(monkeypatch, server: FakeSMTP, listing: Path) -> None:
    for key, value in press_environ(server, listing).items():
        monkeypatch.setenv(key, value)


def press_story(site, name: str = "2026/radwege.md", story_id: str = STORY_ID, **fields) -> None:
    fields = {"date": "2026-11-26 14:00", "embargo": "2026-11-26 10:00", "channels": "\n  press: true", **fields}
    due_story(site, name, story_id, **fields)


def publish(site, *, now: str = NOW, settings: dict | None = None, **options):
    """The production build, then the Publisher on its context (as `invoke publish` does)."""
    from newsroom.build.runner import build
    from newsroom.publishing.pipeline import Publisher

    overrides = site.overrides(BUILD_NOW=now, PUBLISH_RETRY_SECONDS=20, **(settings or {}))
    report = build(REPO / "publishconf.py", overrides,
                   after=lambda context, s: Publisher(s, context, **options).run())
    return report.after


def press_record(site, story_id: str = STORY_ID) -> dict:
    return origin_receipt(site, story_id)["channels"]["press"]


def body(message, kind: str = "plain") -> str:
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")


def origin_history(site) -> str:
    return git.Repo(site.root.parent / f"{site.root.name}-origin.git").git.log("-p", "--all")
