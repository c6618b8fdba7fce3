"""Bounces and complaints: delivery reports (RFC 3464) and complaint reports (ARF) from a maildir or IMAP
count once each, suspend an address at the set number, skip what is malformed or hostile, and give the
desk its figures; on SQLite and on PostgreSQL."""

from __future__ import annotations

import logging
import mailbox
import re
from datetime import UTC, datetime, timedelta
from email.utils import make_msgid
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from newsroom.desk.subscriptions import FILE, SubscriptionCounts, read_counts
from newsroom.errors import ReportUnreadable
from newsroom.subscriptions import bounces
from newsroom.subscriptions.bounces import COMPLAINT, HARD, SOFT, mail_ref, parse_report
from newsroom.subscriptions.database import Database, migrate
from newsroom.subscriptions.keys import new_key, subscriber_ref
from newsroom.subscriptions.models import ACTIVE, SUSPENDED, Bounce, Consent, Selection, Subscriber

SETTINGS = {"SUBSCRIPTIONS_HARD_BOUNCES": 3, "SUBSCRIPTIONS_COMPLAINTS": 1, "SUBSCRIPTIONS_CONSENT_VERSION": "2026-12"}
NOW = datetime(2026, 12, 6, 22, 0, tzinfo=UTC)
ANNA, BERT = "anna.schmitz@example.org", "bert@example.net"


def dsn(recipient: str | None, status: str = "5.1.1", action: str = "failed", ref: str | None = None,
        message_id: str | None = None, diagnostic: str | None = None) -> bytes:
    """A delivery status notification as Postfix writes one."""
    per_recipient = "" if recipient is None else (
        f"Final-Recipient: rfc822; {recipient}\nOriginal-Recipient: rfc822;{recipient}\nAction: {action}\n"
        + (f"Status: {status}\n" if status else "")
        + "Remote-MTA: dns; mx.example.org\n"
        + f"Diagnostic-Code: {diagnostic or f'smtp; 550 {status} <{recipient}>: unknown'}\n")
    original = (f"From: Landeshauptstadt <presse@duesseldorf.example>\nTo: {recipient or 'x@example.org'}\n"
                "Subject: Neue Radwege am Rheinufer\nMessage-ID: <story-1@duesseldorf.example>\n"
                + (f"X-Newsroom-Abo: {ref}\n" if ref else ""))
    return (f"From: MAILER-DAEMON@relay.example (Mail Delivery System)\nTo: bounces@duesseldorf.example\n"
            f"Subject: Undelivered Mail Returned to Sender\nMessage-ID: {message_id or make_msgid()}\n"
            "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status;\n"
            ' boundary="B1"\n\n--B1\nContent-Type: text/plain; charset=utf-8\n\nThis is the mail system.\n\n'
            "--B1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; relay.example\n"
            f"Arrival-Date: Sun, 6 Dec 2026 21:00:00 +0100\n\n{per_recipient}\n"
            f"--B1\nContent-Type: text/rfc822-headers\n\n{original}\n--B1--\n").encode()


def arf(ref: str | None = None, recipient: str | None = None, feedback_type: str = "abuse",
        message_id: str | None = None) -> bytes:
    """A complaint report (RFC 5965) as a mailbox provider's feedback loop sends one."""
    original = ("From: Landeshauptstadt <presse@duesseldorf.example>\nTo: redacted@example.com\n"
                "Subject: Neue Radwege am Rheinufer\nMessage-ID: <story-1@duesseldorf.example>\n"
                + (f"X-Newsroom-Abo: {ref}\n" if ref else "") + "\nText der Meldung.\n")
    return (f"From: feedback@provider.example\nTo: abuse@duesseldorf.example\nSubject: FW: Neue Radwege\n"
            f"Message-ID: {message_id or make_msgid()}\nMIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=feedback-report; boundary="F1"\n\n'
            "--F1\nContent-Type: text/plain\n\nThis is an email abuse report.\n\n"
            f"--F1\nContent-Type: message/feedback-report\n\nFeedback-Type: {feedback_type}\n"
            "User-Agent: Provider-FBL/1.0\nVersion: 1\n"
            + (f"Original-Rcpt-To: {recipient}\n" if recipient else "")
            + f"\n--F1\nContent-Type: message/rfc822\n\n{original}\n--F1--\n").encode()


