"""The whole life of one citizen's subscription through real parts, on SQLite and PostgreSQL: the
service in a real uvicorn, the site's real publish runs, one real SMTP server (aiosmtpd) receiving
both the service's own mails and the runs' alerts and digests.

The service's public address is https://abo.example/abo/ (the city's web server terminates TLS and
forwards /abo/ to uvicorn); `via_proxy` plays that web server for the links a mail carries."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage

import git
import requests
from sqlalchemy import select

from newsroom.settings import with_defaults
from newsroom.subscriptions import abuse, keys
from newsroom.subscriptions.config import ServiceConfig
from newsroom.subscriptions.database import Database
from newsroom.subscriptions.models import Base, Consent, Delivery, Rate, Selection, Subscriber
from newsroom.subscriptions.service import create_app
from tests.alerts_support import alerts_env
from tests.databases import serve_asgi
from tests.fakes.smtp import FakeSMTP
from tests.publishing_support import STORY_ID, commit_and_push, due_story, origin_receipt, publish
from tests.subscribers_support import SECRET, TOKEN

PUBLIC = "https://abo.example/abo/"
BROWSER = {"Origin": "https://abo.example"}  # what a browser sends with the service's own forms
ADDRESS = "lebenslauf@example.org"
SINCE = {"SUBSCRIPTIONS_ALERTS_SINCE": "2026-11-26 00:00"}  # alerts and daily digests (at 17:00) from here on
FIRST, SECOND, THIRD = "Neue Radwege am Rheinufer", "Ampel an der Kö wird umgebaut", "Brückensperrung am Wochenende"


def service_environ(database_url: str, smtp: FakeSMTP) -> dict[str, str]:
    return {"NEWSROOM_SUBSCRIPTIONS_DATABASE_URL": database_url, "NEWSROOM_SUBSCRIPTIONS_SECRET": SECRET,
            "NEWSROOM_SUBSCRIPTIONS_API_TOKEN": TOKEN,
            "NEWSROOM_SUBSCRIPTIONS_FROM": "Landeshauptstadt Düsseldorf <abo@duesseldorf.example>",
            "NEWSROOM_SUBSCRIPTIONS_SMTP_HOST": "127.0.0.1", "NEWSROOM_SUBSCRIPTIONS_SMTP_PORT": str(smtp.port),
            "NEWSROOM_SUBSCRIPTIONS_SMTP_SECURITY": "none"}


def text_of(mail: EmailMessage) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def link_in(mail: EmailMessage, segment: str) -> str:
    return re.search(rf"({re.escape(PUBLIC)}{segment}/\S+)", text_of(mail)).group(1)


def one_click_url(mail: EmailMessage) -> str:
    """RFC 8058: the https URL of List-Unsubscribe, offered for a one-click POST."""
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    found = re.fullmatch(rf"<({re.escape(PUBLIC)}abmelden/[\w.-]+)>", mail["List-Unsubscribe"])
    assert found, mail["List-Unsubscribe"]
    return found.group(1)


def new_mails(smtp: FakeSMTP, seen: int, count: int, timeout: float = 10) -> list[EmailMessage]:
    """The `count` messages after the first `seen`, waiting for them; never more than that."""
    deadline = time.monotonic() + timeout
    while len(smtp.received) < seen + count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(smtp.received) == seen + count, [r.message["Subject"] for r in smtp.received[seen:]]
    return [r.message for r in smtp.received[seen:]]


def story(site, name: str, story_id: str, date: str, title: str, committed: str) -> None:
    due_story(site, name, story_id, date=date, title=title, channels="\n  buerger: true", districts="[3]")
    commit_and_push(site, f"Meldung: {title}", committed)


def sent(report) -> dict[str, tuple[str, int]]:
    """Each send of the run: (status, recipients mailed)."""
    return {o.story_id: (o.status, o.delivery.detail.get("recipients") if o.delivery else None)
            for o in report.outcomes}


def test_the_whole_life_of_a_subscription(site, database_url, monkeypatch):
    with FakeSMTP() as smtp:
        config = ServiceConfig.load(with_defaults({"SUBSCRIPTIONS_URL": PUBLIC}), service_environ(database_url, smtp))
        with serve_asgi(create_app(config)) as base:
            def via_proxy(url: str) -> str:
                assert url.startswith(PUBLIC), url
                return f"{base}/abo/{url.removeprefix(PUBLIC)}"

            for key, value in alerts_env(base, smtp).items():
                monkeypatch.setenv(key, value)

            # Sign up through the service's form: Thema Verkehr, every story at once.
            form = requests.get(f"{base}/abo/buerger", timeout=10)
            assert form.status_code == 200
            token = re.search(r'name="formular" value="([^"]+)"', form.text).group(1)
            time.sleep(abuse.MIN_FILL_SECONDS + 0.2)  # a person takes this long; a faster form is a robot's
            answer = requests.post(f"{base}/abo/buerger", headers=BROWSER, timeout=10, data={
                "email": ADDRESS, "thema": ["Verkehr"], "haeufigkeit": "sofort", "einwilligung": "ja",
                "webseite": "", "formular": token})
            assert answer.status_code == 200 and "Bitte prüfen Sie Ihr Postfach" in answer.text
            (confirmation,) = new_mails(smtp, 0, 1)
            assert confirmation["Subject"] == "Bitte bestätigen Sie Ihr Abonnement"
            assert confirmation["To"].addresses[0].addr_spec == ADDRESS

            # The mailed link shows a button (a mail scanner's GET changes nothing); its POST confirms.
            confirm = via_proxy(link_in(confirmation, "bestaetigen"))
            page = requests.get(confirm, timeout=10)
            assert page.status_code == 200 and "Abonnement bestätigen</button>" in page.text
            done = requests.post(confirm, headers=BROWSER, timeout=10)
            assert done.status_code == 200 and "Ihr Abonnement ist bestätigt" in done.text

            # A story of the Thema, published by a real run: the alert with RFC 8058's headers.
            story(site, "2026/radwege.md", STORY_ID, "2026-11-26 16:30", FIRST, "2026-11-26 16:00")
            report = publish(site, now="2026-11-26 17:05", settings=SINCE)
            assert sent(report) == {STORY_ID: ("sent", 1), "abo-taeglich-2026-11-26": ("sent", 0)}, report.outcomes
            (alert,) = new_mails(smtp, 1, 1)
            assert alert["Subject"] == FIRST and alert["To"].addresses[0].addr_spec == ADDRESS
            assert "Weiterlesen: https://" in text_of(alert)
            assert one_click_url(alert) == link_in(alert, "abmelden")  # the same link in the header and the text

            # The manage link of the alert: from now on the daily digest instead.
            manage = via_proxy(link_in(alert, "verwalten"))
            page = requests.get(manage, timeout=10)
            assert page.status_code == 200 and ADDRESS in page.text and 'value="taeglich"' in page.text
            changed = requests.post(manage, headers=BROWSER, timeout=10, data={
                "aktion": "speichern", "thema": ["Verkehr"], "haeufigkeit": "taeglich"})
            assert changed.status_code == 200 and "Ihre Auswahl ist gespeichert." in changed.text

            # A second story: no alert of its own any more; the daily digest at 17:00 lists it.
            story(site, "2026/ampel.md", "b1b2c3d4e5f6", "2026-11-27 09:00", SECOND, "2026-11-27 08:00")
            report = publish(site, now="2026-11-27 17:05", settings=SINCE)
            assert sent(report) == {"b1b2c3d4e5f6": ("sent", 0), "abo-taeglich-2026-11-27": ("sent", 1),
                                    "abo-woechentlich-2026-W48": ("sent", 0)}, report.outcomes
            (digest,) = new_mails(smtp, 2, 1)
            assert digest["Subject"] == "Ihre tägliche Zusammenfassung vom 27. November 2026: 1 neue Meldung"
            assert SECOND in text_of(digest) and FIRST not in text_of(digest)

            # One click in the mail program: a bare POST to the List-Unsubscribe URL, no cookie, no site header.
            gone = requests.post(via_proxy(one_click_url(digest)), data="List-Unsubscribe=One-Click", timeout=10,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"}, allow_redirects=False)
            assert gone.status_code == 200 and "Sie sind abgemeldet" in gone.text

            # A third story and the next digest reach nobody.
            story(site, "2026/bruecke.md", "c1b2c3d4e5f6", "2026-11-28 09:00", THIRD, "2026-11-28 08:00")
            report = publish(site, now="2026-11-28 17:05", settings=SINCE)
            assert sent(report) == {"c1b2c3d4e5f6": ("sent", 0), "abo-taeglich-2026-11-28": ("sent", 0)}, \
                report.outcomes
            assert [r.rcpt_tos for r in smtp.received] == [[ADDRESS]] * 3
            assert origin_receipt(site, "abo-taeglich-2026-11-27")["channels"]["buerger"]["detail"]["recipients"] == 1

            # Art. 15: the export from the manage page.
            page = requests.get(manage, timeout=10)
            assert 'download>Alle gespeicherten Daten herunterladen (JSON)</a>' in page.text
            export = requests.get(manage + "/daten", timeout=10)
            assert export.status_code == 200 and export.headers["content-type"].startswith("application/json")
            data = export.json()
            person = data["abonnent"]
            assert (person["email"], person["angebot"], person["haeufigkeit"], person["status"]) == (
                ADDRESS, "buerger", "taeglich", "unsubscribed")
            assert data["auswahl"] == {"thema": ["Verkehr"]}
            assert [(c["aktion"], c["weg"], c["umfang"]["frequency"]) for c in data["einwilligungen"]] == [
                ("angefragt", "formular", "sofort"), ("bestaetigt", "link", "sofort"),
                ("geaendert", "formular", "taeglich"), ("abgemeldet", "one-click", "taeglich")]
            assert {(d["sendung"], d["status"]) for d in data["zustellungen"]} == {
                (f"story:{STORY_ID}", "sent"), ("digest:taeglich:2026-11-27", "sent")}

            # Art. 17: delete; the links die, nothing in the database or the site's history names the person.
            assert "Endgültig löschen</button>" in requests.get(manage + "/loeschen", timeout=10).text
            erased = requests.post(manage + "/loeschen", headers=BROWSER, timeout=10)
            assert erased.status_code == 200 and "Ihre Daten sind gelöscht" in erased.text
            assert requests.get(manage, timeout=10).status_code == 400
            assert requests.get(manage + "/daten", timeout=10).status_code == 400
        assert len(smtp.received) == 3  # the confirmation, one alert, one digest: nothing else, ever

    refs = {alert["X-Newsroom-Abo"], digest["X-Newsroom-Abo"]}  # keyed with the erased key
    database = Database(database_url)
    try:
        with database.session() as session:
            for table in (Subscriber, Selection, Delivery):
                assert session.scalars(select(table)).first() is None, table
            # Not even the rate limits' hash of the address (keyed with the service secret) is left.
            bucket = abuse.bucket_key(abuse.ADDRESS_MAILS, keys.address_hash(SECRET, ADDRESS))
            assert session.scalars(select(Rate).where(Rate.bucket == bucket)).first() is None
            consents = session.scalars(select(Consent)).all()
            assert len(consents) == 4  # the proof stays, keyed with the erased key: linked to nobody
            for table in Base.metadata.sorted_tables:
                for row in session.execute(table.select()):
                    assert "lebenslauf" not in str(tuple(row)).casefold(), (table.name, row)
    finally:
        database.close()
    origin = git.Repo(site.root.parent / f"{site.root.name}-origin.git")
    history = origin.git.log("--all", "-p", "--format=%H %an %ae %s%n%b")
    assert "receipts/abo-taeglich-2026-11-27.yml" in history and "lebenslauf" not in history.casefold()
    assert not any(ref in history for ref in refs)
