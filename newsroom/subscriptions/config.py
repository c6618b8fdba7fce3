"""The service's configuration: settings (newsroom/settings.py) and secrets from the environment.

Environment, NEWSROOM_SUBSCRIPTIONS_…: DATABASE_URL (SQLAlchemy URL; default SQLite outside the
repository, database.default_url), SECRET (at least 32 characters: signs the links, keys the
hashes of clients), API_TOKEN (what the publish run presents to read the press list and to
claim citizen alerts), FROM (sender of the confirmation mails), SMTP_HOST, SMTP_PORT,
SMTP_SECURITY, SMTP_USER, SMTP_PASSWORD, SMTP_CA_FILE (the relay for those mails).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newsroom.errors import ConfigurationError
from newsroom.secrets import Credentials
from newsroom.subscriptions.database import check_location, default_url

CHANNEL = "subscriptions"  # NEWSROOM_SUBSCRIPTIONS_…


@dataclass(frozen=True)
class ServiceConfig:
    settings: Mapping
    database_url: str
    secret: str
    api_token: str | None
    credentials: Credentials = field(repr=False)
    repository: Path | None = None

    @classmethod
    def load(cls, settings: Mapping, environ: Mapping[str, str] | None = None, *,
             repository: Path | None = None) -> ServiceConfig:
        environ = os.environ if environ is None else environ
        credentials = Credentials(CHANNEL, environ)
        url = credentials.get("DATABASE_URL") or default_url(environ)
        if repository is not None:
            check_location(url, repository)
        secret = credentials.get("SECRET")
        if not secret or len(secret) < 32:
            raise ConfigurationError(f"{credentials.name('SECRET')} fehlt oder ist kürzer als 32 Zeichen; der Dienst "
                                     "signiert damit jeden Link. Zum Beispiel: python3 -c 'import secrets; "
                                     "print(secrets.token_urlsafe(48))'")
        return cls(settings, url, secret, credentials.get("API_TOKEN"), credentials, repository)

    @property
    def public_url(self) -> str:
        """Where people reach the service, with a trailing slash (SUBSCRIPTIONS_URL)."""
        return self.settings["SUBSCRIPTIONS_URL"].rstrip("/") + "/"

    @property
    def path(self) -> str:
        """The path the service answers below (the path of SUBSCRIPTIONS_URL): /abo/."""
        from urllib.parse import urlsplit

        return urlsplit(self.public_url).path or "/"
