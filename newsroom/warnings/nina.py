"""The NINA API of the Federal Office of Civil Protection (BBK), read-only:
`GET /dashboard/{ARS}.json` (the warnings of a district, regional key with the last seven
digits 0) and `GET /warnings/{id}.json` (one warning's details). Base NINA_BASE_URL."""

from __future__ import annotations

import json
from urllib.parse import quote

import requests

from newsroom.errors import WarningsUnavailable

USER_AGENT = "Newsroom Landeshauptstadt Duesseldorf (amtliche Warnungen)"
MAX_BYTES = 5_000_000  # a dashboard of a district is a few kilobytes; more is no answer of NINA's


class NinaClient:
    def __init__(self, base_url: str, timeout: float, session: requests.Session | None = None):
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})

    def dashboard(self, ars: str):
        return self._get(f"/dashboard/{quote(ars, safe='')}.json", "Übersicht")

    def warning(self, warning_id: str):
        return self._get(f"/warnings/{quote(warning_id, safe='')}.json", f"Warnung {warning_id}")

    def _get(self, path: str, what: str):
        url = self.base + path
        try:
            with self.session.get(url, timeout=self.timeout, stream=True, allow_redirects=False) as response:
                if response.status_code != 200:
                    raise WarningsUnavailable(f"{what}: die NINA-Schnittstelle antwortet mit Status "
                                              f"{response.status_code} ({url}).")
                body = response.raw.read(MAX_BYTES + 1, decode_content=True)
        except requests.Timeout:
            raise WarningsUnavailable(f"{what}: die NINA-Schnittstelle antwortet nicht innerhalb von "
                                      f"{self.timeout:g} s ({url}).") from None
        except (requests.RequestException, OSError) as exc:
            raise WarningsUnavailable(f"{what}: die NINA-Schnittstelle ist nicht erreichbar ({url}: "
                                      f"{type(exc).__name__}).") from None
        if len(body) > MAX_BYTES:
            raise WarningsUnavailable(f"{what}: die Antwort der NINA-Schnittstelle ist zu groß ({url}).")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise WarningsUnavailable(f"{what}: die NINA-Schnittstelle liefert kein gültiges JSON ({url}).") from None

    def close(self) -> None:
        self.session.close()
