"""The Pressedienst's daily digest from the publish run: journalists with `sofort` on the press list
(each release at once), those with `taeglich` only in their digest, which lists the period's press
releases and appointments of their Themen once. The real build and Publisher, the subscription
service on a real uvicorn (SQLite and PostgreSQL), a real SMTP server."""

from __future__ import annotations

import re

import pytest
import requests

from newsroom.subscriptions.models import PRESS
from tests.alerts_support import alerts_env, copies, running_service
from tests.press_support import body, press_env, press_record, write_list
from tests.publishing_support import commit_and_push, due_story, origin_receipt, publish
from tests.subscribers_support import TOKEN, add_subscribers, deliveries

JOURNALISTS = [
    ("sofort@rp.example", "sofort", [("thema", "Verkehr")]),
    ("alle@dpa.example", "sofort", [("thema", "alle")]),
    ("taeglich@wdr.example", "taeglich", [("thema", "Verkehr")]),
    ("kultur@taz.example", "taeglich", [("thema", "Kultur")]),
]
CITIZENS = [("buerger@example.org", "taeglich", [("thema", "Verkehr")])]
SINCE = {"SUBSCRIPTIONS_ALERTS_SINCE": "2026-11-26 00:00"}
RADWEGE, THEATER, ZURUECK, BAUSTELLE, ABEND = ("a1b2c3d4e5f6", "b1b2c3d4e5f6", "d1b2c3d4e5f6", "e1b2c3d4e5f6",
                                              "f1b2c3d4e5f6")
PRESSEDIENST = "Pressedienst – Zusammenfassung vom 26. November 2026"
CITIZEN_DIGEST = "Ihre tägliche Zusammenfassung vom 26. November 2026: 2 neue Meldungen"


@pytest.fixture
def service(database_url, monkeypatch, tmp_path):
    add_subscribers(database_url, JOURNALISTS, kind=PRESS)
    with running_service(database_url, CITIZENS) as (base, smtp):
        for key, value in alerts_env(base, smtp).items():
            monkeypatch.setenv(key, value)
        # The press channel reads its list from the service, as in production.
        press_env(monkeypatch, smtp, write_list(tmp_path / "unbenutzt.csv", []))
        monkeypatch.setenv("NEWSROOM_PRESS_RECIPIENTS", f"{base}/abo/api/presse/verteiler.csv")
        monkeypatch.setenv("NEWSROOM_PRESS_RECIPIENTS_TOKEN", TOKEN)
        yield base, smtp


def test_the_press_list_holds_only_journalists_who_get_each_release_at_once(service):
    base, _smtp = service
    text = requests.get(f"{base}/abo/api/presse/verteiler.csv", headers={"Authorization": f"Bearer {TOKEN}"},
                        timeout=10).text
    listed = [line.split(",")[0] for line in text.splitlines()[1:]]
    assert listed == ["sofort@rp.example", "alle@dpa.example"]


