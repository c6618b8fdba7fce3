"""Helpers for the citizen-alert tests: the service with a token, subscribers straight in its database."""

from __future__ import annotations

from datetime import datetime, timezone

from newsroom.settings import with_defaults
from newsroom.subscriptions.config import ServiceConfig
from newsroom.subscriptions.database import Database, migrate
from newsroom.subscriptions.keys import new_key
from newsroom.subscriptions.models import ACTIVE, CITIZEN, IMMEDIATE, Delivery, Selection, Subscriber

SECRET = "abo-test-geheimnis-" + "x" * 24
TOKEN = "abo-api-token-4f1c9e"


def service_config(url: str, public: str = "https://abo.example/abo/") -> ServiceConfig:
    return ServiceConfig.load(with_defaults({"SUBSCRIPTIONS_URL": public}),
                              {"NEWSROOM_SUBSCRIPTIONS_SECRET": SECRET, "NEWSROOM_SUBSCRIPTIONS_DATABASE_URL": url,
                               "NEWSROOM_SUBSCRIPTIONS_API_TOKEN": TOKEN})


def add_subscribers(url: str, people: list[tuple[str, str, list[tuple[str, str]]]], *, status: str = ACTIVE,
                    kind: str = CITIZEN, confirmed: bool = True) -> dict[str, int]:
    """people: (address, frequency, [(dimension, value)]); the database migrated first. Address → id."""
    migrate(url)
    database = Database(url)
    now = datetime.now(timezone.utc)
    ids = {}
    try:
        with database.session() as session:
            for address, frequency, selections in people:
                person = Subscriber(email=address, key=new_key(), kind=kind, frequency=frequency or IMMEDIATE,
                                    status=status, created_at=now, confirmed_at=now if confirmed else None,
                                    changed_at=now, bounces=0, complaints=0,
                                    selections=[Selection(dimension=d, value=v) for d, v in selections])
                session.add(person)
                session.flush()
                ids[address] = person.id
    finally:
        database.close()
    return ids


def deliveries(url: str, item: str | None = None) -> dict[tuple[int, str], str]:
    """(subscriber id, item) → status."""
    database = Database(url)
    try:
        with database.session() as session:
            rows = session.query(Delivery).filter(*([Delivery.item == item] if item else [])).all()
            return {(row.subscriber_id, row.item): row.status for row in rows}
    finally:
        database.close()


def bounces(url: str) -> dict[str, int]:
    """Address → hard bounces counted, for those with any."""
    database = Database(url)
    try:
        with database.session() as session:
            return {p.email: p.bounces for p in session.query(Subscriber).filter(Subscriber.bounces > 0)}
    finally:
        database.close()
