"""The service in production: retention periods (on SQLite and PostgreSQL), the purge at start,
and several instances starting at once over one PostgreSQL (migrations under an advisory lock)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import requests
from sqlalchemy import func, select

from newsroom.settings import with_defaults
from newsroom.subscriptions.config import ServiceConfig
from newsroom.subscriptions.database import Database, migrate
from newsroom.subscriptions.keys import new_key, subscriber_ref
from newsroom.subscriptions.models import (
    ACTIVE,
    PAUSED,
    PENDING,
    SUSPENDED,
    UNSUBSCRIBED,
    Bounce,
    Consent,
    Delivery,
    Selection,
    Subscriber,
    UsedToken,
)
from newsroom.subscriptions.retention import purge
from newsroom.subscriptions.service import create_app
from tests.databases import free_port, serve_asgi
from tests.subscriptions_support import SECRET
from tests.support import REPO

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
SETTINGS = with_defaults({"SUBSCRIPTIONS_PENDING_DAYS": 7, "SUBSCRIPTIONS_RETENTION_DAYS": 30})


def add(database, email: str, status: str, days_ago: int) -> str:
    """A subscriber last changed `days_ago` days before NOW, with a row in every owned table; its consent ref."""
    key = new_key()
    at = NOW - timedelta(days=days_ago)
    with database.session() as session:
        person = Subscriber(email=email, key=key, kind="buerger", frequency="sofort", status=status, created_at=at,
                            confirmed_at=None if status == PENDING else at, changed_at=at, bounces=0, complaints=0,
                            selections=[Selection(dimension="bezirk", value="3")])
        session.add(person)
        session.flush()
        session.add(Delivery(subscriber_id=person.id, item="story:a1", status="sent", run="lauf", at=at))
        session.add(Bounce(subscriber_id=person.id, kind="soft", at=at, report=f"r-{email}"))
        session.add(Consent(subscriber_ref=subscriber_ref(key), at=at, action="angefragt", scope="{}",
                            wording_version="2026-12", method="formular", client=None))
    return subscriber_ref(key)


def test_the_retention_periods_delete_whole_subscribers_and_keep_unlinked_consent(database_url):
    migrate(database_url)
    database = Database(database_url)
    try:
        kept = {"aktiv@example.org": (ACTIVE, 400), "pausiert@example.org": (PAUSED, 400),
                "neu@example.org": (PENDING, 6), "abgemeldet-neu@example.org": (UNSUBSCRIBED, 29),
                "gesperrt-neu@example.org": (SUSPENDED, 29)}
        gone = {"unbestaetigt@example.org": (PENDING, 8), "abgemeldet@example.org": (UNSUBSCRIBED, 31),
                "gesperrt@example.org": (SUSPENDED, 31)}
        refs = {email: add(database, email, *state) for email, state in {**kept, **gone}.items()}
        with database.session() as session:
            session.add(UsedToken(jti="alt", used_at=NOW - timedelta(days=3), expires_at=NOW - timedelta(days=1)))
            session.add(UsedToken(jti="gueltig", used_at=NOW, expires_at=NOW + timedelta(days=1)))

        purged = purge(database, SETTINGS, now=NOW)

        assert (purged.pending, purged.ended, purged.tokens) == (1, 2, 1)
        assert "1 nie bestätigte Anmeldung(en), 2 abgemeldete oder gesperrte Adresse(n)" in purged.summary()
        with database.session() as session:
            assert set(session.scalars(select(Subscriber.email))) == set(kept)
            # Every row of a deleted person went with it; the consent rows stay, linked only by a key that is gone.
            for table in (Selection, Delivery, Bounce):
                assert session.scalar(select(func.count()).select_from(table)) == len(kept)
            assert set(session.scalars(select(Consent.subscriber_ref))) == set(refs.values())
            assert not set(session.scalars(select(Subscriber.key))) & {r for e, r in refs.items() if e in gone}
            assert set(session.scalars(select(UsedToken.jti))) == {"gueltig"}
        assert purge(database, SETTINGS, now=NOW) == type(purged)(0, 0, 0)  # again: nothing more
    finally:
        database.close()


def test_the_service_applies_the_retention_periods_when_it_starts(database_url):
    migrate(database_url)
    database = Database(database_url)
    try:
        now = datetime.now(UTC)
        add(database, "alt@example.org", UNSUBSCRIBED, (now - NOW).days + 31)
        add(database, "frisch@example.org", UNSUBSCRIBED, (now - NOW).days + 1)
        config = ServiceConfig.load(with_defaults({"SUBSCRIPTIONS_RETENTION_DAYS": 30}),
                                    {"NEWSROOM_SUBSCRIPTIONS_DATABASE_URL": database_url,
                                     "NEWSROOM_SUBSCRIPTIONS_SECRET": SECRET})
        with serve_asgi(create_app(config)) as base:
            assert requests.get(base + "/abo/gesund", timeout=10).text == "ok"
            with database.session() as session:
                assert list(session.scalars(select(Subscriber.email))) == ["frisch@example.org"]
    finally:
        database.close()


@pytest.fixture
def postgresql_url(postgresql_cluster):
    name = postgresql_cluster.create_database()
    try:
        yield postgresql_cluster.url(name), postgresql_cluster.conninfo(name)
    finally:
        postgresql_cluster.drop_database(name)


def test_a_migration_waits_for_the_advisory_lock_of_another_instance(postgresql_url):
    url, conninfo = postgresql_url
    with psycopg.connect(conninfo) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(7211)")  # as an instance migrating right now
        done = threading.Event()
        worker = threading.Thread(target=lambda: (migrate(url), done.set()), daemon=True)
        worker.start()
        assert not done.wait(1.5), "the migration ran while another instance held the lock"
        holder.rollback()  # that instance's migration ends
        assert done.wait(30)
    with psycopg.connect(conninfo) as connection:
        assert connection.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


def test_two_instances_starting_at_once_share_one_postgresql(postgresql_url, tmp_path):
    """As two hosts' units start `invoke subscriptions` over one database: both come up, the schema once."""
    url, conninfo = postgresql_url
    env = {**os.environ, "NEWSROOM_SUBSCRIPTIONS_DATABASE_URL": url, "NEWSROOM_SUBSCRIPTIONS_SECRET": SECRET}
    ports = [free_port(), free_port()]
    instances = [subprocess.Popen([sys.executable, "-m", "invoke", "subscriptions", "--port", str(port)], cwd=REPO,
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for port in ports]
    try:
        for port, instance in zip(ports, instances):
            deadline = time.monotonic() + 60
            while True:
                assert instance.poll() is None, instance.stdout.read().decode()
                try:
                    answer = requests.get(f"http://127.0.0.1:{port}/abo/gesund", timeout=5)
                    break
                except requests.ConnectionError:
                    assert time.monotonic() < deadline, "the instance did not come up"
                    time.sleep(0.1)
            assert (answer.status_code, answer.text) == (200, "ok")
    finally:
        for instance in instances:
            instance.terminate()
            instance.wait(timeout=15)
    from alembic.script import ScriptDirectory

    from newsroom.subscriptions.database import alembic_config

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    with psycopg.connect(conninfo) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]


