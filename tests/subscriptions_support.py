"""The subscription service for tests: a real uvicorn on loopback over a fresh database, mailing
through the aiosmtpd fake; helpers to fill its forms and read its mails."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import requests

from newsroom.settings import with_defaults
from newsroom.subscriptions.config import ServiceConfig
from newsroom.subscriptions.database import Database
from newsroom.subscriptions.service import create_app
from tests.databases import serve_asgi
from tests.fakes.smtp import FakeSMTP

SECRET = "test-geheimnis-fuer-signierte-links-0123456789"
SITE = "https://www.duesseldorf.example"
SENDER = "Landeshauptstadt Düsseldorf <abo@duesseldorf.example>"


@dataclass
class Service:
    url: str  # the service's public URL, ending in /abo/
    smtp: FakeSMTP
    config: ServiceConfig
    database: Database

    def form_token(self, kind: str = "buerger") -> str:
        page = requests.get(self.url + kind, timeout=10)
        assert page.status_code == 200
        return re.search(r'name="formular" value="([^"]+)"', page.text).group(1)

    def sign_up(self, email: str, /, kind: str = "buerger", *, token: bool = True, headers=None,
                **fields) -> requests.Response:
        data = {"email": email, "haeufigkeit": "sofort", "einwilligung": "ja", "webseite": "",
                **({"thema": ["Verkehr"], "bezirk": ["3"]} if kind == "buerger" else
                   {"name": "Ada Muster", "medium": "Rheinische Post", "thema": ["Kultur", "Verkehr"]}),
                **fields}
        if token:
            data["formular"] = self.form_token(kind)
        return requests.post(self.url + kind, data=data, headers=headers or {}, timeout=10)

    def mails(self, count: int, timeout: float = 10) -> list:
        """The first `count` messages received, waiting for them (they leave after the answer)."""
        deadline = time.monotonic() + timeout
        while len(self.smtp.received) < count:
            assert time.monotonic() < deadline, f"{len(self.smtp.received)} mails instead of {count}"
            time.sleep(0.05)
        return [r.message for r in self.smtp.received[:count]]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message, segment: str) -> str:
    return re.search(rf"(http://\S+/abo/{segment}/\S+)", text_of(message)).group(1)


@contextlib.contextmanager
def running_service(database_url: str, **settings) -> Iterator[Service]:
    with FakeSMTP() as smtp:
        environ = {"NEWSROOM_SUBSCRIPTIONS_DATABASE_URL": database_url, "NEWSROOM_SUBSCRIPTIONS_SECRET": SECRET,
                   "NEWSROOM_SUBSCRIPTIONS_FROM": SENDER, "NEWSROOM_SUBSCRIPTIONS_SMTP_HOST": "127.0.0.1",
                   "NEWSROOM_SUBSCRIPTIONS_SMTP_PORT": str(smtp.port),
                   "NEWSROOM_SUBSCRIPTIONS_SMTP_SECURITY": "none"}
        values = with_defaults({"SITEURL": SITE, **settings})
        config = ServiceConfig.load(values, environ)
        with serve_asgi(create_app(config)) as base:
            # The port is known only now; the links in the mails must lead to it.
            values["SUBSCRIPTIONS_URL"] = base + "/abo/"
            database = Database(database_url)
            try:
                yield Service(base + "/abo/", smtp, config, database)
            finally:
                database.close()
