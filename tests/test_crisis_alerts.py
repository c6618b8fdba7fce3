"""The crisis message to the citizens' e-mail alerts (`buerger`): every active, confirmed subscriber,
whatever they chose and whatever their frequency, exactly once per send (first alert, update,
all-clear). The real build and Publisher, the subscription service on a real uvicorn (SQLite and
PostgreSQL), a real SMTP server; the crash as CI has it: `invoke publish` killed with SIGKILL mid-batch."""

from __future__ import annotations

import os
from pathlib import Path

import git
import pytest
import yaml

from tests.alerts_support import SENDER, alerts_env, copies, running_service
from tests.press_support import body
from tests.publishing_support import fresh_clone, origin_receipt, publish, publish_killed, start_publish
from tests.subscribers_support import add_subscribers
from tests.support import GIT_IDENTITY, seeded_origin

KEY = "krise-hochwasser-rhein"
TITLE = "Hochwasser am Rhein: Ufer gesperrt"
CRISIS = """\
id: hochwasser-rhein
level: Warnung
title: "Hochwasser am Rhein: Ufer gesperrt"
text: "Der Rhein steigt schnell. Die Uferpromenade ist gesperrt. Bitte meiden Sie das Ufer."
start: 2026-11-26 11:50
channels: [buerger]
"""
UPDATE = """updates:
  - date: 2026-11-26 12:30
    text: "Die Oberkasseler Brücke ist gesperrt."
"""
ALL_CLEAR = "end: 2026-11-26 14:00\nall_clear: \"Der Pegel sinkt. Das Ufer ist wieder offen.\"\n"
EMERGENCY = "https://www.duesseldorf.de/krise/"
# Different Themen, Ämter, Stadtbezirke and frequencies: a crisis reaches each of them at once.
PEOPLE = [
    ("verkehr@example.org", "sofort", [("thema", "Verkehr")]),
    ("kultur@example.org", "sofort", [("thema", "Kultur"), ("bezirk", "7")]),
    ("amt@example.org", "sofort", [("amt", "Kulturamt")]),
    ("taeglich@example.org", "taeglich", [("thema", "Bildung")]),
    ("woche@example.org", "woechentlich", [("thema", "alle")]),
]
EVERYONE = {address for address, _frequency, _selections in PEOPLE}


@pytest.fixture
def service(database_url, monkeypatch):
    add_subscribers(database_url, [("offen@example.org", "sofort", [("thema", "alle")])], confirmed=False,
                    status="pending")
    for status in ("unsubscribed", "suspended", "paused"):
        add_subscribers(database_url, [(f"{status}@example.org", "sofort", [("thema", "alle")])], status=status)
    with running_service(database_url, PEOPLE) as (base, smtp):
        for key, value in alerts_env(base, smtp).items():
            monkeypatch.setenv(key, value)
        yield smtp


def crisis(site, *extra: str, when: str = "2026-11-26 11:55") -> None:
    """content/krise.yml as the person on duty commits it, on top of what the runs pushed."""
    site.write("krise.yml", CRISIS + "".join(extra))
    site.commit("Krisenmeldung", when)
    if "main" in site.repo.git.ls_remote("--heads", "origin"):
        site.repo.git.pull("--rebase", "origin", "main")
    site.repo.git.push("origin", "HEAD:refs/heads/main")


def outcomes(report) -> list[tuple[str, str, str]]:
    return [(o.story_id, o.channel, o.status) for o in report.outcomes]


