"""The Pressedienst through the subscription service: the publish run's list over the API (real
uvicorn, SQLite and PostgreSQL), a release mailed to exactly the subscribed journalists with their
own one-click unsubscribe, and the old list imported with its consent marked as imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime

import pytest
import requests
from sqlalchemy import func, select

from newsroom.dates import BERLIN
from newsroom.settings import with_defaults
from newsroom.subscriptions.bounces import mail_ref
from newsroom.subscriptions.config import ServiceConfig
from newsroom.subscriptions.database import Database, migrate
from newsroom.subscriptions.imports import import_file
from newsroom.subscriptions.keys import new_key, subscriber_ref
from newsroom.subscriptions.models import (
    ACTIVE,
    CITIZEN,
    PAUSED,
    PENDING,
    PRESS,
    SUSPENDED,
    THEMA,
    UNSUBSCRIBED,
    Consent,
    Selection,
    Subscriber,
)
from newsroom.subscriptions.service import create_app
from newsroom.subscriptions.tokens import MANAGE, UNSUBSCRIBE, Tokens
from plugins.press.recipients import load, parse, recipient_key
from tests.databases import serve_asgi
from tests.fakes.smtp import FakeSMTP
from tests.press_support import origin_history, press_env, press_record, press_story, publish, write_list
from tests.publishing_support import commit_and_push
from tests.support import REPO

SECRET = "dienst-geheimnis-" + "x" * 32
TOKEN = "api-token-presse-0f3c9a7e"
PUBLIC = "https://abo.example/abo/"  # behind the city's web server; uvicorn itself speaks http on loopback
LIST_PATH = "/abo/api/presse/verteiler.csv"
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN)
PEOPLE = [  # address, kind, status, themen, confirmed
    ("anna@rp.example", PRESS, ACTIVE, ["Verkehr"], True),
    ("ben@wdr.example", PRESS, ACTIVE, ["alle"], True),
    ("cem@kultur.example", PRESS, ACTIVE, ["Kultur"], True),
    ("dora@express.example", PRESS, PENDING, ["Verkehr"], False),
    ("emil@dpa.example", PRESS, UNSUBSCRIBED, ["Verkehr"], True),
    ("fritz@taz.example", PRESS, PAUSED, ["Verkehr"], True),
    ("gina@bild.example", PRESS, SUSPENDED, ["Verkehr"], True),
    ("hans@buerger.example", CITIZEN, ACTIVE, ["Verkehr"], True),
]
LISTED = ["anna@rp.example", "ben@wdr.example", "cem@kultur.example"]


def service_config(database_url: str, *, token: str | None = TOKEN, **environ) -> ServiceConfig:
    env = {"NEWSROOM_SUBSCRIPTIONS_SECRET": SECRET, "NEWSROOM_SUBSCRIPTIONS_DATABASE_URL": database_url, **environ}
    if token:
        env["NEWSROOM_SUBSCRIPTIONS_API_TOKEN"] = token
    return ServiceConfig.load(with_defaults({"SUBSCRIPTIONS_URL": PUBLIC}), env, repository=REPO)


def seed(database_url: str, people=PEOPLE) -> dict[str, Subscriber]:
    migrate(database_url)
    database = Database(database_url)
    found = {}
    try:
        with database.session() as session:
            for address, kind, status, themen, confirmed in people:
                person = Subscriber(email=address, key=new_key(), kind=kind, name=address.split("@")[0].title(),
                                    medium="Medium " + address.split("@")[1], frequency="sofort", status=status,
                                    created_at=NOW, confirmed_at=NOW if confirmed else None, changed_at=NOW,
                                    bounces=0, complaints=0,
                                    selections=[Selection(dimension=THEMA, value=t) for t in themen])
                session.add(person)
                found[address] = person
    finally:
        database.close()
    return found


# -- the API -------------------------------------------------------------------------------------

def test_the_press_list_needs_the_token_and_is_never_cached(database_url):
    seed(database_url)
    with serve_asgi(create_app(service_config(database_url, token=None))) as base:
        closed = requests.get(base + LIST_PATH, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert closed.status_code == 503 and "NEWSROOM_SUBSCRIPTIONS_API_TOKEN fehlt" in closed.text
    assert closed.headers["Cache-Control"] == "no-store"
    with serve_asgi(create_app(service_config(database_url))) as base:
        answers = [requests.get(base + LIST_PATH, headers=headers, timeout=10) for headers in
                   ({}, {"Authorization": "Bearer falsch"}, {"Authorization": f"Basic {TOKEN}"},
                    {"Authorization": f"Bearer {TOKEN}x"})]
        good = requests.get(base + LIST_PATH, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert [a.status_code for a in answers] == [401] * 4
    assert all(a.headers["Cache-Control"] == "no-store" and "@" not in a.text for a in answers)
    assert answers[0].headers["WWW-Authenticate"].startswith("Bearer")
    assert good.status_code == 200 and good.headers["Cache-Control"] == "no-store"
    assert good.headers["Content-Type"].startswith("text/csv")


def test_the_press_list_holds_exactly_the_confirmed_active_journalists_with_their_links(database_url):
    people = seed(database_url)
    with serve_asgi(create_app(service_config(database_url))) as base:
        text = requests.get(base + LIST_PATH, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).text
        fetched = load(base + LIST_PATH, ["Verkehr", "Kultur", "Bildung"], token=TOKEN)  # as the press channel does
    assert text.splitlines()[0] == "address,name,medium,themen,unsubscribe,manage,abo"
    listing = parse(text, "csv", ["Verkehr", "Kultur", "Bildung"])
    assert listing.problems == [] and fetched.problems == []
    assert [r.address for r in listing.recipients] == [r.address for r in fetched.recipients] == LISTED
    assert {r.address: set(r.themen) for r in listing.recipients} == {
        "anna@rp.example": {"Verkehr"}, "ben@wdr.example": {"alle"}, "cem@kultur.example": {"Kultur"}}
    assert [r.address for r in listing.for_thema("Verkehr")] == ["anna@rp.example", "ben@wdr.example"]
    tokens = Tokens(SECRET)
    for recipient in fetched.recipients:
        person = people[recipient.address]
        assert recipient.unsubscribe.startswith(PUBLIC + "abmelden/") and recipient.manage.startswith(
            PUBLIC + "verwalten/")
        assert tokens.read(recipient.unsubscribe.rsplit("/", 1)[1], UNSUBSCRIBE, person.key).subscriber == person.id
        assert tokens.read(recipient.manage.rsplit("/", 1)[1], MANAGE, person.key).subscriber == person.id
        assert recipient.name == person.name and recipient.medium == person.medium
        assert recipient.abo == mail_ref(person.id, person.key)


# -- a release through the service ---------------------------------------------------------------

def test_a_release_reaches_exactly_the_subscribed_journalists_each_with_their_own_one_click_unsubscribe(
        database_url, site, monkeypatch, tmp_path):
    people = seed(database_url)
    with FakeSMTP() as smtp, serve_asgi(create_app(service_config(database_url))) as base:
        press_env(monkeypatch, smtp, tmp_path / "unbenutzt.csv")
        monkeypatch.setenv("NEWSROOM_PRESS_RECIPIENTS", base + LIST_PATH)
        monkeypatch.setenv("NEWSROOM_PRESS_RECIPIENTS_TOKEN", TOKEN)
        press_story(site)
        commit_and_push(site)
        report = publish(site)
        first_mails = list(smtp.received)
        # A correction reaches the same subscribers, found by their hashes in the record.
        press_story(site, corrections="\n  - date: 2026-11-26 14:30\n    wrong: Freitag.\n    right: Sonntag.")
        commit_and_push(site, "Berichtigung", "2026-11-26 14:31")
        corrected = publish(site, now="2026-11-26 14:40")
        assert [(o.story_id, o.status) for o in corrected.outcomes] == [
            ("a1b2c3d4e5f6.berichtigung-202611261430", "sent")]
        assert sorted(m.rcpt_tos[0] for m in smtp.received[len(first_mails):]) == LISTED[:2]
        smtp.received[:] = first_mails
    assert [(o.channel, o.status) for o in report.outcomes] == [("press", "sent")]
    assert report.outcomes[0].message == "PM 1/2026 an 2 von 2 Empfängern gesendet."
    assert [m.rcpt_tos for m in smtp.received] == [["anna@rp.example"], ["ben@wdr.example"]]
    tokens, seen = Tokens(SECRET), set()
    for received in smtp.received:
        message, person = received.message, people[received.rcpt_tos[0]]
        first, second = [part.strip(" <>") for part in message["List-Unsubscribe"].split(",")]
        assert first.startswith(PUBLIC + "abmelden/")
        assert tokens.read(first.rsplit("/", 1)[1], UNSUBSCRIBE, person.key).subscriber == person.id
        assert second == "mailto:presse@duesseldorf.de?subject=Abmelden%20vom%20Presseverteiler"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["X-Newsroom-Abo"] == mail_ref(person.id, person.key)  # bounces find the person by it
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        html = message.get_body(("html",)).get_content()
        manage = text.split("\n-- \n", 1)[1].split()[-1]
        assert manage.startswith(PUBLIC + "verwalten/")
        assert tokens.read(manage.rsplit("/", 1)[1], MANAGE, person.key).subscriber == person.id
        assert f'<a href="{manage}" style="color:#a30016;">{manage}</a>' in html
        assert "PRESSEMITTEILUNG PM 1/2026" in text and "Neue Radwege am Rheinufer" in html
        seen.add(first)
    assert len(seen) == 2  # each person their own link
    detail = press_record(site)["detail"]
    assert len(detail["accepted"].split()) == 2 and detail["recipients"] == 2
    # Hashed by the person's X-Newsroom-Abo, which dies with an erasure, not by the address.
    secret = os.environ["NEWSROOM_PRESS_RECIPIENT_SECRET"]
    assert set(detail["accepted"].split()) == {
        recipient_key(secret, "a1b2c3d4e5f6", mail_ref(people[a].id, people[a].key)) for a in LISTED[:2]}
    history = origin_history(site)
    assert not any(address in history for address, *_ in PEOPLE) and PUBLIC + "abmelden" not in history


def test_a_refusal_in_the_smtp_dialogue_counts_as_the_journalists_bounce_once(database_url, site, monkeypatch,
                                                                               tmp_path):
    people = seed(database_url)
    with FakeSMTP() as smtp, serve_asgi(create_app(service_config(database_url))) as base:
        smtp.script.refuse["anna@rp.example"] = "550 5.1.1 Postfach unbekannt"
        press_env(monkeypatch, smtp, tmp_path / "unbenutzt.csv")
        monkeypatch.setenv("NEWSROOM_PRESS_RECIPIENTS", base + LIST_PATH)
        monkeypatch.setenv("NEWSROOM_PRESS_RECIPIENTS_TOKEN", TOKEN)
        press_story(site)
        commit_and_push(site)
        report = publish(site)
        assert [o.status for o in report.outcomes] == ["sent"] and "1 Empfänger dauerhaft abgewiesen" in \
            report.outcomes[0].message
        # The same refusals reported again (a re-run) count nothing twice.
        again = requests.post(base + "/abo/api/presse/rueckmeldungen", timeout=10,
                              headers={"Authorization": f"Bearer {TOKEN}"},
                              json={"item": "press:a1b2c3d4e5f6", "refusals": [
                                  {"abo": mail_ref(people["anna@rp.example"].id, people["anna@rp.example"].key),
                                   "kind": "hard"}]})
        assert again.json() == {"again": 1}
        assert requests.post(base + "/abo/api/presse/rueckmeldungen", json={"item": "x"}, timeout=10,
                             headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 400
        assert requests.post(base + "/abo/api/presse/rueckmeldungen", json={}, timeout=10).status_code == 401
    database = Database(database_url)
    try:
        with database.session() as session:
            bounces = {p.email: p.bounces for p in session.scalars(select(Subscriber))}
    finally:
        database.close()
    assert bounces["anna@rp.example"] == 1 and bounces["ben@wdr.example"] == 0


# -- the import ----------------------------------------------------------------------------------

OLD_LIST = [  # address, name, medium, themen
    ("anna@rp.example", "Anna Adler", "Rheinische Post", "Verkehr"),
    ("ben@wdr.example", "Ben Berg", "WDR", "alle"),
    ("kein-at-zeichen", "Niemand", "", "Verkehr"),
    ("cem@kultur.example", "Cem Cakir", "Kulturmagazin", ""),
    ("emil@dpa.example", "Emil Ernst", "dpa", "Bildung, Verkehr"),
    ("hans@buerger.example", "Hans Huber", "", "Verkehr"),
    ("Dora@Express.example", "Dora Dietz", "Express", "Verkehr; Umwelt & Klima"),
]


def consents(database_url: str) -> list[Consent]:
    database = Database(database_url)
    try:
        with database.session() as session:
            return list(session.scalars(select(Consent).order_by(Consent.id)))
    finally:
        database.close()


def test_the_old_list_is_imported_once_with_consent_marked_as_imported_and_nobody_mailed(
        database_url, tmp_path, monkeypatch):
    before = seed(database_url, [  # Ben changed his Themen, Emil left, Hans is a citizen, Dora never confirmed
        ("ben@wdr.example", PRESS, ACTIVE, ["Kultur"], True),
        ("emil@dpa.example", PRESS, UNSUBSCRIBED, ["Verkehr"], True),
        ("hans@buerger.example", CITIZEN, ACTIVE, ["Verkehr"], True),
        ("dora@express.example", PRESS, PENDING, ["Verkehr"], False)])
    listing = write_list(tmp_path / "alt" / "presseverteiler.csv", OLD_LIST)
    with FakeSMTP() as smtp:
        for key, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SMTP_SECURITY": "none",
                           "FROM": "abo@duesseldorf.de"}.items():
            monkeypatch.setenv(f"NEWSROOM_SUBSCRIPTIONS_{key}", value)
        config = service_config(database_url)
        first = import_file(config, listing, now=NOW)
        again = import_file(config, listing, now=NOW.replace(day=21))
    assert smtp.received == [] and smtp.rcpts == []
    assert (first.new, first.updated, first.unchanged) == (1, 2, 0)  # Anna new; Ben and Dora updated
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    summary = first.summary()
    assert summary.splitlines()[0] == ("Import aus presseverteiler.csv: 1 neu, 2 aktualisiert, 0 unverändert, "
                                       "4 übersprungen. Niemand wurde angeschrieben.")
    assert "Zeile 4: keine gültige E-Mail-Adresse; übersprungen." in summary
    assert "Zeile 5: keine Themen (oder „alle“) angegeben; übersprungen." in summary
    assert "Zeile 6: hat sich abgemeldet; übersprungen." in summary
    assert "Zeile 7: die Adresse hat bereits ein Abonnement für Bürgerinnen und Bürger; übersprungen." in summary
    assert "@" not in summary and not any(row[0].casefold() in summary.casefold() for row in OLD_LIST)
    assert again.summary().count("; übersprungen.") == 4
    records = consents(database_url)
    assert len(records) == 3  # one per subscriber imported or changed, none for the second import
    assert {(c.action, c.method, c.wording_version, c.client) for c in records} == {
        ("importiert", "import", "import: presseverteiler.csv 2026-11-20", None)}
    database = Database(database_url)
    try:
        with database.session() as session:
            people = {p.email: p for p in session.scalars(select(Subscriber))}
            themen = {p.email: sorted(s.value for s in p.selections) for p in people.values()}
            assert session.scalar(select(func.count()).select_from(Consent)) == 3
    finally:
        database.close()
    assert {e: (p.kind, p.status) for e, p in people.items()} == {
        "anna@rp.example": (PRESS, ACTIVE), "ben@wdr.example": (PRESS, ACTIVE),
        "dora@express.example": (PRESS, ACTIVE), "emil@dpa.example": (PRESS, UNSUBSCRIBED),
        "hans@buerger.example": (CITIZEN, ACTIVE)}
    assert themen["ben@wdr.example"] == ["alle"] and themen["dora@express.example"] == ["Umwelt & Klima", "Verkehr"]
    assert themen["emil@dpa.example"] == ["Verkehr"]  # untouched
    assert people["anna@rp.example"].name == "Anna Adler" and people["anna@rp.example"].medium == "Rheinische Post"
    assert people["anna@rp.example"].confirmed_at is not None
    refs = {c.subscriber_ref: json.loads(c.scope) for c in records}
    assert refs[subscriber_ref(people["ben@wdr.example"].key)] == {
        "kind": "presse", "selections": {"thema": ["alle"]}, "frequency": "sofort"}
    assert before["dora@express.example"].key == people["dora@express.example"].key
    assert not any(row[0] in json.dumps(list(refs.values())) for row in OLD_LIST)


def test_a_list_inside_the_repository_is_refused(tmp_path):
    from newsroom.errors import NewsroomError

    inside = REPO / "tests" / "fakes"
    with pytest.raises(NewsroomError) as raised:
        import_file(service_config(f"sqlite:///{tmp_path / 'abo.sqlite3'}"), inside / "smtp.py")
    assert "gehören nicht ins Inhalts-Repository" in str(raised.value)


def test_invoke_subscriptions_imports_the_list(tmp_path):
    listing = write_list(tmp_path / "verteiler.csv", OLD_LIST[:2])
    env = {**os.environ, "NEWSROOM_SUBSCRIPTIONS_SECRET": SECRET,
           "NEWSROOM_SUBSCRIPTIONS_DATABASE_URL": f"sqlite:///{tmp_path / 'abo.sqlite3'}"}
    done = subprocess.run([sys.executable, "-m", "invoke", "subscriptions", "--import-list", str(listing)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Import aus verteiler.csv: 2 neu, 0 aktualisiert, 0 unverändert, 0 übersprungen." in done.stdout
    assert "@" not in done.stdout + done.stderr


def test_the_migrations_give_the_models_schema(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from newsroom.subscriptions.models import Base

    migrate(database_url)
    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        database.close()
