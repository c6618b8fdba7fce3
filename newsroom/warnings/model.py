"""One official warning as the site shows it: German labels, clean text, its official page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

# The providers the NINA dashboard names (payload.data.provider), as citizens know them.
PROVIDERS = {
    "MOWAS": "MoWaS",
    "KATWARN": "KATWARN",
    "BIWAPP": "BIWAPP",
    "DWD": "DWD",
    "LHP": "Hochwasserzentralen",
    "POLICE": "Polizei",
}
# CAP severities (payload.data.severity, info[].severity) in German, gravest first.
SEVERITIES = {
    "Extreme": "Extrem",
    "Severe": "Schwer",
    "Moderate": "Mittel",
    "Minor": "Gering",
    "Unknown": "Unbekannt",
}
# The warning's page on the federal portal; the id is the dashboard's, URL-quoted.
OFFICIAL_PAGE = "https://warnung.bund.de/meldungen/{id}/"
PORTAL = "https://warnung.bund.de/"


def provider_label(code: str) -> str:
    return PROVIDERS.get(code.upper(), "Warnsystem des Bundes")


def severity_label(code: str) -> str:
    return SEVERITIES.get(code.capitalize(), "Unbekannt")


def official_page(warning_id: str) -> str:
    return OFFICIAL_PAGE.format(id=quote(warning_id, safe=""))


@dataclass(frozen=True)
class Warning:
    id: str
    source: str  # German label of the provider
    severity: str  # German label
    headline: str
    sent: datetime | None = None
    onset: datetime | None = None  # onset or effective; the dashboard's startDate without details
    expires: datetime | None = None
    link: str = ""

    def expired(self, now: datetime) -> bool:
        return self.expires is not None and self.expires <= now

    def record(self) -> dict:
        """JSON-able, for the state file."""
        return {"id": self.id, "source": self.source, "severity": self.severity, "headline": self.headline,
                "sent": _iso(self.sent), "onset": _iso(self.onset), "expires": _iso(self.expires),
                "link": self.link}

    @classmethod
    def from_record(cls, data: dict) -> Warning:
        return cls(id=str(data["id"]), source=str(data["source"]), severity=str(data["severity"]),
                   headline=str(data["headline"]), sent=_moment(data.get("sent")),
                   onset=_moment(data.get("onset")), expires=_moment(data.get("expires")),
                   link=official_page(str(data["id"])))  # made again: no address comes from the file

    def key(self) -> tuple:
        """What the fragment shows of it: the page's inputs."""
        return (self.id, self.source, self.severity, self.headline, _iso(self.onset), _iso(self.expires), self.link)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"Zeitangabe ohne Zeitzone: {value}")
    return moment
