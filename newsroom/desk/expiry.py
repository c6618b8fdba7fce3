"""When each channel's credentials run out, in the record of sends, for the desk: dates only, no secret.

Every publish run asks the platforms (`Channel.credential_expiry`) and commits
`receipts/zugangsdaten/ablauf.yml` when a date changed; every build's desk reads it from the checkout
and warns of each that runs out within PUBLISH_CREDENTIALS_WARN_DAYS, and never later than a week
before (DESK_DAYS), whatever that setting says.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from newsroom.errors import LedgerConflict, NewsroomError

logger = logging.getLogger("newsroom.desk")

FILE = "zugangsdaten/ablauf.yml"  # below the receipts folder (a folder of its own: not a story's receipt)
DESK_DAYS = 7
HEADER = "# Ablauf der Zugangsdaten je Kanal – geführt von „invoke publish“. Nur Zeitpunkte, keine Geheimnisse.\n"


def dumps(expiries: dict[str, datetime]) -> str:
    data = {name: expiries[name].replace(microsecond=0).isoformat() for name in sorted(expiries)}
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=True)


def loads(text: str) -> dict[str, datetime]:
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        raise ValueError("keine Zuordnung")
    return {str(name): datetime.fromisoformat(str(value)) for name, value in data.items()}


def record_expiries(ledger, expiries: dict[str, datetime], keep: set[str] = frozenset()) -> None:
    """Commit the dates when they differ from the record's; channels in `keep` (their platform could not be
    asked this time) keep their recorded date. A failure is said, never a reason to fail."""
    for _ in range(5):
        try:
            recorded = ledger.read(FILE)
            previous = _parsed(recorded)
            dates = {**{name: when for name, when in previous.items() if name in keep}, **expiries}
            if (recorded is None and not dates) or previous == dates:
                return
            ledger.write([], "publish: credentials expiry", {FILE: dumps(dates)})
            return
        except LedgerConflict:
            ledger.sync()
        except NewsroomError as exc:
            logger.warning("Ablauf der Zugangsdaten nicht im Versandprotokoll gespeichert: %s", exc)
            return


def _parsed(text: str | None) -> dict[str, datetime]:
    try:
        return loads(text) if text else {}
    except (ValueError, TypeError, yaml.YAMLError):
        return {}


def read_expiries(receipts: Path) -> dict[str, datetime]:
    try:
        text = (receipts / FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        return loads(text)
    except (ValueError, TypeError, yaml.YAMLError) as exc:
        logger.warning("Desk: %s/%s nicht lesbar (%s); Warnungen zu Zugangsdaten fehlen.", receipts.name, FILE, exc)
        return {}


def expiring_soon(expiries: dict[str, datetime], now: datetime, warn_days: int) -> list[tuple[str, datetime, int]]:
    """(channel, when, whole days left; negative: run out) of those the desk warns of, soonest first."""
    limit = now + timedelta(days=max(warn_days, DESK_DAYS))
    return [(name, when, int((when - now).total_seconds() // 86400))
            for name, when in sorted(expiries.items(), key=lambda item: item[1]) if when <= limit]
