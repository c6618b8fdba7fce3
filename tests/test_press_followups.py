"""Corrections and withdrawals of a press release through the real publish run: real git with a
bare origin, a real SMTP server on loopback, a distribution list outside the site. Only who may
have the release hears of it, each once; a run killed mid-list is continued by the next."""

from __future__ import annotations

import os
import re
import subprocess

import git
import pytest
import yaml

from tests.fakes.smtp import FakeSMTP
from tests.press_support import (
    RECIPIENTS,
    SENDER,
    body,
    origin_history,
    press_env,
    press_environ,
    press_record,
    press_story,
    publish,
    write_list,
)
from tests.publishing_support import STORY_ID, commit_and_push, fresh_clone, publish_killed, start_publish
from tests.support import GIT_IDENTITY, seeded_origin, story_text

URL = "https://www.duesseldorf.de/aktuelles/2026/11/neue-radwege-am-rheinufer/"
CORRECTION = "\n  - date: {date}\n    wrong: Die Sperrung dauert bis Freitag.\n    right: Die Sperrung dauert bis {day}."
WITHDRAWAL = "\n  date: {date}\n  reason: Die Baustelle wurde verschoben."
FIRST = f"{STORY_ID}.berichtigung-202611261500"
SECOND = f"{STORY_ID}.berichtigung-202611261700"
TAKEN_BACK = f"{STORY_ID}.ruecknahme"
ANNA, BEN, CEM, DORA, EMIL = (r[0] for r in RECIPIENTS)
FRITZ = ("fritz@neu.example", "Fritz Fink", "Neues Blatt", "alle")


@pytest.fixture
def smtp(tmp_path, monkeypatch):
    with FakeSMTP() as server:
        server.listing = write_list(tmp_path / "verteiler" / "presse.csv", RECIPIENTS)
        press_env(monkeypatch, server, server.listing)
        yield server


def correct(site, *dates: str, when: str, **fields) -> None:
    days = ["Sonntag", "Montag", "Dienstag"]
    text = "".join(CORRECTION.format(date=d, day=days[n]) for n, d in enumerate(dates))
    press_story(site, corrections=text, **fields)
    commit_and_push(site, "Berichtigung", when)


def mailed(server: FakeSMTP, start: str) -> list[str]:
    """Every recipient of a message whose subject starts with `start`, once per message."""
    return [rcpt for m in server.received if m.message["Subject"].startswith(start) for rcpt in m.rcpt_tos]


def released(site, smtp) -> None:
    """PM 1/2026 to the Thema Verkehr: Anna accepted, Ben's answer lost after the final dot (it
    may have arrived: uncertain), Emil refused for good, Dora accepted; Cem has another Thema."""
    smtp.script.refuse = {EMIL: "550 5.1.1 <emil@dpa.example>: Recipient address rejected"}
    smtp.script.drop_after_dot = {BEN}
    press_story(site)
    commit_and_push(site)
    assert [o.status for o in publish(site).outcomes] == ["unclear"]
    assert mailed(smtp, "Sperrfrist") == [ANNA, BEN, DORA]
    smtp.script = type(smtp.script)()


