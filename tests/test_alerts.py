"""Citizen alerts (channel `buerger`) from the publish run: the real build and Publisher, the
subscription service on a real uvicorn (SQLite and PostgreSQL), a real SMTP server."""

from __future__ import annotations

import re

import pytest

from newsroom.publishing.overview import status_lines
from tests.alerts_support import SENDER, alerts_env, copies, running_service
from tests.press_support import body
from tests.publishing_support import STORY_ID, commit_and_push, due_story, origin_receipt, publish
from tests.subscribers_support import bounces

PEOPLE = [
    ("verkehr@example.org", "sofort", [("thema", "Verkehr")]),
    ("amt@example.org", "sofort", [("amt", "Amt für Verkehrsmanagement")]),
    ("bezirk@example.org", "sofort", [("bezirk", "3")]),
    ("kultur@example.org", "sofort", [("thema", "Kultur"), ("bezirk", "7")]),
    ("taeglich@example.org", "taeglich", [("thema", "Verkehr")]),
    ("woche@example.org", "woechentlich", [("thema", "alle")]),
]
MATCHING = {"verkehr@example.org", "amt@example.org", "bezirk@example.org"}
TITLE = "Neue Radwege am Rheinufer"


@pytest.fixture
def service(database_url, monkeypatch):
    with running_service(database_url, PEOPLE) as (base, smtp):
        for key, value in alerts_env(base, smtp).items():
            monkeypatch.setenv(key, value)
        yield smtp


def test_a_story_reaches_exactly_the_matching_subscribers_once(site, service, database_url):
    due_story(site, channels="\n  buerger: true", districts="[1, 3]")
    commit_and_push(site)
    service.script.refuse["amt@example.org"] = "550 5.1.1 Postfach unbekannt"
    report = publish(site)
    assert [(o.channel, o.status) for o in report.outcomes] == [("buerger", "sent")], report.outcomes
    assert "1 dauerhaft abgewiesen" in report.outcomes[0].message
    assert copies(service) == dict.fromkeys(MATCHING - {"amt@example.org"}, 1)
    assert service.rcpts.count("amt@example.org") == 1  # refused once, never tried again
    assert bounces(database_url) == {"amt@example.org": 1}  # the refusal counts as a hard bounce
    mail = service.received[0].message
    assert re.fullmatch(r"\d+\.[0-9a-f]{24}", mail["X-Newsroom-Abo"])
    assert mail["Subject"] == TITLE and mail["From"] == SENDER
    assert re.fullmatch(r"<https://abo\.example/abo/abmelden/[\w.-]+>", mail["List-Unsubscribe"])
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["List-Id"].startswith("Nachrichten der Landeshauptstadt Düsseldorf")
    text = body(mail)
    assert "Die Stadt baut zwei Kilometer Radweg" in text and "Abmelden: https://abo.example/abo/abmelden/" in text
    assert "Themen ändern oder pausieren: https://abo.example/abo/verwalten/" in text
    assert 'href="https://abo.example/abo/abmelden/' in body(mail, "html")
    assert mail["List-Unsubscribe"][1:-1] in text  # the recipient's own link, in the header and the text
    record = origin_receipt(site)["channels"]["buerger"]
    assert record["status"] == "sent" and record["detail"]["recipients"] == 2 and record["detail"]["refused"] == 1
    assert record["detail"]["item"] == f"story:{STORY_ID}"
    assert "@" not in str(record)  # counts only, never addresses
    # Sent is final: a second run mails nobody.
    again = publish(site)
    assert again.outcomes == [] and len(service.rcpts) == 3


def test_a_withdrawn_a_future_and_a_draft_story_send_nothing(site, service):
    due_story(site, channels="\n  buerger: true")
    due_story(site, "2026/spaeter.md", "b1b2c3d4e5f6", date="2026-11-27 09:00", channels="\n  buerger: true",
              title="Später")
    due_story(site, "2026/entwurf.md", "c1b2c3d4e5f6", status="draft", channels="\n  buerger: true",
              title="Entwurf")
    due_story(site, "2026/zurueck.md", "d1b2c3d4e5f6", status="withdrawn", channels="\n  buerger: true",
              title="Zurückgezogen", withdrawal="\n  date: 2026-11-26 10:00\n  reason: Falsche Angaben")
    commit_and_push(site)
    report = publish(site)
    statuses = {o.story_id: o.status for o in report.outcomes}
    assert statuses == {STORY_ID: "sent", "d1b2c3d4e5f6": "cancelled"}, report.outcomes
    assert {r.message["Subject"] for r in service.received} == {TITLE}


def test_the_daily_digest_lists_each_subscribers_matching_stories_once(site, service):
    since = {"SUBSCRIPTIONS_ALERTS_SINCE": "2026-11-01 00:00"}
    # No `channels:` at all: from SUBSCRIPTIONS_ALERTS_SINCE on every story goes to the alerts.
    due_story(site, date="2026-11-25 09:00", channels=None, districts="[3]")
    due_story(site, "2026/theater.md", "b1b2c3d4e5f6", date="2026-11-25 10:00", channels=None,
              title="Theaterpreis verliehen", category="Kultur", department="Kulturamt", districts="[7]")
    due_story(site, "2026/ohne.md", "c1b2c3d4e5f6", date="2026-11-25 11:00", channels="\n  buerger: false",
              title="Ohne Benachrichtigung")
    commit_and_push(site)
    report = publish(site, settings=since)
    sent = {o.story_id: o.status for o in report.outcomes}
    assert sent == {STORY_ID: "sent", "b1b2c3d4e5f6": "sent", "abo-taeglich-2026-11-24": "sent",
                    "abo-taeglich-2026-11-25": "sent"}, report.outcomes
    shown = "\n".join(status_lines(report.plan, report.where))
    assert "Ihre tägliche Zusammenfassung vom 25. November 2026" in shown and "buerger" in shown
    daily = "Ihre tägliche Zusammenfassung vom 25. November 2026: 1 neue Meldung"
    assert copies(service, daily) == {"taeglich@example.org": 1}
    digest = next(r.message for r in service.received if r.message["Subject"] == daily)
    assert TITLE in body(digest) and "Theaterpreis" not in body(digest) and "Ohne" not in body(digest)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert copies(service, TITLE) == dict.fromkeys(MATCHING, 1)
    assert copies(service, "Theaterpreis verliehen") == {"kultur@example.org": 1}
    assert not copies(service, "Ohne Benachrichtigung")
    empty = origin_receipt(site, "abo-taeglich-2026-11-24")["channels"]["buerger"]
    assert empty["status"] == "sent" and empty["detail"]["stories"] == 0  # recorded: nothing to send
    full = origin_receipt(site, "abo-taeglich-2026-11-25")["channels"]["buerger"]
    assert full["detail"] == {**full["detail"], "stories": 2, "recipients": 1}
    # Once per subscriber and period: the next run sends nothing.
    count = len(service.received)
    assert publish(site, settings=since).outcomes == [] and len(service.received) == count
