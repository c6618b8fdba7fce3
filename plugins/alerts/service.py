"""The subscription service as the publish run reaches it: HTTPS with the API token, never the database.

Base address: NEWSROOM_SUBSCRIPTIONS_API_URL (e.g. an internal name of the service), else
SUBSCRIPTIONS_URL; the routes are newsroom/subscriptions/deliveries.py's. Every call is safe to
repeat (a claim answers the run's open batch again, a report changes only rows still `sending`),
so lost answers are retried within the run's deadline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newsroom.errors import SendError
from newsroom.secrets import Credentials

if TYPE_CHECKING:
    from newsroom.publishing.http import HttpClient

LABEL = "E-Mail-Benachrichtigungen"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


class AlertService:
    def __init__(self, credentials: Credentials, settings: dict, client: HttpClient):
        base = credentials.get("API_URL", secret=False) or settings["SUBSCRIPTIONS_URL"]
        parts = urlsplit(base)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            raise SendError(f"{LABEL}: Der Abonnement-Dienst ({base}) ist nur über https erreichbar; der Schlüssel "
                            "geht nie unverschlüsselt über das Netz.")
        self.base = base.rstrip("/") + "/api/zustellung/"
        self.token = credentials.require("API_TOKEN")
        self.client = client

    def _call(self, name: str, data: dict) -> dict:
        response = self.client.request("POST", self.base + name, idempotent=True, json=data,
                                       headers={"Authorization": f"Bearer {self.token}"})
        try:
            return response.json()
        except ValueError:
            raise SendError(f"{LABEL}: Der Abonnement-Dienst antwortet nicht mit JSON ({name}).", retry=True) from None

    def begin(self, item: str, run: str) -> dict[str, int]:
        return self._call("beginnen", {"item": item, "run": run})["counts"]

    def claim(self, item: str, run: str, frequency: str, stories: list[dict], limit: int, *,
              unclear: bool = False) -> list[dict]:
        matching = [{"thema": s["thema"], "amt": s.get("amt", ""), "bezirke": s.get("bezirke", [])} for s in stories]
        return self._call("beanspruchen", {"item": item, "run": run, "frequency": frequency, "stories": matching,
                                           "limit": limit, "unclear": unclear})["recipients"]

    def report(self, item: str, run: str, results: dict[str, list[int]]) -> None:
        self._call("ergebnis", {"item": item, "run": run, "results": results})

    def counts(self, item: str, run: str) -> dict[str, int]:
        return self._call("stand", {"item": item, "run": run})["counts"]

    def checked(self, item: str, run: str) -> dict[str, int]:
        return self._call("geprueft", {"item": item, "run": run})["counts"]
