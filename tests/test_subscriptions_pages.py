"""What a person does with the subscription service, over real HTTP (uvicorn on loopback), real SMTP
(aiosmtpd) and both databases: sign up, confirm, manage, unsubscribe in one click, export, delete;
and what an attacker tries: old, used and forged links, mass sign-ups, probing for addresses,
robots, hostile input, foreign forms."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from newsroom.subscriptions import abuse, bounces, links
from newsroom.subscriptions.models import Consent, Selection, Subscriber
from newsroom.subscriptions.tokens import CONFIRM, Tokens
from tests.subscriptions_support import SITE, link_in, running_service, text_of

FAST = 0  # the fill-time check has its own test; elsewhere the forms are sent at once


@pytest.fixture
def service(database_url, monkeypatch):
    monkeypatch.setattr(abuse, "MIN_FILL_SECONDS", FAST)
    with running_service(database_url) as running:
        yield running


def subscriber(service, email: str) -> Subscriber | None:
    with service.database.session() as session:
        found = session.scalars(select(Subscriber).where(Subscriber.email == email)).first()
        if found is not None:
            found.selections  # loaded while the session is open
        return found


def consents(service) -> list[Consent]:
    with service.database.session() as session:
        return list(session.scalars(select(Consent).order_by(Consent.id)))


def confirmed(service, email: str = "leser@example.org", **fields) -> str:
    """Signs up and confirms; the manage link of the confirmation page."""
    assert service.sign_up(email, **fields).status_code == 200
    url = link_in(service.mails(len(service.smtp.received) + 1)[-1], "bestaetigen")
    page = requests.post(url, timeout=10)
    assert page.status_code == 200, page.text
    return manage_link(page.text)


def manage_link(html: str) -> str:
    return re.search(r'href="(http://[^"]+/abo/verwalten/[^"]+)"', html).group(1)


def test_the_whole_life_of_a_subscription(service):
    # Sign up: the service's form, an answer that tells nothing, a confirmation mail.
    form = requests.get(service.url + "buerger", timeout=10)
    assert form.status_code == 200 and 'lang="de"' in form.text
    assert "Fassung 2026-12" in form.text and "datenschutz/" in form.text
    answer = service.sign_up("Leser@Example.org", thema=["Verkehr", "Kultur"], bezirk=["3", "9"], amt=["alle"])
    assert answer.status_code == 200 and "Bitte prüfen Sie Ihr Postfach" in answer.text
    (mail,) = service.mails(1)
    assert mail["To"].addresses[0].addr_spec == "leser@example.org"
    assert mail["Subject"] == "Bitte bestätigen Sie Ihr Abonnement"
    assert mail["From"].addresses[0].addr_spec == "abo@duesseldorf.example"
    assert mail.get_body(preferencelist=("html",)) is not None
    person = subscriber(service, "leser@example.org")
    assert person.status == "pending"
    assert mail["X-Newsroom-Abo"] == bounces.mail_ref(person.id, person.key)  # a bounce finds its subscriber

    # The link shows a button; opening it (a mail scanner does) changes nothing.
    url = link_in(mail, "bestaetigen")
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "Abonnement bestätigen</button>" in page.text
    assert "Stadtbezirk 3, Stadtbezirk 9" in page.text
    assert subscriber(service, "leser@example.org").status == "pending"
    done = requests.post(url, headers={"Origin": service.url.rsplit("/abo/", 1)[0]}, timeout=10)
    assert done.status_code == 200 and "Ihr Abonnement ist bestätigt" in done.text
    person = subscriber(service, "leser@example.org")
    assert person.status == "active" and person.confirmed_at is not None
    assert {(s.dimension, s.value) for s in person.selections} == {
        ("thema", "Kultur"), ("thema", "Verkehr"), ("bezirk", "3"), ("bezirk", "9"), ("amt", "alle")}

    # Manage: change, pause, resume.
    manage = manage_link(done.text)
    page = requests.get(manage, timeout=10)
    assert page.status_code == 200 and "leser@example.org" in page.text
    changed = requests.post(manage, data={"aktion": "speichern", "thema": ["Bildung"], "bezirk": ["10"],
                                          "haeufigkeit": "woechentlich"}, timeout=10)
    assert changed.status_code == 200 and "Ihre Auswahl ist gespeichert." in changed.text
    person = subscriber(service, "leser@example.org")
    assert person.frequency == "woechentlich"
    assert {(s.dimension, s.value) for s in person.selections} == {("thema", "Bildung"), ("bezirk", "10")}
    assert requests.post(manage, data={"aktion": "pausieren"}, timeout=10).status_code == 200
    assert subscriber(service, "leser@example.org").status == "paused"
    assert requests.post(manage, data={"aktion": "fortsetzen"}, timeout=10).status_code == 200
    assert subscriber(service, "leser@example.org").status == "active"

    # One-click unsubscribe exactly as RFC 8058: a POST with that body, no cookie, no form token.
    unsubscribe = links.unsubscribe_url(service.config, person)
    page = requests.get(unsubscribe, timeout=10)
    assert page.status_code == 200 and "Jetzt abmelden</button>" in page.text
    assert subscriber(service, "leser@example.org").status == "active"
    gone = requests.post(unsubscribe, data="List-Unsubscribe=One-Click", timeout=10,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert gone.status_code == 200 and "Sie sind abgemeldet" in gone.text
    assert subscriber(service, "leser@example.org").status == "unsubscribed"
    steps = [(c.action, c.method) for c in consents(service)]
    assert steps == [("angefragt", "formular"), ("bestaetigt", "link"), ("geaendert", "formular"),
                     ("pausiert", "formular"), ("fortgesetzt", "formular"), ("abgemeldet", "one-click")]
    assert all(c.wording_version == "2026-12" and c.client and len(c.client) == 24 for c in consents(service))
    assert all("127.0.0.1" not in (c.client + c.scope) for c in consents(service))

    # Art. 15: everything about the person, the consent history included.
    export = requests.get(manage + "/daten", timeout=10)
    assert export.status_code == 200 and export.headers["content-type"].startswith("application/json")
    assert "attachment" in export.headers["content-disposition"]
    data = export.json()
    assert data["abonnent"]["email"] == "leser@example.org" and data["abonnent"]["status"] == "unsubscribed"
    assert data["auswahl"] == {"bezirk": ["10"], "thema": ["Bildung"]}
    assert [c["aktion"] for c in data["einwilligungen"]] == [a for a, _ in steps]
    assert data["einwilligungen"][0]["umfang"]["selections"]["bezirk"] == ["3", "9"]

    # Art. 17: a confirm step, then the row, its selections and its key are gone; consent stays, unlinked.
    page = requests.get(manage + "/loeschen", timeout=10)
    assert page.status_code == 200 and "Endgültig löschen</button>" in page.text
    assert subscriber(service, "leser@example.org") is not None
    erased = requests.post(manage + "/loeschen", timeout=10)
    assert erased.status_code == 200 and "Ihre Daten sind gelöscht" in erased.text
    assert subscriber(service, "leser@example.org") is None
    with service.database.session() as session:
        assert session.scalar(select(func.count()).select_from(Selection)) == 0
    left = consents(service)
    assert len(left) == 6 and not any("leser" in json.dumps([c.scope, c.subscriber_ref]) for c in left)
    assert requests.get(manage, timeout=10).status_code == 400
    assert requests.post(unsubscribe, data="List-Unsubscribe=One-Click", timeout=10).status_code == 400
    # Nothing but the confirmation went to the person.
    assert len(service.smtp.received) == 1


def test_the_pressedienst_keeps_name_and_medium(service):
    manage = confirmed(service, "redaktion@example.org", kind="presse")
    person = subscriber(service, "redaktion@example.org")
    assert (person.kind, person.name, person.medium) == ("presse", "Ada Muster", "Rheinische Post")
    page = requests.post(manage, data={"aktion": "speichern", "name": "Ada Muster", "medium": "WDR",
                                       "thema": ["alle"], "haeufigkeit": "taeglich"}, timeout=10)
    assert page.status_code == 200
    person = subscriber(service, "redaktion@example.org")
    assert (person.medium, [s.value for s in person.selections]) == ("WDR", ["alle"])


def test_an_address_already_subscribed_gets_its_manage_link_and_the_same_answer(service):
    first = service.sign_up("neu@example.org")
    again = service.sign_up("neu@example.org")  # still pending: a new confirmation
    requests.post(link_in(service.mails(2)[1], "bestaetigen"), timeout=10)
    known = service.sign_up("neu@example.org")  # active: the manage link instead
    unknown = service.sign_up("unbekannt@example.org")
    assert first.content == again.content == known.content == unknown.content
    assert first.status_code == known.status_code == 200
    mails = service.mails(4)
    assert [m["Subject"] for m in mails[:2]] == ["Bitte bestätigen Sie Ihr Abonnement"] * 2
    # The last two leave after their answers, in either order.
    later = {m["To"].addresses[0].addr_spec: m for m in mails[2:]}
    assert {address: m["Subject"] for address, m in later.items()} == {
        "neu@example.org": "Ihr Abonnement: Link zum Verwalten",
        "unbekannt@example.org": "Bitte bestätigen Sie Ihr Abonnement"}
    manage = text_of(later["neu@example.org"])
    assert "/abo/verwalten/" in manage and "/abo/bestaetigen/" not in manage
    # The first link confirmed the same choices; a second sign-up with other choices voids it.
    assert subscriber(service, "neu@example.org").status == "active"


def test_expired_used_and_forged_links_get_one_and_the_same_refusal(service):
    service.sign_up("a@example.org")
    url = link_in(service.mails(1)[0], "bestaetigen")
    assert requests.post(url, timeout=10).status_code == 200
    person = subscriber(service, "a@example.org")
    base, token = url.rsplit("/", 1)
    payload, signature = token.split(".")
    expired = Tokens(service.config.secret).make(CONFIRM, person.id, person.key, 60, now=time.time() - 3600,
                                                 v=links.scope_digest(person))
    answers = [
        requests.post(url, timeout=10),  # used
        requests.get(url, timeout=10),
        requests.post(f"{base}/{expired}", timeout=10),
        requests.get(f"{base}/{expired}", timeout=10),
        requests.post(f"{base}/{payload}.{signature[:-2]}AA", timeout=10),  # forged
        requests.get(f"{base}/{payload[:-3]}xyz.{signature}", timeout=10),
        requests.get(f"{base}/nichts", timeout=10),
        requests.get(service.url + "verwalten/" + token, timeout=10),  # another purpose
    ]
    assert {a.status_code for a in answers} == {400}
    assert len({a.content for a in answers}) == 1
    assert "Dieser Link ist nicht gültig" in answers[0].text
    assert [c.action for c in consents(service)] == ["angefragt", "bestaetigt"]


def test_a_confirmation_link_confirms_only_the_choices_it_was_sent_for(service):
    service.sign_up("b@example.org", thema=["Verkehr"])
    old = link_in(service.mails(1)[0], "bestaetigen")
    service.sign_up("b@example.org", thema=["Kultur"])
    assert requests.post(old, timeout=10).status_code == 400
    assert requests.post(link_in(service.mails(2)[1], "bestaetigen"), timeout=10).status_code == 200


def test_a_sign_up_never_confirmed_is_forgotten_after_the_pending_days(service):
    service.sign_up("alt@example.org")
    service.sign_up("frisch@example.org")
    with service.database.session() as session:
        old = session.scalars(select(Subscriber).where(Subscriber.email == "alt@example.org")).one()
        old.changed_at = old.changed_at - timedelta(days=8)
    service.sign_up("neu@example.org")
    assert subscriber(service, "alt@example.org") is None
    assert subscriber(service, "frisch@example.org").status == "pending"
    assert [c.action for c in consents(service)] == ["angefragt"] * 3


def test_mass_sign_up_from_one_client_is_limited(service):
    token = service.form_token()
    answers = [requests.post(service.url + "buerger", timeout=10, data={
        "email": f"massen{n}@example.org", "thema": "Verkehr", "haeufigkeit": "sofort", "einwilligung": "ja",
        "formular": token}) for n in range(abuse.CLIENT_SIGNUPS.count + 2)]
    assert [a.status_code for a in answers] == [200] * abuse.CLIENT_SIGNUPS.count + [429, 429]
    assert "Zu viele Anfragen" in answers[-1].text and 'lang="de"' in answers[-1].text
    assert len(service.mails(abuse.CLIENT_SIGNUPS.count)) == abuse.CLIENT_SIGNUPS.count
    time.sleep(0.3)
    assert len(service.smtp.received) == abuse.CLIENT_SIGNUPS.count


def test_one_address_gets_only_a_few_mails_whoever_asks(service, monkeypatch):
    monkeypatch.setattr(abuse, "CLIENT_SIGNUPS", abuse.Limit("client-signup", 100, 600))
    answers = [service.sign_up("opfer@example.org") for _ in range(abuse.ADDRESS_MAILS.count + 2)]
    assert len({a.content for a in answers}) == 1
    service.mails(abuse.ADDRESS_MAILS.count)
    time.sleep(0.5)
    assert len(service.smtp.received) == abuse.ADDRESS_MAILS.count


def test_robots_get_the_same_answer_and_no_mail(service, monkeypatch):
    honest = service.sign_up("mensch@example.org")
    service.mails(1)
    trapped = service.sign_up("robot@example.org", webseite="https://spam.example")
    monkeypatch.setattr(abuse, "MIN_FILL_SECONDS", 30)
    hasty = service.sign_up("eilig@example.org")
    assert honest.content == trapped.content == hasty.content
    time.sleep(0.5)
    assert len(service.smtp.received) == 1
    assert subscriber(service, "robot@example.org") is None and subscriber(service, "eilig@example.org") is None


@pytest.mark.parametrize("field, value, error", [
    ("email", "kein-at-zeichen", "gültige E-Mail-Adresse"),
    ("email", "a\u202eb@example.org", "unzulässige Zeichen"),
    ("email", "a@exa\u200bmple.org", "unzulässige Zeichen"),
    ("email", "Ada <ada@example.org>", "unzulässige Zeichen"),
    ("email", "x" * 250 + "@example.org", "zu lang"),
    ("name", "<script>alert(1)</script>", "keine spitzen"),
    ("name", "Ada\x07Muster", "keine spitzen"),
    ("medium", "WDR\u202e", "keine spitzen"),
    ("medium", "M" * 121, "höchstens 120 Zeichen"),
    ("thema", "<b>Verkehr</b>", "nur aus der Liste"),
    ("haeufigkeit", "stündlich", "wie oft"),
    ("einwilligung", "", "Einwilligung"),
])
def test_hostile_input_is_refused_with_a_german_error_at_its_field(service, field, value, error):
    page = service.sign_up("presse@example.org", kind="presse", **{field: value})
    assert page.status_code == 400
    assert error in page.text
    assert f'id="{field}-fehler"' in page.text
    if field in ("email", "name", "medium"):
        assert f'aria-describedby="{field}-fehler" aria-invalid="true"' in page.text
    assert "<script>" not in page.text and "<b>Verkehr" not in page.text and "\u202e" not in page.text
    assert 'name="formular" value="' in page.text  # a fresh token to send it again
    time.sleep(0.2)
    assert service.smtp.received == [] and subscriber(service, "presse@example.org") is None


def test_an_oversized_form_is_refused(service):
    page = requests.post(service.url + "buerger", data={"email": "x@example.org", "thema": ["Verkehr"] * 2000},
                         timeout=10)
    assert page.status_code == 413 and "Anfrage abgelehnt" in page.text


def test_the_site_form_is_accepted_only_from_the_site(service):
    site_form = service.sign_up("site@example.org", token=False, headers={"Origin": SITE})
    assert site_form.status_code == 200 and "Bitte prüfen Sie Ihr Postfach" in site_form.text
    service.mails(1)
    foreign = service.sign_up("fremd@example.org", token=False, headers={"Origin": "https://boese.example"})
    assert foreign.status_code == 403 and "Anfrage abgelehnt" in foreign.text
    nameless = service.sign_up("ohne@example.org", token=False)  # no browser says where it came from
    assert nameless.status_code == 403
    cross = service.sign_up("quer@example.org", headers={"Origin": "https://boese.example"})  # with a token
    assert cross.status_code == 403
    time.sleep(0.3)
    assert len(service.smtp.received) == 1
    assert [c.method for c in consents(service)] == ["website-formular"]


def test_every_answer_carries_the_security_headers(service):
    manage = confirmed(service)
    for response in (requests.get(service.url, timeout=10), requests.get(manage, timeout=10),
                     requests.get(service.url + "bestaetigen/x", timeout=10),
                     requests.get(service.url + "theme/css/site.css", timeout=10)):
        headers = response.headers
        assert headers["content-security-policy"].startswith("default-src 'self'")
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'none'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
    assert requests.get(manage, timeout=10).headers["cache-control"] == "no-store"
    page = requests.get(service.url + "presse", timeout=10).text
    assert "<script" not in page and "http://127.0.0.1" not in page.split("<body>")[0].replace(service.url, "")
    assert '<link rel="stylesheet" href="/abo/theme/css/site.css">' in page


def test_the_rate_limit_counts_in_the_database(database_url):
    from newsroom.subscriptions.database import Database, migrate

    migrate(database_url)
    database = Database(database_url)
    limit = abuse.Limit("probe", 3, 60)
    try:
        with database.session() as session:
            results = [abuse.hit(session, "eimer", limit, now=1000) for _ in range(4)]
        with database.session() as session:
            results.append(abuse.hit(session, "eimer", limit, now=1061))  # the next window
        assert results == [True, True, True, False, True]
    finally:
        database.close()
