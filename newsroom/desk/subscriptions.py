"""The subscription service's figures in the record of sends, for the desk: counts only, no addresses.

The bounce run (`invoke subscriptions --bounces`) commits `receipts/abonnements/stand.yml`; every
build's desk reads it from the checkout, so a build never needs the service or its database.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import yaml

logger = logging.getLogger("newsroom.desk")

FILE = "abonnements/stand.yml"  # below the receipts folder (a folder of its own: not a story's receipt)
DAYS = 7


@dataclass(frozen=True)
class SubscriptionCounts:
    as_of: date
    active: int
    suspended: int
    hard_bounces: int  # addresses with such a report in the last DAYS days
    soft_bounces: int
    complaints: int
    days: int = DAYS

    def dumps(self) -> str:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return ("# Abonnements: nur Zahlen, keine Adressen – geschrieben von „invoke subscriptions --bounces“.\n"
                + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))

    @classmethod
    def loads(cls, text: str) -> SubscriptionCounts:
        data = yaml.safe_load(text)
        if not isinstance(data, dict):
            raise ValueError("keine Zuordnung")
        numbers = {name: int(data[name]) for name in ("active", "suspended", "hard_bounces", "soft_bounces",
                                                      "complaints")}
        if any(value < 0 for value in numbers.values()):
            raise ValueError("negative Zahl")
        return cls(date.fromisoformat(str(data["as_of"])), days=int(data.get("days", DAYS)), **numbers)


def read_counts(receipts: Path) -> SubscriptionCounts | None:
    """The figures as the checkout has them; None without the file (no service) or when unreadable."""
    try:
        text = (receipts / FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return SubscriptionCounts.loads(text)
    except (ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
        logger.warning("Desk: %s/%s nicht lesbar (%s); die Zahlen der Abonnements fehlen.", receipts.name, FILE, exc)
        return None