@pytest.fixture
def database(database_url):
    migrate(database_url)
    db = Database(database_url)
    yield db
    db.close()


def subscriber(database, address: str, status: str = ACTIVE) -> tuple[int, str]:
    key = new_key()
    with database.session() as session:
        row = Subscriber(email=address, key=key, kind="buerger", frequency="sofort", status=status,
                         created_at=NOW, changed_at=NOW, confirmed_at=NOW)
        row.selections = [Selection(dimension="bezirk", value="3")]
        session.add(row)
        session.flush()
        return row.id, key


def state(database, subscriber_id: int) -> tuple[str, int, int]:
    with database.session() as session:
        row = session.get(Subscriber, subscriber_id)
        return row.status, row.bounces, row.complaints


def maildir_with(tmp_path, *messages: bytes) -> mailbox.Maildir:
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    for data in messages:
        box.add(data)
    return box


def run(database, box: mailbox.Maildir, now=NOW):
    return bounces.process(database, SETTINGS, bounces.MaildirSource(box._path), now=now)


def flags(box: mailbox.Maildir) -> list[str]:
    """Per message: where it is and its flags ("new", or "cur:S" …)."""
    found = []
    for sub in ("new", "cur"):
        for path in sorted((Path(box._path) / sub).iterdir()):
            found.append(f"{sub}:{path.name.partition(':2,')[2]}" if sub == "cur" else "new")
    return sorted(found)


# -------------------------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("status, action, kind", [("5.1.1", "failed", HARD), ("4.2.2", "failed", SOFT),
                                                  ("4.4.7", "delayed", SOFT), ("", "failed", HARD)])
def test_a_delivery_report_says_hard_or_soft_per_recipient(status, action, kind):
    report = parse_report(dsn(ANNA, status, action))
    assert [(f.kind, f.address) for f in report.findings] == [(kind, ANNA)]
    assert report.ref is None


def test_a_successful_delivery_report_counts_nothing():
    with pytest.raises(ReportUnreadable):
        parse_report(dsn(ANNA, "2.0.0", "delivered"))


def test_a_complaint_report_and_the_header_of_the_original():
    report = parse_report(arf(ref="7.0123456789abcdef01234567"))
    assert [(f.kind, f.address) for f in report.findings] == [(COMPLAINT, None)]
    assert report.ref == "7.0123456789abcdef01234567"


def test_the_same_report_has_the_same_key():
    assert parse_report(dsn(ANNA, message_id="<r1@relay>")).key == parse_report(dsn(ANNA, message_id="<r1@relay>")).key


# -------------------------------------------------------------------------------------------- policy


def test_hard_bounces_suspend_after_the_set_number_and_soft_ones_never(database, tmp_path):
    anna, anna_key = subscriber(database, ANNA)
    ref = mail_ref(anna, anna_key)
    box = maildir_with(tmp_path, dsn(ANNA, ref=ref), dsn(ANNA, ref=ref), dsn(ANNA, "4.2.2", ref=ref),
                       dsn(ANNA, "4.4.7", "delayed", ref=ref))
    tally = run(database, box)
    assert (tally.read, tally.hard, tally.soft, tally.suspended, tally.skipped) == (4, 2, 2, 0, 0)
    assert state(database, anna) == (ACTIVE, 2, 0)
    assert flags(box) == ["cur:S"] * 4  # read: never read again

    box.add(dsn(ANNA.upper(), ref=ref))
    tally = run(database, box)
    assert (tally.read, tally.hard, tally.suspended) == (1, 1, 1)
    assert state(database, anna) == (SUSPENDED, 3, 0)
    with database.session() as session:
        entries = session.scalars(select(Consent)).all()
        key = session.get(Subscriber, anna).key
    assert [(e.action, e.method, e.subscriber_ref, e.client) for e in entries] == [
        ("gesperrt", "bounce", subscriber_ref(key), None)]
    assert '"bezirk", "3"' in entries[0].scope and ANNA not in entries[0].scope

    box.add(dsn(ANNA, ref=ref))  # a suspended address is suspended once
    assert run(database, box).suspended == 0
    with database.session() as session:
        assert len(session.scalars(select(Consent)).all()) == 1


