"""Helpers for the citizen-alert runs: the subscription service on loopback, a real SMTP server,
and the environment the channel `buerger` reads."""

from __future__ import annotations

import contextlib
from collections import Counter

from newsroom.subscriptions.service import create_app
from tests.databases import serve_asgi
from tests.fakes.smtp import FakeSMTP
from tests.subscribers_support import TOKEN, add_subscribers, service_config

SENDER = "Landeshauptstadt Düsseldorf <nachrichten@duesseldorf.de>"
PUBLIC = "https://abo.example/abo/"


def alerts_env(base: str, smtp: FakeSMTP) -> dict[str, str]:
    return {"NEWSROOM_SUBSCRIPTIONS_API_TOKEN": TOKEN, "NEWSROOM_SUBSCRIPTIONS_API_URL": f"{base}/abo/",
            "NEWSROOM_SUBSCRIPTIONS_FROM": SENDER, "NEWSROOM_SUBSCRIPTIONS_SMTP_HOST": "127.0.0.1",
            "NEWSROOM_SUBSCRIPTIONS_SMTP_PORT": str(smtp.port), "NEWSROOM_SUBSCRIPTIONS_SMTP_SECURITY": "none"}


@contextlib.contextmanager
def running_service(database_url: str, people):
    """The service with `people` subscribed (tests.subscribers_support.add_subscribers), and an SMTP server."""
    add_subscribers(database_url, people)
    with serve_asgi(create_app(service_config(database_url, PUBLIC))) as base, FakeSMTP() as smtp:
        yield base, smtp


def copies(smtp: FakeSMTP, subject: str | None = None) -> Counter:
    """How many messages (with this subject, if given) each address received."""
    found = Counter()
    for received in smtp.received:
        if subject is None or received.message["Subject"] == subject:
            found.update(received.rcpt_tos)
    return found