def test_a_correction_goes_to_exactly_who_may_have_the_release_once(site, smtp, tmp_path, monkeypatch):
    released(site, smtp)
    # Since the release: Dora left the list, Fritz joined it, Anna now wants only Kultur.
    anna = (ANNA, "Anna Adler", "Rheinische Post", "Kultur")
    press_env(monkeypatch, smtp, write_list(tmp_path / "neu.csv", [anna, RECIPIENTS[1], RECIPIENTS[2],
                                                                   RECIPIENTS[4], FRITZ]))
    correct(site, "2026-11-26 15:00", when="2026-11-26 15:01")
    report = publish(site, now="2026-11-26 15:05")
    assert [(o.story_id, o.channel, o.status) for o in report.outcomes] == [(FIRST, "press", "sent")]
    assert report.outcomes[0].message == "Berichtigung zu PM 1/2026 an 2 von 2 Empfängern gesendet."
    assert mailed(smtp, "Berichtigung") == [ANNA, BEN]  # not Emil (refused), Cem, Fritz (new) nor Dora (gone)
    message = smtp.received[-2].message
    assert message["Subject"] == "Berichtigung zu PM 1/2026: Neue Radwege am Rheinufer"
    assert message["To"] == "Anna Adler <anna@rp.example>" and message["From"] == SENDER
    text, html = body(message), body(message, "html")
    assert text.startswith("BERICHTIGUNG ZUR PRESSEMITTEILUNG PM 1/2026\n")
    assert "Unsere Pressemitteilung PM 1/2026 vom 26. November 2026 enthält einen Fehler." in " ".join(text.split())
    assert "Falsch war:\nDie Sperrung dauert bis Freitag.\n\nRichtig ist:\nDie Sperrung dauert bis Sonntag." in text
    assert f"Die berichtigte Meldung im Internet:\n{URL}" in text and "Telefon 0211 89-93131" in text
    assert "Richtig ist</h2>" in html and "Die Sperrung dauert bis Sonntag." in html and URL in html
    # Its own Message-ID, in reply to the release's Message-ID of that same recipient.
    release = next(m.message for m in smtp.received if m.rcpt_tos == [ANNA])
    assert message["In-Reply-To"] == message["References"] == release["Message-ID"]
    assert message["Message-ID"].startswith(f"<pm-1-2026.{FIRST}.") and message["Message-ID"] != release["Message-ID"]
    # Its own record: keyed hashes over its own key, no number of its own, no address anywhere.
    record = press_record(site, FIRST)
    assert record["status"] == "sent" and record["remote_id"] == "Berichtigung zu PM 1/2026"
    assert record["detail"]["story"] == STORY_ID and record["detail"]["release"] == "PM 1/2026"
    assert "number" not in record["detail"] and record["detail"]["recipients"] == 2
    first_keys = set(press_record(site)["detail"]["accepted"].split())
    assert len(record["detail"]["accepted"].split()) == 2 and not first_keys & set(record["detail"]["accepted"].split())
    history = origin_history(site)
    assert [r for r in [*RECIPIENTS, FRITZ] if r[0] in history or r[1] in history] == []
    register = git.Repo(site.root.parent / "site-origin.git").git.show("main:content/receipts/press/numbers-2026.yml")
    assert yaml.safe_load(register) == {1: STORY_ID}
    # Exactly once: the next run mails nobody; a second correction is a second mail to the same two.
    assert [o.story_id for o in publish(site, now="2026-11-26 15:20").outcomes] == []
    correct(site, "2026-11-26 15:00", "2026-11-26 17:00", when="2026-11-26 17:01")
    again = publish(site, now="2026-11-26 17:05")
    assert [(o.story_id, o.status) for o in again.outcomes] == [(SECOND, "sent")]
    assert mailed(smtp, "Berichtigung") == [ANNA, BEN, ANNA, BEN]
    assert "Richtig ist:\nDie Sperrung dauert bis Montag." in body(smtp.received[-1].message)
    assert publish(site, now="2026-11-26 17:10").outcomes == []
    assert len(smtp.received) == 7