def test_the_units_and_the_container_start_the_service_as_the_task_and_the_web_server_expect():
    """deploy/abo.service, abo-bounces.service and the Containerfile call `invoke subscriptions` with
    options the task has, on the address the web server forwards to (SUBSCRIPTIONS_UPSTREAM)."""
    import re

    import tasks

    options = {f"--{name.replace('_', '-')}" for name in tasks.subscriptions.help}
    upstream = with_defaults({})["SUBSCRIPTIONS_UPSTREAM"]
    commands = {}
    for name in ("abo.service", "abo-bounces.service", "Containerfile"):
        text = (REPO / "deploy" / name).read_text(encoding="utf-8")
        command = re.search(r"invoke subscriptions ([^\n\"]*)", text).group(1)
        assert set(re.findall(r"--[a-z-]+", command)) <= options, name
        assert "--settings publishconf.py" in command
        commands[name] = command
    assert f"--host {upstream.replace(':', ' --port ')}" in commands["abo.service"]
    assert "--bounces" in commands["abo-bounces.service"]
    assert "--port 8010" in commands["Containerfile"]
    timer = (REPO / "deploy" / "abo-bounces.timer").read_text(encoding="utf-8")
    assert "OnCalendar=*:0/15" in timer
    for unit in ("abo.service", "abo-bounces.service"):
        text = (REPO / "deploy" / unit).read_text(encoding="utf-8")
        for hardening in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "User=abo",
                          "EnvironmentFile=/etc/newsroom/abo.env"):
            assert hardening in text, (unit, hardening)
    assert "\nUSER abo\n" in (REPO / "deploy" / "Containerfile").read_text(encoding="utf-8")