def test_the_daily_pressedienst_digest_lists_the_periods_releases_and_appointments_once(site, service,
                                                                                        database_url):
    _base, smtp = service
    # Announced before the period: listed only when it takes place in the week after its end.
    site.appointment("2026/bald.md", id="0ba1d0000001", title="Baustellenbesuch Kö-Bogen",
                     start="2026-11-28 10:00", end="2026-11-28 11:00")
    site.appointment("2026/spaet.md", id="05ae70000001", title="Jahresbilanz Verkehr", start="2026-12-20 10:00",
                     end="2026-12-20 11:00")
    commit_and_push(site, "Termine", "2026-11-20 09:00")
    # Announced in the period (26 November, 17:00 the day before to 17:00).
    site.appointment(title="Pressegespräch zum Radverkehr", start="2026-12-10 10:00", end="2026-12-10 11:00")
    site.appointment("2026/museum.md", id="0a5e00000001", title="Museumsnacht", topic="Kultur",
                     start="2026-12-12 19:00", end="2026-12-12 23:00")
    press = "\n  press: true"
    due_story(site, date="2026-11-26 09:00", channels=press)
    due_story(site, "2026/theater.md", THEATER, date="2026-11-26 10:00", channels=press,
              title="Theaterpreis verliehen", category="Kultur", department="Kulturamt")
    due_story(site, "2026/zurueck.md", ZURUECK, date="2026-11-26 10:30", channels=press, status="withdrawn",
              title="Zurückgezogen", withdrawal="\n  date: 2026-11-26 10:40\n  reason: Falsche Angaben")
    due_story(site, "2026/baustelle.md", BAUSTELLE, date="2026-11-26 11:00", channels=None,
              title="Baustelle an der Kö")  # citizens only
    due_story(site, "2026/abend.md", ABEND, date="2026-11-26 18:00", channels=press,
              title="Später am Abend")  # the next period's
    commit_and_push(site, "Meldungen", "2026-11-26 08:00")

    first = publish(site, settings=SINCE)
    sent = {(o.story_id, o.channel): o.status for o in first.outcomes}
    assert sent[(RADWEGE, "press")] == sent[(THEATER, "press")] == "sent", first.outcomes
    # Each release at once: only to the journalists with `sofort`.
    assert copies(smtp) == {"sofort@rp.example": 1, "alle@dpa.example": 2}
    number = press_record(site)["detail"]["number"]
    assert re.fullmatch(r"PM \d+/2026", number)

    second = publish(site, now="2026-11-26 17:30", settings=SINCE)
    sent = {(o.story_id, o.channel): o.status for o in second.outcomes}
    assert sent == {("abo-presse-taeglich-2026-11-26", "buerger"): "sent",
                    ("abo-taeglich-2026-11-26", "buerger"): "sent"}, second.outcomes
    verkehr = f"{PRESSEDIENST}: 1 Pressemitteilung, 2 Medientermine"
    kultur = f"{PRESSEDIENST}: 1 Pressemitteilung, 1 Medientermin"
    assert copies(smtp, verkehr) == {"taeglich@wdr.example": 1}
    assert copies(smtp, kultur) == {"kultur@taz.example": 1}
    mail = next(r.message for r in smtp.received if r.message["Subject"] == verkehr)
    text = body(mail)
    assert f"{number}: Neue Radwege am Rheinufer" in text
    assert "Die Stadt baut zwei Kilometer Radweg" in text
    assert "https://www.duesseldorf.de/" in text
    assert "Pressegespräch zum Radverkehr" in text and "Baustellenbesuch Kö-Bogen" in text
    for other in ("Theaterpreis", "Zurückgezogen", "Baustelle an der Kö", "Später am Abend", "Jahresbilanz",
                  "Museumsnacht"):
        assert other not in text
    assert text.index("Pressemitteilungen") < text.index("Medientermine")
    assert f"{number}: " in body(mail, "html") and "Pressegespräch zum Radverkehr" in body(mail, "html")
    assert re.fullmatch(r"<https://abo\.example/abo/abmelden/[\w.-]+>", mail["List-Unsubscribe"])
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"\d+\.[0-9a-f]{24}", mail["X-Newsroom-Abo"])
    assert mail["List-Unsubscribe"][1:-1] in text and "Abmelden: https://abo.example/abo/abmelden/" in text
    kultur_text = body(next(r.message for r in smtp.received if r.message["Subject"] == kultur))
    assert "Theaterpreis verliehen" in kultur_text and "Museumsnacht" in kultur_text
    assert "Radwege" not in kultur_text
    # The citizens' digest is the same as without the Pressedienst.
    assert copies(smtp, CITIZEN_DIGEST) == {"buerger@example.org": 1}
    citizen = body(next(r.message for r in smtp.received if r.message["Subject"] == CITIZEN_DIGEST))
    assert "Neue Radwege am Rheinufer" in citizen and "Baustelle an der Kö" in citizen
    assert "Pressegespräch" not in citizen
    # Records: counts only, keys without colons; the service has one row per journalist and period.
    record = origin_receipt(site, "abo-presse-taeglich-2026-11-26")["channels"]["buerger"]
    assert record["status"] == "sent" and record["detail"] == {
        **record["detail"], "item": "digest:presse:taeglich:2026-11-26", "stories": 5, "releases": 2,
        "appointments": 3, "recipients": 2}
    assert "@" not in str(record)
    assert sorted(deliveries(database_url, "digest:presse:taeglich:2026-11-26").values()) == ["sent", "sent"]

    count = len(smtp.received)
    third = publish(site, now="2026-11-26 17:45", settings=SINCE)
    assert third.outcomes == [] and len(smtp.received) == count
