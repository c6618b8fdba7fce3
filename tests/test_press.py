"""Press releases end to end: the real build, the real Publisher, git with a bare origin,
and a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import json
import re

import git
import pytest
import yaml

from newsroom.errors import PublishError
from tests.fakes.smtp import FakeSMTP
from tests.press_support import (
    RECIPIENTS,
    SENDER,
    SUBJECT,
    VERKEHR,
    body,
    origin_history,
    press_env,
    press_record,
    press_story,
    publish,
    write_list,
)
from tests.publishing_support import STORY_ID, commit_and_push, origin_receipt


@pytest.fixture
def smtp(tmp_path, monkeypatch):
    with FakeSMTP() as server:
        server.listing = write_list(tmp_path / "verteiler" / "presse.csv", RECIPIENTS)
        press_env(monkeypatch, server, server.listing)
        yield server


def test_a_release_goes_ahead_to_its_thema_and_to_all_with_the_sperrfrist(site, smtp):
    press_story(site, channels="\n  press: true\n  mastodon: true")
    commit_and_push(site)
    report = publish(site)  # 12:00: after the embargo (10:00), before the public time (14:00)
    assert [(o.channel, o.status) for o in report.outcomes] == [("press", "sent")]
    assert report.outcomes[0].message == "PM 1/2026 an 4 von 4 Empfängern gesendet."
    # The web page and the other channels still wait for the public time.
    assert {e.channel: e.state for e in report.plan.entries} == {"press": "due", "mastodon": "scheduled"}
    assert not (site.output / "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html").exists()
    # One message per recipient, each with only its own address in the envelope.
    assert [m.rcpt_tos for m in smtp.received] == [[address] for address in VERKEHR]
    assert {m.mail_from for m in smtp.received} == {"presse@duesseldorf.de"}
    first = smtp.received[0].message
    assert first["Subject"] == SUBJECT
    assert first["To"] == "Anna Adler <anna@rp.example>"
    assert first["From"] == SENDER
    assert first["Reply-To"] == "presse@duesseldorf.de"  # the story's contact
    unsubscribe = first["List-Unsubscribe"]  # one line: a URL there is never folded
    assert unsubscribe == "<mailto:presse@duesseldorf.de?subject=Abmelden%20vom%20Presseverteiler>"
    assert first["Date"] and first["Bcc"] is None
    text, html = body(first), body(first, "html")
    assert text.splitlines()[0] == "Sperrfrist: 26.11.2026, 14:00 Uhr"
    assert "PRESSEMITTEILUNG PM 1/2026" in text and "Düsseldorf, 26. November 2026" in text
    assert "https://www.duesseldorf.de/aktuelles/2026/11/neue-radwege-am-rheinufer/" in text
    assert "Telefon 0211 89-93131" in text and "\n-- \nSie erhalten diese Pressemitteilung" in text
    assert "Sperrfrist: 26.11.2026, 14:00 Uhr" in html and "<h2 id=\"ablauf\">Ablauf</h2>" in html
    # Message-IDs: one per release and recipient.
    ids = [m.message["Message-ID"] for m in smtp.received]
    assert len(set(ids)) == 4 and all(i.startswith("<pm-1-2026.a1b2c3d4e5f6.") for i in ids)
    assert all(i.endswith("@duesseldorf.de>") for i in ids)
    # The record: number, four keyed hashes, and not one address or name.
    record = press_record(site)
    assert record["status"] == "sent" and record["remote_id"] == "PM 1/2026"
    assert record["url"] == "https://www.duesseldorf.de/aktuelles/2026/11/neue-radwege-am-rheinufer/"
    detail = record["detail"]
    assert len(detail["accepted"].split()) == 4 and detail["recipients"] == 4
    assert detail["refused"] == detail["deferred"] == detail["uncertain"] == detail["sending"] == ""
    history = origin_history(site)
    assert [r for r in RECIPIENTS if r[0] in history or r[1] in history] == []
    register = git.Repo(site.root.parent / "site-origin.git").git.show("main:content/receipts/press/numbers-2026.yml")
    assert yaml.safe_load(register) == {1: STORY_ID}
    # The next run sends nothing.
    again = publish(site, now="2026-11-26 12:30")
    assert again.outcomes == [] and len(smtp.received) == 4


def test_without_embargo_the_press_waits_for_the_public_time_and_states_no_sperrfrist(site, smtp):
    press_story(site, embargo=None, date="2026-11-26 11:00")
    commit_and_push(site)
    assert publish(site, now="2026-11-26 10:59").outcomes == []
    report = publish(site, now="2026-11-26 11:00")
    assert [o.status for o in report.outcomes] == ["sent"]
    message = smtp.received[0].message
    assert message["Subject"] == "PM 1/2026: Neue Radwege am Rheinufer"
    assert body(message).startswith("PRESSEMITTEILUNG PM 1/2026\n")


def test_releases_are_numbered_once_each_in_order(site, smtp):
    press_story(site)
    press_story(site, "2026/zweite.md", "b1b2b3b4b5b6", title="Zweite Meldung", embargo="2026-11-26 11:00")
    commit_and_push(site)
    report = publish(site)  # both claimed in one commit
    assert sorted(o.delivery.remote_id for o in report.outcomes) == ["PM 1/2026", "PM 2/2026"]
    numbers = {press_record(site, s)["remote_id"] for s in (STORY_ID, "b1b2b3b4b5b6")}
    assert numbers == {"PM 1/2026", "PM 2/2026"}
    subjects = {m.message["Subject"].split(" – ")[1] for m in smtp.received}
    assert subjects == {"PM 1/2026: Neue Radwege am Rheinufer", "PM 2/2026: Zweite Meldung"}


def test_550_is_reported_451_is_retried_by_the_next_run_and_accepted_are_never_mailed_again(site, smtp):
    smtp.script.refuse = {"ben@wdr.example": "550 5.1.1 <ben@wdr.example>: Recipient address rejected",
                          "dora@express.example": "451 4.7.1 <dora@express.example>: Greylisted, try later"}
    press_story(site)
    commit_and_push(site)
    first = publish(site)
    outcome = first.outcomes[0]
    assert outcome.status == "retry"
    assert outcome.message == (
        "PM 1/2026 an 2 von 4 Empfängern gesendet. 1 vorübergehend abgewiesen (4xx; Zeilen 5 der Verteilerliste, "
        "z. B. „451 4.7.1 <Adresse>: Greylisted, try later“); der nächste Lauf versucht es erneut. 1 Empfänger "
        "dauerhaft abgewiesen (5xx; Zeilen 3 der Verteilerliste, z. B. „550 5.1.1 <Adresse>: Recipient address "
        "rejected“).")
    assert smtp.delivered_to() == ["anna@rp.example", "emil@dpa.example"]
    record = press_record(site)
    assert record["status"] == "retry" and len(record["detail"]["accepted"].split()) == 2
    assert record["detail"]["refused"].endswith(":550") and len(record["detail"]["refused"].split()) == 1
    assert record["detail"]["deferred"].endswith(":451") and len(record["detail"]["deferred"].split()) == 1
    assert "@" not in record["error"]
    # The greylisting is over: the next run mails Dora only.
    smtp.script.refuse.pop("dora@express.example")
    smtp.rcpts.clear()
    second = publish(site, now="2026-11-26 12:10")
    assert second.outcomes[0].status == "sent"
    assert smtp.rcpts == ["dora@express.example"]
    assert smtp.delivered_to() == ["anna@rp.example", "emil@dpa.example", "dora@express.example"]
    assert second.outcomes[0].message == ("PM 1/2026 an 3 von 4 Empfängern gesendet. 1 Empfänger dauerhaft "
                                          "abgewiesen (5xx; Zeilen 3 der Verteilerliste).")
    record = press_record(site)
    assert record["status"] == "sent" and record["attempts"] == 2 and record["remote_id"] == "PM 1/2026"
    assert len(record["detail"]["accepted"].split()) == 3 and record["detail"]["deferred"] == ""


def test_nobody_accepting_is_a_failure(site, smtp):
    smtp.script.refuse = {a: "550 5.7.1 Relaying denied" for a in VERKEHR}
    press_story(site)
    commit_and_push(site)
    outcome = publish(site).outcomes[0]
    assert outcome.status == "failed"
    assert outcome.message.startswith("Pressemitteilung PM 1/2026: Kein Empfänger hat sie angenommen. 4 Empfänger "
                                      "dauerhaft abgewiesen (5xx; Zeilen 2, 3, 5, 6 der Verteilerliste")


def test_a_connection_dropped_mid_list_goes_on_over_a_new_one(site, smtp):
    smtp.script.drop_at_rcpt = [2]  # when two messages were accepted, the third RCPT loses the connection
    press_story(site)
    commit_and_push(site)
    report = publish(site)
    assert [o.status for o in report.outcomes] == ["sent"]
    assert smtp.drops == 1 and len(smtp.connections) == 2
    assert smtp.delivered_to() == VERKEHR  # everybody once, nobody twice


def test_a_connection_that_keeps_dropping_leaves_the_rest_to_the_next_run(site, smtp):
    smtp.script.drop_at_rcpt = [2, 2]
    press_story(site)
    commit_and_push(site)
    first = publish(site, settings={"PRESS_SMTP_RECONNECTS": 1})
    assert first.outcomes[0].status == "retry"
    assert first.outcomes[0].message.startswith("Pressemitteilung: Verbindung abgebrochen (SMTPServerDisconnected). "
                                                "Gesendet bis hier ist protokolliert")
    assert smtp.delivered_to() == VERKEHR[:2]
    detail = press_record(site)["detail"]
    assert len(detail["accepted"].split()) == 2 and detail["sending"] == detail["uncertain"] == ""
    second = publish(site, now="2026-11-26 12:10")
    assert [o.status for o in second.outcomes] == ["sent"]
    assert smtp.delivered_to() == VERKEHR


def test_an_answer_lost_after_the_final_dot_is_never_sent_twice_and_stays_unclear_until_checked(site, smtp):
    smtp.script.drop_after_dot = {"ben@wdr.example"}  # the server keeps the mail, the answer is lost (RFC 1047)
    press_story(site)
    commit_and_push(site)
    report = publish(site)
    outcome = report.outcomes[0]
    assert outcome.status == "unclear" and not report.ok and report.unclear == [(STORY_ID, "press", 1)]
    assert outcome.message == (
        "PM 1/2026 an 3 von 4 Empfängern gesendet. 1 Empfänger unklar: Ob die Mail ankam, ist nicht bekannt (ein "
        "Lauf brach während ihres Stapels ab, oder die Antwort des Servers ging verloren, RFC 1047); nicht erneut "
        "gesendet (Zeilen 3 der Verteilerliste, z. B. „keine Antwort nach dem Ende der Nachricht“).")
    assert smtp.delivered_to() == VERKEHR  # Ben got it once: the server kept it
    record = press_record(site)
    assert record["status"] == "unclear" and record["unclear"] == 1 and len(record["detail"]["uncertain"].split()) == 1
    # Asking for the story again mails nobody and leaves it unclear; so does every later run.
    again = publish(site, story=STORY_ID, channel="press")
    assert again.outcomes == [] and again.unclear == [(STORY_ID, "press", 1)] and not again.ok
    assert [e.state for e in again.plan.entries] == ["unclear"]
    assert not publish(site, now="2026-11-26 12:30").ok
    assert publish(site, now="2026-12-24 12:00").unclear == [(STORY_ID, "press", 1)]  # long past the overview's days
    assert smtp.delivered_to() == VERKEHR
    # The Chef vom Dienst found it in the mail server's log: marked checked, nobody mailed, final.
    checked = publish(site, story=STORY_ID, channel="press", unclear="checked")
    assert [(o.status, o.message) for o in checked.outcomes] == [
        ("sent", "1 unklare Empfänger als geprüft eingetragen; nichts gesendet.")]
    assert checked.ok and smtp.delivered_to() == VERKEHR
    record = press_record(site)
    assert record["status"] == "sent" and "unclear" not in record and record["remote_id"] == "PM 1/2026"
    assert record["detail"]["uncertain"] == "" and len(record["detail"]["checked"].split()) == 1
    assert len(record["detail"]["accepted"].split()) == 3
    assert publish(site, now="2026-11-26 12:40").ok
    with pytest.raises(PublishError, match="keine unklaren Empfänger"):
        publish(site, story=STORY_ID, channel="press", unclear="send")
    assert smtp.delivered_to() == VERKEHR


def test_unclear_recipients_are_mailed_once_on_purpose_and_shown_in_the_overview(site, smtp):
    smtp.script.drop_after_dot = {"ben@wdr.example", "emil@dpa.example"}
    press_story(site)
    commit_and_push(site)
    assert publish(site).outcomes[0].status == "unclear"
    site.repo.git.pull("origin", "main")  # the record as the Chef vom Dienst's checkout has it
    site.build()
    preview = site.root / "preview"
    assert "press      unklar (2 Empfänger)" in (preview / "status.txt").read_text()
    assert f"invoke publish --story {STORY_ID} --channel press --send-unclear" in (preview / "status.txt").read_text()
    entries = json.loads((preview / "status.json").read_text())
    assert [(e["state"], e["label"], e["unclear"]) for e in entries] == [("unclear", "unklar (2 Empfänger)", 2)]
    assert '<td class="unclear">unklar (2 Empfänger)' in (preview / "index.html").read_text()
    smtp.script.drop_after_dot = set()
    sent = publish(site, now="2026-11-26 12:10", story=STORY_ID, channel="press", unclear="send")
    assert [o.status for o in sent.outcomes] == ["sent"] and sent.ok
    assert smtp.delivered_to() == [*VERKEHR, "ben@wdr.example", "emil@dpa.example"]  # exactly those, once
    record = press_record(site)
    assert record["status"] == "sent" and len(record["detail"]["accepted"].split()) == 4
    assert record["detail"]["uncertain"] == "" and record["attempts"] == 2


def test_a_record_that_cannot_be_written_stops_the_send_and_nobody_is_mailed_twice(site, smtp):
    """The origin goes away after the first message: the next batch is never announced, so it
    is not sent; the next run treats the announced batch as possibly mailed."""
    origin = site.root.parent / "site-origin.git"
    hidden = origin.with_name("versteckt.git")
    smtp.on_data = lambda count: count == 1 and origin.rename(hidden)
    press_story(site)
    commit_and_push(site)
    first = publish(site, settings={"PRESS_BATCH": 1})
    assert first.outcomes[0].status == "retry"
    assert "Fortschritt nicht im Versandprotokoll gespeichert" in first.outcomes[0].message
    assert smtp.delivered_to() == VERKEHR[:1]
    smtp.on_data = None
    hidden.rename(origin)
    # The claim is still recorded as this run's; a lease of 0 minutes lets the next run recover it.
    second = publish(site, now="2026-11-26 12:10", settings={"PUBLISH_CLAIM_LEASE_MINUTES": 0})
    assert second.outcomes[0].status == "unclear"
    assert "1 Empfänger unklar" in second.outcomes[0].message  # Anna: announced, sent, never confirmed
    assert smtp.delivered_to() == VERKEHR


def test_the_bcc_trap_in_a_recipients_name_stays_text(site, smtp, tmp_path, monkeypatch):
    trap = [("anna@rp.example", "Anna\r\nBcc: spion@example.org", "RP", "alle")]
    press_env(monkeypatch, smtp, write_list(tmp_path / "falle.csv", trap))
    press_story(site)
    commit_and_push(site)
    assert [o.status for o in publish(site).outcomes] == ["sent"]
    assert smtp.rcpts == ["anna@rp.example"]
    message = smtp.received[0].message
    assert message["Bcc"] is None and message["To"] == '"Anna Bcc: spion@example.org" <anna@rp.example>'


def test_nobody_subscribed_is_a_failure_that_names_the_thema(site, smtp, tmp_path, monkeypatch):
    press_env(monkeypatch, smtp, write_list(tmp_path / "kultur.csv", [RECIPIENTS[2]]))
    press_story(site)
    commit_and_push(site)
    outcome = publish(site).outcomes[0]
    assert (outcome.status, outcome.message) == (
        "failed", "Pressemitteilung: Niemand in der Verteilerliste hat das Thema „Verkehr“ oder „alle“ abonniert.")
    assert smtp.received == []


def test_a_list_inside_the_content_repository_is_refused(site, smtp, monkeypatch):
    inside = write_list(site.root / "verteiler.csv", RECIPIENTS)
    press_env(monkeypatch, smtp, inside)
    press_story(site)
    commit_and_push(site)
    outcome = publish(site).outcomes[0]
    assert outcome.status == "failed" and "gehören nicht ins Inhalts-Repository" in outcome.message
    assert smtp.received == []


def test_missing_settings_block_the_send_and_a_dry_run_needs_none(site, smtp, monkeypatch):
    for key in ("SMTP_HOST", "RECIPIENTS", "RECIPIENT_SECRET"):
        monkeypatch.delenv(f"NEWSROOM_PRESS_{key}")
    press_story(site)
    commit_and_push(site)
    blocked = publish(site).outcomes[0]
    assert (blocked.status, blocked.message) == ("blocked", "Zugangsdaten fehlen: NEWSROOM_PRESS_SMTP_HOST, "
                                                 "NEWSROOM_PRESS_RECIPIENTS, NEWSROOM_PRESS_RECIPIENT_SECRET.")
    monkeypatch.delenv("NEWSROOM_PRESS_FROM")
    ready = publish(site, dry_run=True).outcomes[0]
    assert ready.status == "ready" and ready.post.title == ("Sperrfrist: 26.11.2026, 14:00 Uhr – PM …/2026: Neue "
                                                            "Radwege am Rheinufer")
    assert ready.post.text.startswith("Sperrfrist: 26.11.2026, 14:00 Uhr\n")
    assert smtp.received == [] and origin_receipt(site) is None


def test_the_story_page_and_the_release_agree_after_the_public_time(site, smtp):
    """Sent late (after `date`), the release states no Sperrfrist: the story is already public."""
    press_story(site, date="2026-11-26 11:00", embargo="2026-11-26 10:00")
    commit_and_push(site)
    report = publish(site)  # 12:00
    assert [o.status for o in report.outcomes] == ["sent"]
    assert smtp.received[0].message["Subject"] == "PM 1/2026: Neue Radwege am Rheinufer"
    assert (site.output / "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html").exists()


def test_recipients_from_a_yaml_list(site, smtp, tmp_path, monkeypatch):
    listing = tmp_path / "presse.yml"
    rows = [{"address": a, "name": n, "medium": m, "themen": re.split(r"[;,] *", themen)}
            for a, n, m, themen in RECIPIENTS]
    listing.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    press_env(monkeypatch, smtp, listing)
    press_story(site)
    commit_and_push(site)
    assert [o.status for o in publish(site).outcomes] == ["sent"]
    assert smtp.delivered_to() == VERKEHR


def test_the_lead_image_is_attached_only_when_configured(site, smtp):
    press_story(site, image="fotos/rhein.jpg")
    commit_and_push(site)
    publish(site, settings={"PRESS_ATTACH_IMAGE": True, "PRESS_ATTACHMENT_MAX_BYTES": 10_000})
    message = smtp.received[0].message
    assert [a.get_filename() for a in message.iter_attachments()] == ["rhein.jpg"]
    text = body(message)
    assert "Blick über den Rhein (Foto: Landeshauptstadt Düsseldorf/Test)" in text


def test_the_lead_image_is_linked_to_its_media_portal_page_not_attached_by_default(site, smtp):
    press_story(site, image="fotos/rhein.jpg")
    commit_and_push(site)
    publish(site)
    message = smtp.received[0].message
    assert list(message.iter_attachments()) == []
    text = body(message)
    assert ("– Blick über den Rhein (Foto: Landeshauptstadt Düsseldorf/Test)\n"
            "  https://www.duesseldorf.de/medienportal/medien/fotos/rhein/") in text
    assert "/medienportal/medien/fotos/rhein/" in message.get_body(("html",)).get_content()


def test_media_whose_rights_ended_are_linked_as_the_site_shows_them(site, smtp):
    """The lead image and the media list follow one rule (MediaLibrary.shown): a photo whose rights ended
    is replaced by its `ersatz`, linked once, and one without a replacement is not linked at all."""
    site.add_media("fotos/agentur.jpg", alt="Radweg der Agentur", credit='"Foto: Agentur/Test"',
                   rechte_bis="2026-11-25", ersatz="fotos/rhein.jpg")
    site.add_media("fotos/leihgabe.jpg", alt="Promenade", credit='"Foto: Agentur/Test"', rechte_bis="2026-11-25")
    press_story(site, image="fotos/agentur.jpg",
                body="Die [Promenade](media:fotos/leihgabe.jpg) am Rhein.\n")
    commit_and_push(site)
    publish(site)  # 2026-11-26: both rights ended the day before
    message = smtp.received[0].message
    text, html = body(message), message.get_body(("html",)).get_content()
    link = ("– Blick über den Rhein (Foto: Landeshauptstadt Düsseldorf/Test)\n"
            "  https://www.duesseldorf.de/medienportal/medien/fotos/rhein/")
    assert text.count(link) == 1
    assert "Die Promenade am Rhein." in text
    for gone in ("agentur", "leihgabe", "Agentur/Test"):
        assert gone not in text and gone not in html, gone