def test_a_complaint_suspends_at_once_found_by_the_header(database, tmp_path):
    anna, anna_key = subscriber(database, ANNA)
    bert, _ = subscriber(database, BERT)
    box = maildir_with(tmp_path, arf(ref=mail_ref(anna, anna_key)), arf(ref=mail_ref(bert, "f" * 64)))
    tally = run(database, box)
    assert (tally.complaints, tally.suspended, tally.skipped) == (1, 1, 1)  # a forged header names nobody
    assert state(database, anna) == (SUSPENDED, 0, 1)
    assert state(database, bert) == (ACTIVE, 0, 0)
    assert flags(box) == ["cur:FS", "cur:S"]  # the skipped one flagged for a person to look at


def test_the_header_wins_over_a_forwarded_address_and_an_address_alone_never_suspends(database, tmp_path):
    """Anyone can mail the bounce mailbox: a report that names a subscriber only by address is noted
    (the same address in other case too) and counts toward nothing; three forged ones suspend nobody."""
    anna, anna_key = subscriber(database, ANNA)
    bert, _ = subscriber(database, BERT)
    box = maildir_with(tmp_path, dsn("weitergeleitet@example.com", ref=mail_ref(anna, anna_key)), dsn(BERT),
                       dsn(BERT.upper()), dsn(BERT), arf(recipient=BERT))
    tally = run(database, box)
    assert (tally.hard, tally.unverified, tally.suspended) == (1, 4, 0)
    assert state(database, anna)[1] == 1 and state(database, bert) == (ACTIVE, 0, 0)
    assert "4 ohne Nachweis" in tally.summary()


def test_a_report_read_twice_counts_once(database, tmp_path):
    anna, anna_key = subscriber(database, ANNA)
    same = dsn(ANNA, message_id="<zweimal@relay.example>", ref=mail_ref(anna, anna_key))
    box = maildir_with(tmp_path, same, same)  # delivered twice to the mailbox
    tally = run(database, box)
    assert (tally.hard, tally.again) == (1, 1)
    box.add(same)
    assert run(database, box).again == 1
    assert state(database, anna) == (ACTIVE, 1, 0)


def test_a_run_interrupted_after_counting_counts_nothing_twice(database, tmp_path, monkeypatch):
    anna, anna_key = subscriber(database, ANNA)
    ref = mail_ref(anna, anna_key)
    box = maildir_with(tmp_path, dsn(ANNA, message_id="<a@relay>", ref=ref), dsn(ANNA, message_id="<b@relay>", ref=ref))
    real_done = bounces.MaildirSource.done

    def dies(self, key, *, skipped=False):  # killed after the first report's commit, before it was marked
        raise KeyboardInterrupt

    monkeypatch.setattr(bounces.MaildirSource, "done", dies)
    with pytest.raises(KeyboardInterrupt):
        run(database, box)
    assert state(database, anna) == (ACTIVE, 1, 0) and flags(box) == ["new", "new"]
    monkeypatch.setattr(bounces.MaildirSource, "done", real_done)
    tally = run(database, box)
    assert (tally.hard, tally.again) == (1, 1)
    assert state(database, anna) == (ACTIVE, 2, 0) and flags(box) == ["cur:S", "cur:S"]