def test_every_subscriber_gets_the_alert_the_update_and_the_all_clear_once_each(site, service):
    crisis(site)
    report = publish(site)
    assert outcomes(report) == [(KEY, "buerger", "sent")], report.outcomes
    assert not any("buerger" in notice for notice in report.plan.notices), report.plan.notices
    subject = f"Krisenmeldung: {TITLE}"
    assert copies(service) == copies(service, subject) == dict.fromkeys(EVERYONE, 1)
    mail = service.received[0].message
    assert mail["From"] == SENDER and mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["List-Unsubscribe"].startswith("<https://abo.example/abo/abmelden/")
    text = body(mail)
    assert "Der Rhein steigt schnell." in text and f"{EMERGENCY}#{KEY}" in text
    assert "Abmelden: https://abo.example/abo/abmelden/" in text and mail["List-Unsubscribe"][1:-1] in text
    assert "Themen ändern oder pausieren: https://abo.example/abo/verwalten/" in text
    html = body(mail, "html")
    assert f'href="{EMERGENCY}#{KEY}"' in html and 'href="https://abo.example/abo/abmelden/' in html
    record = origin_receipt(site, KEY)["channels"]["buerger"]
    assert record["status"] == "sent" and record["detail"]["item"] == f"alle:{KEY}"
    assert record["detail"]["recipients"] == len(EVERYONE) and "@" not in str(record)
    # Sent is final: a second run mails nobody.
    assert publish(site, now="2026-11-26 12:10").outcomes == []
    assert len(service.received) == len(EVERYONE)
    # An update: a mail of its own to everyone, once, at its time.
    crisis(site, UPDATE, when="2026-11-26 12:05")
    assert publish(site, now="2026-11-26 12:10").outcomes == []
    update = f"{KEY}.update-202611261230"
    assert outcomes(publish(site, now="2026-11-26 12:31")) == [(update, "buerger", "sent")]
    updated = f"Aktualisierung der Krisenmeldung: {TITLE}"
    assert copies(service, updated) == dict.fromkeys(EVERYONE, 1)
    mail = service.received[-1].message
    assert "Die Oberkasseler Brücke ist gesperrt." in body(mail) and f"{EMERGENCY}#{update}" in body(mail)
    assert publish(site, now="2026-11-26 12:40").outcomes == []
    # The all-clear, once; nothing else again.
    crisis(site, UPDATE, ALL_CLEAR, when="2026-11-26 12:45")
    clear = f"{KEY}.entwarnung"
    assert outcomes(publish(site, now="2026-11-26 14:01")) == [(clear, "buerger", "sent")]
    assert copies(service, f"Entwarnung: {TITLE}") == dict.fromkeys(EVERYONE, 1)
    assert "Der Pegel sinkt." in body(service.received[-1].message)
    assert publish(site, now="2026-11-26 15:00").outcomes == []
    assert copies(service) == dict.fromkeys(EVERYONE, 3)  # nobody else, ever: not pending, paused, gone


# -- a run killed mid-batch ----------------------------------------------------------------------

ADDRESSES = [f"buerger{n:02d}@example.org" for n in range(1, 11)]
TOPICS = ("Verkehr", "Kultur", "Bildung", "Umwelt", "Soziales")


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare origin holding the project (alerts in batches of three) and the crisis for `buerger`."""
    bare = seeded_origin(tmp_path, {}, settings="SUBSCRIPTIONS_BATCH = 3")
    editor = tmp_path / "editor"
    repo = git.Repo.clone_from(bare, editor)
    (editor / "content/krise.yml").write_text(CRISIS, encoding="utf-8")
    repo.git.add("content/krise.yml")
    repo.git.commit("-m", "Krisenmeldung", env={**os.environ, **GIT_IDENTITY})
    repo.git.push("origin", "HEAD:refs/heads/main")
    return bare


def test_killed_mid_batch_then_rerun_mails_the_rest_once_and_nobody_twice(origin, database_url):
    people = [(address, ("sofort", "taeglich")[n % 2], [("thema", TOPICS[n % len(TOPICS)])])
              for n, address in enumerate(ADDRESSES)]
    with running_service(database_url, people) as (base, smtp):
        environ = alerts_env(base, smtp)
        # The fourth message (the first of the second batch of three) is taken; the run dies before the answer.
        publish_killed(fresh_clone(origin, "runner-1"), environ, server=smtp, hook="on_data", at=4)
        assert sorted(smtp.delivered_to()) == ADDRESSES[:4]
        second = start_publish(fresh_clone(origin, "runner-2"), environ)
        out, err = second.communicate(timeout=300)
        # The rest once; the cut batch may have been mailed, so none of it again, and the run says so.
        assert second.returncode == 1, out + err
        assert copies(smtp) == {a: 1 for a in ADDRESSES if a not in ADDRESSES[4:6]}
        assert f"{KEY}/buerger: unklar (3 Empfänger)" in err, err
        found = yaml.safe_load(git.Repo(origin).git.show(f"main:content/receipts/{KEY}.yml"))["channels"]["buerger"]
        assert found["status"] == "unclear" and found["detail"]["recipients"] == 7
        # Another plain run mails nobody.
        third = start_publish(fresh_clone(origin, "runner-3"), environ)
        out, err = third.communicate(timeout=300)
        assert third.returncode == 1, out + err
        assert sum(copies(smtp).values()) == 8
        # On purpose: exactly the three unclear recipients, once more.
        fourth = start_publish(fresh_clone(origin, "runner-4"), environ, "--story", KEY, "--channel", "buerger",
                               "--send-unclear")
        out, err = fourth.communicate(timeout=300)
        assert fourth.returncode == 0, out + err
        assert copies(smtp) == {a: (2 if a == ADDRESSES[3] else 1) for a in ADDRESSES}
        assert {r.message["Subject"] for r in smtp.received} == {f"Krisenmeldung: {TITLE}"}
