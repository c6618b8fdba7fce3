"""The person on duty is told by mail when a send fails or ends unclear: once per attempt,
claimed in the record of sends first. Real git with a bare origin, aiosmtpd on loopback, the
Mastodon-shaped server."""

from __future__ import annotations

import email
from email import policy

import pytest

from tests.desk_support import APPROVERS
from tests.fakes.mastodon import STATUSES
from tests.fakes.smtp import FakeSMTP
from tests.publishing_support import STORY_ID, commit_and_push, due_story, origin_receipt, publish

ROSTER = "weekly:\n  donnerstag: cvd-a\n  freitag: cvd-b\n"  # NOW (2026-11-26) is a Thursday


@pytest.fixture
def smtp(monkeypatch):
    with FakeSMTP() as server:
        for key, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port), "SMTP_SECURITY": "none"}.items():
            monkeypatch.setenv(f"NEWSROOM_PRESS_{key}", value)
        monkeypatch.setenv("NEWSROOM_ALERT_FROM", "newsroom@duesseldorf.example")
        yield server


@pytest.fixture
def failing(site, mastodon):
    site.write("desk/approvers.yml", APPROVERS)
    site.write("desk/roster.yml", ROSTER)
    due_story(site)
    commit_and_push(site)
    mastodon.fail("POST", STATUSES, mastodon.echoing_refusal())
    return site


def mails(server) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(r.data, policy=policy.default) for r in server.received]


def test_a_failed_send_is_mailed_to_whoever_is_on_duty_once(failing, mastodon, smtp):
    report = publish(failing)
    assert [o.status for o in report.outcomes] == ["failed"]
    assert smtp.delivered_to() == ["cora.vogt@example.org"]
    (mail,) = mails(smtp)
    assert mail["Subject"] == "Newsroom: mastodon fehlgeschlagen – Neue Radwege am Rheinufer"
    assert mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_content()
    assert "Meldung: Neue Radwege am Rheinufer (id a1b2c3d4e5f6)" in body and "HTTP 422" in body
    assert mastodon.token not in body  # the server echoed the token; no mail may carry it
    assert report.alerts == ["Dienst benachrichtigt (1 Empfänger): a1b2c3d4e5f6/mastodon fehlgeschlagen."]
    # The record says it was mailed; the next run has nothing new to say.
    alerts = [p for p in failing.repo.git.ls_tree("-r", "--name-only", "origin/main").splitlines() if "/alerts/" in p]
    assert len(alerts) == 1
    assert publish(failing).outcomes == [] and len(smtp.received) == 1
    # Sent again on purpose and failing again: a new attempt, a new alert.
    mastodon.fail("POST", STATUSES, mastodon.echoing_refusal())
    again = publish(failing, story=STORY_ID)
    assert [o.status for o in again.outcomes] == ["failed"] and len(smtp.received) == 2


def test_the_same_alert_is_never_mailed_twice(failing, smtp):
    from newsroom.build.runner import check
    from newsroom.desk.alerts import notify
    from newsroom.publishing.pipeline import Outcome, PublishReport, ledger_from_settings
    from tests.support import REPO

    report = publish(failing)
    assert len(smtp.received) == 1
    outcome = report.outcomes[0]

    def again(_build, settings):
        replay = PublishReport(report.plan, report.where, outcomes=[Outcome(
            outcome.story_id, outcome.channel, outcome.status, outcome.message, attempt=outcome.attempt)])
        return notify(replay, settings, ledger_from_settings(settings), {}, now=settings["BUILD_NOW"])

    assert check(REPO / "publishconf.py", failing.overrides(), after=again) == []
    assert len(smtp.received) == 1


def test_a_run_that_dies_after_the_claim_leaves_it_unclear_and_says_so(failing, smtp, monkeypatch):
    import newsroom.desk.alerts as alerts

    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt  # the run dies between the claim and the mail

    original = alerts._deliver
    monkeypatch.setattr(alerts, "_deliver", crash)
    with pytest.raises(KeyboardInterrupt):
        publish(failing)
    monkeypatch.setattr(alerts, "_deliver", original)
    report = publish(failing)
    assert smtp.received == []  # never mailed blindly after a crash
    assert any(line.startswith("ACHTUNG: Unklar, ob der Dienst zu a1b2c3d4e5f6/mastodon benachrichtigt wurde")
               for line in report.plan.notices)


def test_a_refusing_mail_server_is_recorded_and_said(failing, smtp, monkeypatch):
    monkeypatch.setenv("NEWSROOM_PRESS_SMTP_PORT", "1")  # nothing listens there: the server refuses
    report = publish(failing)
    assert report.alerts[0].startswith("ACHTUNG: Benachrichtigung zu a1b2c3d4e5f6/mastodon nicht gesendet: "
                                       "SMTP-Server 127.0.0.1:1 nicht erreichbar")
    assert origin_receipt(failing)["channels"]["mastodon"]["status"] == "failed"
    assert any("nicht gesendet" in line for line in publish(failing).plan.notices)


def test_without_anyone_on_duty_the_run_says_nobody_was_told(site, mastodon, smtp):
    due_story(site)
    commit_and_push(site)
    mastodon.fail("POST", STATUSES, mastodon.echoing_refusal())
    report = publish(site)
    assert report.alerts[0].startswith("ACHTUNG: 1 Versandproblem(e), aber niemand ist für heute im Dienstplan")
    assert smtp.received == []


def test_credentials_that_run_out_soon_are_announced_once_per_expiry(site, smtp):
    from datetime import datetime

    from newsroom.dates import BERLIN
    from tests.fakes.meta import PAGE_TOKEN, FakeGraph
    from tests.social.support import publish as publish_with

    site.write("desk/approvers.yml", APPROVERS)
    site.write("desk/roster.yml", ROSTER)
    commit_and_push(site)
    with FakeGraph() as graph:
        soon = datetime(2026, 12, 3, 9, 30, tzinfo=BERLIN)  # a week after NOW
        graph.data_access_expires_at = int(soon.timestamp())
        graph.token_expires_at = int(datetime(2027, 1, 20, tzinfo=BERLIN).timestamp())
        environ = {**graph.facebook_env, **{k: v for k, v in __import__("os").environ.items()
                                            if k.startswith("NEWSROOM_")}}
        report = publish_with(site, environ)
        assert report.outcomes == [] and report.expiring == {"facebook": soon}
        (mail,) = mails(smtp)
        assert mail["Subject"] == "Newsroom: facebook – Zugangsdaten laufen bald ab"
        assert "Die Zugangsdaten laufen am 03.12.2026, 09:30 Uhr ab." in mail.get_content()
        assert PAGE_TOKEN not in mail.get_content()
        publish_with(site, environ)  # the same expiry: said once
        assert len(smtp.received) == 1
        graph.data_access_expires_at = int(datetime(2026, 12, 4, tzinfo=BERLIN).timestamp())  # renewed, soon again
        publish_with(site, environ)
        assert len(smtp.received) == 2
        graph.data_access_expires_at = graph.token_expires_at = int(datetime(2027, 3, 1, tzinfo=BERLIN).timestamp())
        assert publish_with(site, environ).expiring == {}  # far off: nothing to say
        assert len(smtp.received) == 2