def test_hostile_reports_are_skipped_with_a_german_warning_and_no_address(database, tmp_path, caplog):
    anna, anna_key = subscriber(database, ANNA)
    huge = dsn(ANNA).replace(b"This is the mail system.", b"x" * (bounces.MAX_BYTES + 10))
    many = dsn(ANNA).replace(b"Final-Recipient", b"".join(
        f"Final-Recipient: rfc822; n{n}@example.org\nAction: failed\nStatus: 5.1.1\n\n".encode()
        for n in range(60)) + b"Final-Recipient", 1)
    hostile = [
        dsn(None),  # no recipient
        huge,
        b"Content-Type: multipart/report; report-type=delivery-status\n\n--\x00\xff garbage",  # no boundary
        b"\xff\xfe\x00" * 500,  # not even a mail
        dsn("niemand@example.org"),  # an address of nobody
        dsn(ANNA, ref=f"{anna}.{'0' * 24}").replace(b"Final-Recipient: rfc822; " + ANNA.encode(),
                                                   b"Final-Recipient: rfc822; x@example.org"),  # forged header
        arf(recipient=ANNA, feedback_type="not-spam"),
        b"From: anna.schmitz@example.org\nSubject: Abwesend\n\nIch bin im Urlaub.\n",  # an auto-reply
        many,
        dsn(ANNA).replace(b"report-type=delivery-status", b"report-type=\"delivery-status\"; x=\"\\"),
        b"Content-Type: multipart/report; report-type=feedback-report; boundary=X\n\n--X\n"
        b"Content-Type: message/feedback-report\n\n--X--\n",
    ]
    box = maildir_with(tmp_path, *hostile)
    with caplog.at_level(logging.WARNING, logger="newsroom.subscriptions"):
        tally = run(database, box)
    assert (tally.read, tally.skipped, tally.hard + tally.soft + tally.complaints) == (len(hostile), len(hostile), 0)
    assert state(database, anna)[0] == ACTIVE
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == tally.skipped and all(re.match(r"Rückmeldung \S+ übersprungen: ", w) for w in warnings)
    assert "@" not in caplog.text
    assert all(f.startswith("cur:") for f in flags(box))
    assert run(database, box).read == 0  # never read again


def test_a_refusal_in_the_smtp_dialogue_counts_as_a_hard_bounce_once_per_mail(database):
    anna, anna_key = subscriber(database, ANNA)
    ref = mail_ref(anna, anna_key)
    assert bounces.record_refusal(database, SETTINGS, ref, "story:radwege", now=NOW) == "counted"
    assert bounces.record_refusal(database, SETTINGS, ref, "story:radwege", now=NOW) == "again"  # a re-run
    assert bounces.record_refusal(database, SETTINGS, ref, "story:bruecke", SOFT, now=NOW) == "counted"
    assert bounces.record_refusal(database, SETTINGS, ref, "story:bruecke", now=NOW) == "counted"
    assert bounces.record_refusal(database, SETTINGS, ref, "digest:taeglich:2026-12-06", now=NOW) == "suspended"
    assert bounces.record_refusal(database, SETTINGS, "1.nichtsdergleichen", "story:x", now=NOW) == "unknown"
    assert state(database, anna) == (SUSPENDED, 3, 0)


def test_erasure_takes_the_bounces_with_the_subscriber(database, tmp_path):
    anna, _ = subscriber(database, ANNA)
    run(database, maildir_with(tmp_path, dsn(ANNA)))
    with database.session() as session:
        session.delete(session.get(Subscriber, anna))
    with database.session() as session:
        assert session.scalars(select(Bounce)).all() == []


# ---------------------------------------------------------------------------------------------- desk


def test_the_figures_count_addresses_of_the_last_seven_days_and_go_to_the_record(database, tmp_path, site):
    from newsroom.publishing.ledger import Ledger

    anna, anna_key = subscriber(database, ANNA)
    bert, bert_key = subscriber(database, BERT)
    subscriber(database, "carla@example.org")
    box = maildir_with(tmp_path, dsn(ANNA, "4.4.7", "delayed"), arf(ref=mail_ref(anna, anna_key)))
    run(database, box, now=NOW - timedelta(days=8))  # too old for the figures
    box.add(dsn(BERT, ref=mail_ref(bert, bert_key)))
    box.add(dsn(BERT, ref=mail_ref(bert, bert_key)))
    box.add(dsn(ANNA, "4.2.2"))
    run(database, box)
    figures = bounces.counts(database, NOW)
    assert figures == SubscriptionCounts(NOW.date(), active=2, suspended=1, hard_bounces=1, soft_bounces=1,
                                         complaints=0)

    site.commit("Anfang", "2026-12-01 09:00")
    ledger = Ledger(site.content, "receipts", remote=None)
    assert bounces.record_counts(ledger, figures) is True
    assert bounces.record_counts(ledger, figures) is False  # unchanged: no commit
    text = (site.content / "receipts" / FILE).read_text(encoding="utf-8")
    assert "@" not in text and yaml.safe_load(text)["suspended"] == 1
    assert read_counts(site.content / "receipts") == figures
    assert "[skip ci]" in site.repo.head.commit.message


# ---------------------------------------------------------------------------------------------- IMAP