def test_a_refusing_server_is_handled_as_for_the_release(site, smtp):
    released(site, smtp)
    smtp.script.refuse = {ANNA: "451 4.7.1 <anna@rp.example>: Greylisted, try later",
                          DORA: "550 5.1.1 <dora@express.example>: Recipient address rejected"}
    correct(site, "2026-11-26 15:00", when="2026-11-26 15:01")
    first = publish(site, now="2026-11-26 15:05").outcomes[0]
    assert (first.story_id, first.status) == (FIRST, "retry")
    assert first.message == (
        "Berichtigung zu PM 1/2026 an 1 von 3 Empfängern gesendet. 1 vorübergehend abgewiesen (4xx; Zeilen 2 der "
        "Verteilerliste, z. B. „451 4.7.1 <Adresse>: Greylisted, try later“); der nächste Lauf versucht es erneut. "
        "1 Empfänger dauerhaft abgewiesen (5xx; Zeilen 5 der Verteilerliste, z. B. „550 5.1.1 <Adresse>: Recipient "
        "address rejected“).")
    assert mailed(smtp, "Berichtigung") == [BEN]
    smtp.script.refuse.pop(ANNA)
    smtp.rcpts.clear()
    second = publish(site, now="2026-11-26 15:15").outcomes[0]
    assert (second.story_id, second.status) == (FIRST, "sent") and smtp.rcpts == [ANNA]
    assert mailed(smtp, "Berichtigung") == [BEN, ANNA]
    # Refused by everybody: a failure, never recorded as sent.
    smtp.script.refuse = {a: "550 5.7.1 Relaying denied" for a in (ANNA, BEN, DORA)}
    correct(site, "2026-11-26 15:00", "2026-11-26 17:00", when="2026-11-26 17:01")
    failed = publish(site, now="2026-11-26 17:05").outcomes[0]
    assert (failed.story_id, failed.status) == (SECOND, "failed")
    assert failed.message.startswith("Berichtigung zu PM 1/2026: Kein Empfänger hat sie angenommen.")


def test_a_changed_secret_finds_nobody_and_sends_nothing(site, smtp, monkeypatch):
    released(site, smtp)
    monkeypatch.setenv("NEWSROOM_PRESS_RECIPIENT_SECRET", "ein-neuer-schluessel")
    correct(site, "2026-11-26 15:00", when="2026-11-26 15:01")
    outcome = publish(site, now="2026-11-26 15:05").outcomes[0]
    assert (outcome.story_id, outcome.status) == (FIRST, "failed")
    assert outcome.message.startswith("Berichtigung zu PM 1/2026: Keiner der 3 Empfänger der PM 1/2026 steht noch "
                                      "in der Verteilerliste (oder NEWSROOM_PRESS_RECIPIENT_SECRET wurde")
    assert mailed(smtp, "Berichtigung") == []


def test_a_withdrawal_goes_to_the_same_recipients_once(site, smtp):
    released(site, smtp)
    # Ben's copy was checked by hand and left so: he may have the release, so he hears of the withdrawal.
    publish(site, now="2026-11-26 12:10", story=STORY_ID, channel="press", unclear="checked")
    assert press_record(site)["detail"]["uncertain"] == "" and press_record(site)["detail"]["checked"]
    press_story(site, status="withdrawn", withdrawal=WITHDRAWAL.format(date="2026-11-26 15:00"))
    commit_and_push(site, "Rücknahme", "2026-11-26 15:01")
    report = publish(site, now="2026-11-26 15:05")
    assert [(o.story_id, o.status) for o in report.outcomes] == [(TAKEN_BACK, "sent")]
    assert report.outcomes[0].message == "Rücknahme der PM 1/2026 an 3 von 3 Empfängern gesendet."
    assert mailed(smtp, "Rücknahme") == [ANNA, BEN, DORA]
    message = smtp.received[-1].message
    assert message["Subject"] == "Rücknahme der PM 1/2026: Neue Radwege am Rheinufer"
    text = body(message)
    assert text.startswith("RÜCKNAHME DER PRESSEMITTEILUNG PM 1/2026\n")
    assert ("Wir ziehen unsere Pressemitteilung PM 1/2026 vom 26. November 2026 zurück. Bitte veröffentlichen Sie sie "
            "nicht (mehr)") in " ".join(text.split())
    assert "Grund der Rücknahme:\nDie Baustelle wurde verschoben." in text
    assert "Rücknahme der Pressemitteilung PM 1/2026" in body(message, "html")
    record = press_record(site, TAKEN_BACK)
    assert record["status"] == "sent" and record["detail"]["release"] == "PM 1/2026"
    assert publish(site, now="2026-11-26 15:20").outcomes == []
    assert mailed(smtp, "Rücknahme") == [ANNA, BEN, DORA]


