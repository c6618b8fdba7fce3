"""Press appointments by mail, end to end: the invitation once, a change or a cancellation once
more, each approved like a story. The real build and Publisher, git with a bare origin, the press
channel and a real SMTP server on loopback."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from tests.fakes.smtp import FakeSMTP
from tests.press_support import RECIPIENTS, VERKEHR, body, press_env, publish, write_list
from tests.publishing_support import commit_and_push, origin_receipt
from tests.support import REPO

APPOINTMENT_ID = "c0ffee123456"
KEY = f"termin-{APPOINTMENT_ID}"
TITLE = "Pressegespräch zum Radverkehr"
PRESS = "\n  press: true"
PAGE = "https://www.duesseldorf.de/presse/termine/2026/radverkehr/"
APPROVERS = """approvers:
  cvd-a:
    emails: [cora.vogt@example.org]
"""
CORA = ("Cora Vogt", "cora.vogt@example.org")
DESK = {"APPROVAL_SINCE": "2026-11-01 00:00", "APPROVAL_REQUIRE_SIGNED": False}


@pytest.fixture
def smtp(tmp_path, monkeypatch):
    with FakeSMTP() as server:
        press_env(monkeypatch, server, write_list(tmp_path / "verteiler" / "presse.csv", RECIPIENTS))
        yield server


def edit(site, when: str, **fields) -> None:
    """The appointment as an editor commits it, on top of what the publish runs pushed."""
    if site.repo.git.ls_remote("origin", "main"):
        site.repo.git.pull("origin", "main")
    site.appointment(channels=PRESS, **fields)
    commit_and_push(site, "Termin", when)


def mails(server, first: int = 0) -> list:
    return [message_from_bytes(m.data, policy=policy.default) for m in server.received[first:]]


def sent(report) -> list[tuple[str, str]]:
    return [(o.story_id, o.status) for o in report.outcomes]


def test_the_invitation_once_then_a_change_and_a_cancellation_once_each(site, smtp):
    edit(site, "2026-11-26 08:00")
    report = publish(site)
    assert sent(report) == [(KEY, "sent")]
    messages = mails(smtp)
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == sorted(VERKEHR)
    first = messages[0]
    assert first["Subject"] == f"PM 1/2026: Einladung an die Medien: {TITLE}"
    text = body(first)
    assert "Wann: Dienstag, 1. Dezember 2026, 10:00 Uhr bis 11:00 Uhr" in text
    assert "Wo: Rathaus, Marktplatz 2, 40213 Düsseldorf" in text and "Treffpunkt: Foyer, Eingang Marktplatz" in text
    assert "Die Radverkehrsbeauftragte stellt die Bilanz des Jahres vor." in text
    assert PAGE in text and "https://www.duesseldorf.de/presse/termine.ics" in text
    assert f"Der Termin im Internet:\n{PAGE}" in text and "Die Meldung im Internet" not in text
    assert "Telefon 0211 89-93131" in text
    assert "<strong>Wann:</strong> Dienstag, 1. Dezember 2026, 10:00 Uhr bis 11:00 Uhr" in body(first, "html")
    record = origin_receipt(site, KEY)
    assert record["source"] == "content/termine/2026/radverkehr.md"
    press = record["channels"]["press"]
    assert press["status"] == "sent" and len(press["detail"]["version"]) == 64
    # Nothing new: nothing sent. Another text is nothing new either.
    assert publish(site, now="2026-11-26 12:30").outcomes == []
    edit(site, "2026-11-26 12:40", body="Die Bilanz wird vorgestellt, danach Fragen.\n")
    assert publish(site, now="2026-11-26 13:00").outcomes == []
    assert len(smtp.received) == 4
    # Another time: one change mail to the same recipients, once.
    edit(site, "2026-11-26 13:10", start="2026-12-01 11:00", end="2026-12-01 12:30")
    report = publish(site, now="2026-11-26 13:30")
    assert sent(report) == [(f"{KEY}.1", "sent")]
    changed = mails(smtp, 4)
    assert len(changed) == 4 and changed[0]["Subject"] == f"PM 2/2026: Terminänderung: {TITLE}"
    text = body(changed[0])
    assert "Bitte beachten Sie die geänderten Angaben" in text
    assert "Wann: Dienstag, 1. Dezember 2026, 11:00 Uhr bis 12:30 Uhr" in text
    assert publish(site, now="2026-11-26 14:00").outcomes == []
    # Another place is a change too.
    edit(site, "2026-11-26 14:10", start="2026-12-01 11:00", end="2026-12-01 12:30",
         place="\n  address: Stadtmuseum, Berger Allee 2, 40213 Düsseldorf")
    assert sent(publish(site, now="2026-11-26 14:30")) == [(f"{KEY}.2", "sent")]
    assert "Wo: Stadtmuseum, Berger Allee 2, 40213 Düsseldorf" in body(mails(smtp, 8)[0])
    # Cancelled: one mail saying so.
    edit(site, "2026-11-26 15:00", start="2026-12-01 11:00", end="2026-12-01 12:30", status="cancelled",
         place="\n  address: Stadtmuseum, Berger Allee 2, 40213 Düsseldorf")
    assert sent(publish(site, now="2026-11-26 15:30")) == [(f"{KEY}.3", "sent")]
    cancelled = mails(smtp, 12)
    assert len(cancelled) == 4 and cancelled[0]["Subject"] == f"PM 4/2026: Abgesagt: {TITLE}"
    assert "Der folgende Termin ist abgesagt." in body(cancelled[0])
    assert publish(site, now="2026-11-26 16:00").outcomes == [] and len(smtp.received) == 16


def test_a_planned_appointment_and_a_cancellation_never_announced_send_nothing(site, smtp):
    site.appointment(channels=PRESS, status="planned")
    site.appointment("2026/abgesagt.md", id="abcdef654321", channels=PRESS, status="cancelled")
    site.appointment("2026/ohne.md", id="abcdef000000")  # not for the press
    commit_and_push(site, "Termine", "2026-11-26 08:00")
    report = publish(site)
    assert report.outcomes == [] and smtp.received == []
    assert [(e.story_id, e.state) for e in report.plan.entries] == [(KEY, "planned")]


def approve(site, name: str):
    from newsroom.build.runner import check
    from newsroom.desk.actions import approve as approve_mail
    from newsroom.publishing.pipeline import ledger_from_settings

    with site.repo.config_writer() as config:
        config.set_value("user", "name", CORA[0])
        config.set_value("user", "email", CORA[1])
    return check(REPO / "publishconf.py", site.overrides(**DESK),
                 after=lambda built, s: approve_mail(built, s, ledger_from_settings(s), name))


def test_each_mail_needs_its_own_approval(site, smtp):
    site.write("desk/approvers.yml", APPROVERS)
    edit(site, "2026-11-26 08:00")
    report = publish(site, settings=DESK)
    assert sent(report) == [(KEY, "held")] and smtp.received == []
    assert f"„invoke approve {KEY}“" in report.outcomes[0].message
    approval, made = approve(site, APPOINTMENT_ID)
    assert made and approval.story == KEY and approval.by == "cvd-a"
    assert sent(publish(site, now="2026-11-26 12:10", settings=DESK)) == [(KEY, "sent")]
    assert len(smtp.received) == 4
    # The change is a mail of its own: held until approved, by the mail's key or the appointment's id.
    edit(site, "2026-11-26 12:20", start="2026-12-01 11:00", end="2026-12-01 12:00")
    assert sent(publish(site, now="2026-11-26 12:30", settings=DESK)) == [(f"{KEY}.1", "held")]
    assert len(smtp.received) == 4
    approval, made = approve(site, f"{KEY}.1")
    assert made and approval.story == f"{KEY}.1"
    assert sent(publish(site, now="2026-11-26 12:40", settings=DESK)) == [(f"{KEY}.1", "sent")]
    assert mails(smtp, 4)[0]["Subject"] == f"PM 2/2026: Terminänderung: {TITLE}"


def test_an_invitations_text_shows_the_media_the_site_shows(site, smtp):
    """A photo of the text whose rights ended: the mail shows its replacement, or leaves it out and keeps
    a link's words (as the appointment's page does)."""
    site.add_media("fotos/agentur.jpg", alt="Radweg der Agentur", credit='"Foto: Agentur/Test"',
                   rechte_bis="2026-11-25", ersatz="fotos/rhein.jpg")
    site.add_media("fotos/leihgabe.jpg", alt="Promenade", credit='"Foto: Agentur/Test"', rechte_bis="2026-11-25")
    edit(site, "2026-11-26 08:00", body="![Radweg](media:fotos/agentur.jpg)\n\n"
                                        "Das [Foto der Promenade](media:fotos/leihgabe.jpg) zum Herunterladen.\n")
    assert sent(publish(site)) == [(KEY, "sent")]  # 2026-11-26: both rights ended the day before
    html = body(mails(smtp)[0], "html")
    assert 'src="https://www.duesseldorf.de/medien/fotos/rhein.jpg"' in html
    assert "Das Foto der Promenade zum Herunterladen." in html
    assert "agentur" not in html and "leihgabe" not in html
