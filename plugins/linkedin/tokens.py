"""LinkedIn's OAuth tokens: when the access token runs out, and a new one from the refresh token.

Access tokens live 60 days. Programmatic refresh tokens (365 days from the first consent, not
renewed by a refresh) exist only for applications LinkedIn approved for them; without one a
page administrator signs in again (docs/operations.md). Both calls go to www.linkedin.com and
need the application's client id and secret:
POST /oauth/v2/introspectToken (client_id, client_secret, token) → `expires_at` (Unix time),
`active`, `status` (active, expired, revoked);
POST /oauth/v2/accessToken (grant_type=refresh_token, refresh_token, client_id, client_secret)
→ `access_token`, `expires_in`, `refresh_token`, `refresh_token_expires_in`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from newsroom.dates import BERLIN
from newsroom.errors import SendError
from newsroom.secrets import REDACTOR

if TYPE_CHECKING:
    from newsroom.publishing.http import HttpClient
    from newsroom.secrets import Credentials

DEFAULT_OAUTH_URL = "https://www.linkedin.com"


def oauth_url(credentials: Credentials) -> str:
    return (credentials.get("OAUTH_URL", secret=False) or DEFAULT_OAUTH_URL).rstrip("/")


def _client(credentials: Credentials) -> dict[str, str] | None:
    client_id, secret = credentials.get("CLIENT_ID"), credentials.get("CLIENT_SECRET")
    return {"client_id": client_id, "client_secret": secret} if client_id and secret else None


def expiry(client: HttpClient, credentials: Credentials) -> datetime | None:
    """When the access token stops working, as LinkedIn's introspection says; None without the
    application's client id and secret (the endpoint needs them) or when it names no time."""
    app = _client(credentials)
    if app is None:
        return None
    answer = client.request("POST", f"{oauth_url(credentials)}/oauth/v2/introspectToken", idempotent=True,
                            data={**app, "token": credentials.require("TOKEN")}).json()
    if answer.get("expires_at"):
        return datetime.fromtimestamp(int(answer["expires_at"]), BERLIN)
    if answer.get("active") is False:  # revoked: it works no longer
        return datetime.now(BERLIN)
    return None


def refresh(client: HttpClient, credentials: Credentials) -> dict[str, str] | None:
    """{"TOKEN": new access token, "REFRESH_TOKEN": the refresh token LinkedIn returns}; None when
    no refresh token (or no client id and secret) is configured."""
    app, refresh_token = _client(credentials), credentials.get("REFRESH_TOKEN")
    if app is None or not refresh_token:
        return None
    try:
        answer = client.request("POST", f"{oauth_url(credentials)}/oauth/v2/accessToken", idempotent=True,
                                data={"grant_type": "refresh_token", "refresh_token": refresh_token, **app}).json()
    except SendError as exc:
        if exc.status in (400, 401):
            raise SendError(f"{exc} – Der Refresh-Token ist abgelaufen oder widerrufen, oder die App darf keine "
                            "Tokens erneuern; bitte als Administrator der Seite neu anmelden (docs/operations.md).",
                            status=exc.status) from None
        raise
    if not answer.get("access_token"):
        raise SendError("LinkedIn: Die Antwort auf die Erneuerung nennt kein access_token.")
    found = {"TOKEN": answer["access_token"]}
    if answer.get("refresh_token"):
        found["REFRESH_TOKEN"] = answer["refresh_token"]
    for value in found.values():
        REDACTOR.add(value)
    return found