# -- killed mid-list, as CI runs it: `invoke publish` in fresh clones of a bare origin -----------

STORY = "p100000000001"
ADDRESSES = [f"redaktion{n:02d}@zeitung.example" for n in range(1, 11)]
KEY = f"{STORY}.berichtigung-202611261300"


def release_text(**fields) -> str:
    return story_text(id=STORY, title="Meldung 1", date="2026-11-26 10:00", channels="\n  press: true", **fields)


def finished(run: subprocess.Popen) -> tuple[int, str]:
    out, err = run.communicate(timeout=300)
    return run.returncode, out + err


def copies(server: FakeSMTP, start: str) -> dict[str, int]:
    counts = dict.fromkeys(ADDRESSES, 0)
    for address in mailed(server, start):
        counts[address] += 1
    return counts


def test_killed_mid_correction_the_next_run_mails_nobody_twice_and_reports_the_cut_batch(tmp_path):
    origin = seeded_origin(tmp_path, {f"2026/{STORY}.md": release_text()}, settings="PRESS_BATCH = 3")
    listing = write_list(tmp_path / "verteiler.csv", [(a, f"Redaktion {a[9:11]}", "Zeitung", "alle")
                                                      for a in ADDRESSES])
    with FakeSMTP() as server:
        environ = press_environ(server, listing)
        code, out = finished(start_publish(fresh_clone(origin, "runner-1"), environ, now="2026-11-26 12:00"))
        assert code == 0 and copies(server, "PM 1/2026") == dict.fromkeys(ADDRESSES, 1), out
        editor = git.Repo.clone_from(origin, tmp_path / "editor")
        correction = CORRECTION.format(date="2026-11-26 13:00", day="Sonntag")
        (tmp_path / "editor" / f"content/stories/2026/{STORY}.md").write_text(release_text(corrections=correction),
                                                                               encoding="utf-8")
        editor.git.commit("-am", "Berichtigung", env={**os.environ, **GIT_IDENTITY})
        editor.git.push("origin", "main")
        # The fourth correction (the first of its second batch of three) is taken; the run dies before the answer.
        publish_killed(fresh_clone(origin, "runner-2"), environ, now="2026-11-26 13:10", server=server, hook="on_data",
                       at=14)
        assert mailed(server, "Berichtigung") == ADDRESSES[:4]
        code, out = finished(start_publish(fresh_clone(origin, "runner-3"), environ, now="2026-11-26 13:20"))
        # The announced batch may have been mailed: none of it again; the run says so and fails.
        assert code == 1 and "Berichtigung zu PM 1/2026 an 7 von 10 Empfängern gesendet. 3 Empfänger unklar" in out
        assert f"{KEY}/press: unklar (3 Empfänger)" in out
        assert copies(server, "Berichtigung") == {a: (0 if a in ADDRESSES[4:6] else 1) for a in ADDRESSES}
        record = yaml.safe_load(git.Repo(origin).git.show(f"main:content/receipts/{KEY}.yml"))["channels"]["press"]
        assert record["status"] == "unclear" and record["unclear"] == 3
        assert all(re.fullmatch(r"[0-9a-f]{12}", k) for k in record["detail"]["uncertain"].split())
        assert "@" not in git.Repo(origin).git.show(f"main:content/receipts/{KEY}.yml")
        # On purpose: exactly the three unclear recipients get the correction once more.
        code, out = finished(start_publish(fresh_clone(origin, "runner-4"), environ, "--story", KEY, "--channel",
                                           "press", "--send-unclear", now="2026-11-26 13:30"))
        assert code == 0, out
        assert copies(server, "Berichtigung") == {a: (2 if a == ADDRESSES[3] else 1) for a in ADDRESSES}
        assert copies(server, "PM 1/2026") == dict.fromkeys(ADDRESSES, 1)  # the release itself: never again