def test_imap_reads_unseen_reports_over_tls_peeking_and_marks_them(database):
    from tests.fakes.imap import FakeImap

    anna, anna_key = subscriber(database, ANNA)
    server = FakeImap()
    try:
        first = server.add(dsn("weitergeleitet@example.com", ref=mail_ref(anna, anna_key)))
        broken = server.add(b"Subject: kaputt\n\nkein Bericht\n")
        done = server.add(dsn(ANNA))
        server.flags(done).add("\\Seen")  # read by an earlier run
        credentials = bounces.Credentials("SUBSCRIPTIONS", {
            "NEWSROOM_SUBSCRIPTIONS_BOUNCE_IMAP_HOST": "localhost",
            "NEWSROOM_SUBSCRIPTIONS_BOUNCE_IMAP_PORT": str(server.port),
            "NEWSROOM_SUBSCRIPTIONS_BOUNCE_IMAP_USER": "bounces",
            "NEWSROOM_SUBSCRIPTIONS_BOUNCE_IMAP_PASSWORD": "geheim-imap",
            "NEWSROOM_SUBSCRIPTIONS_BOUNCE_IMAP_CA_FILE": server.ca_file})
        tally = bounces.process(database, SETTINGS, bounces.source_from_environment(credentials), now=NOW)
        assert (tally.read, tally.hard, tally.skipped) == (2, 1, 1)
        assert server.flags(first) == {"\\Seen"} and server.flags(broken) == {"\\Seen", "\\Flagged"}
        assert state(database, anna) == (ACTIVE, 1, 0)
        fetches = [c for c in server.commands if " FETCH " in c and "BODY" in c]
        assert fetches and all("BODY.PEEK[]" in c for c in fetches)  # reading alone marks nothing
        again = bounces.process(database, SETTINGS, bounces.source_from_environment(credentials), now=NOW)
        assert again.read == 0
    finally:
        server.close()


def test_imap_refuses_a_server_whose_certificate_it_cannot_check(database):
    from newsroom.errors import MailboxError
    from tests.fakes.imap import FakeImap

    server = FakeImap()
    try:
        with pytest.raises(MailboxError, match="nicht erreichbar"):
            bounces.ImapSource("localhost", "bounces", "geheim-imap", port=server.port, timeout=5)
        with pytest.raises(MailboxError, match="Anmeldung"):
            bounces.ImapSource("localhost", "bounces", "falsch", port=server.port, ca_file=server.ca_file, timeout=5)
    finally:
        server.close()


def test_without_a_mailbox_the_run_says_what_to_set():
    from newsroom.errors import MailboxError

    with pytest.raises(MailboxError, match="NEWSROOM_SUBSCRIPTIONS_BOUNCE_MAILDIR"):
        bounces.source_from_environment(bounces.Credentials("SUBSCRIPTIONS", {}))


# ---------------------------------------------------------------------------------------------- task


def test_invoke_subscriptions_bounces_counts_and_pushes_the_figures(database_url, tmp_path, site, capsys):
    import tasks
    from newsroom.build.runner import load_settings
    from newsroom.subscriptions.config import ServiceConfig
    from tests.support import REPO

    site.commit("Anfang", "2026-12-01 09:00")
    site.repo.git.push("origin", "main")
    migrate(database_url)
    database = Database(database_url)
    anna, anna_key = subscriber(database, ANNA)
    database.close()
    box = maildir_with(tmp_path, arf(ref=mail_ref(anna, anna_key)))
    environ = {"NEWSROOM_SUBSCRIPTIONS_DATABASE_URL": database_url, "NEWSROOM_SUBSCRIPTIONS_SECRET": "s" * 40,
               "NEWSROOM_SUBSCRIPTIONS_BOUNCE_MAILDIR": box._path}
    config = ServiceConfig.load(load_settings(REPO / "pelicanconf.py", site.overrides()), environ)
    tasks._read_bounces(config)
    out = capsys.readouterr().out
    assert "1 Beschwerden" in out and "gesperrt: 1" in out and "Zahlen für den Desk gespeichert" in out
    pushed = site.repo.git.show("origin/main:content/receipts/abonnements/stand.yml")
    assert yaml.safe_load(pushed)["suspended"] == 1 and "@" not in pushed
