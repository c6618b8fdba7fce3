"""Dates in Europe/Berlin: strict parsing and German formatting independent of locale."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from newsroom.errors import ConfigurationError, DateParseError

BERLIN = ZoneInfo("Europe/Berlin")

MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
          "September", "Oktober", "November", "Dezember"]
WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]

_DATETIME = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?$"
)

DATETIME_HINT = "Erwartet wird JJJJ-MM-TT HH:MM, zum Beispiel 2026-11-30 10:00."


def parse_datetime(text: str, *, require_time: bool = True) -> datetime:
    """Parse `YYYY-MM-DD HH:MM[:SS][offset]` as Europe/Berlin local time (or the given offset).

    A local time that does not exist (spring) or exists twice (autumn) is refused; with an
    offset such as `+01:00` every time is one instant.
    """
    match = _DATETIME.match(text.strip())
    if not match:
        raise DateParseError(f"„{text}“ ist kein Zeitpunkt. {DATETIME_HINT}")
    if match["H"] is None and require_time:
        raise DateParseError(f"„{text}“ hat keine Uhrzeit. {DATETIME_HINT}")
    y, m, d = int(match["y"]), int(match["m"]), int(match["d"])
    try:
        date(y, m, d)
    except ValueError:
        raise DateParseError(f"Den {d:02d}.{m:02d}.{y} gibt es nicht.") from None
    hour, minute, second = int(match["H"] or 0), int(match["M"] or 0), int(match["S"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise DateParseError(f"Die Uhrzeit {hour:02d}:{minute:02d} gibt es nicht.")
    tz = match["tz"]
    if tz:
        if tz == "Z":
            offset = timedelta(0)
        else:
            sign = -1 if tz[0] == "-" else 1
            digits = tz[1:].replace(":", "")
            offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        moment = datetime(y, m, d, hour, minute, second, tzinfo=timezone(offset)).astimezone(BERLIN)
        if moment.fold:
            # The repeated hour's second pass: Python compares and subtracts two datetimes of one
            # tzinfo by their wall time, fold ignored, so this one keeps its fixed offset (+01:00).
            return moment.astimezone(timezone(moment.utcoffset()))
        return moment
    local = datetime(y, m, d, hour, minute, second, tzinfo=BERLIN)
    # A wall time skipped by the change to summer time does not exist.
    roundtrip = local.astimezone(ZoneInfo("UTC")).astimezone(BERLIN)
    if roundtrip.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise DateParseError(
            f"{hour:02d}:{minute:02d} Uhr am {d:02d}.{m:02d}.{y} gibt es wegen der Zeitumstellung nicht."
        )
    # A wall time repeated by the change back to winter time happens twice: which one is meant
    # only the editor knows (zoneinfo would silently take the first, summer time).
    summer, winter = local.utcoffset(), local.replace(fold=1).utcoffset()
    if summer != winter:
        written = f"{y:04d}-{m:02d}-{d:02d} {hour:02d}:{minute:02d}" + (f":{second:02d}" if match["S"] else "")
        raise DateParseError(
            f"{hour:02d}:{minute:02d} Uhr am {d:02d}.{m:02d}.{y} gibt es wegen der Zeitumstellung zweimal. "
            f"Bitte die Zeitzone dazuschreiben: {written}{_offset(summer)} (Sommerzeit, die erste) "
            f"oder {written}{_offset(winter)} (Winterzeit, die zweite)."
        )
    return local


def _offset(delta: timedelta) -> str:
    """'+02:00' for two hours east of UTC."""
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def german_date(value: datetime | date) -> str:
    """'20. November 2026'."""
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"


def german_datetime(value: datetime) -> str:
    """'20. November 2026, 10:00 Uhr' in Berlin time."""
    value = value.astimezone(BERLIN)
    return f"{german_date(value)}, {value:%H:%M} Uhr"


def short_german_date(value: datetime | date) -> str:
    """'20.11.2026'."""
    return f"{value.day:02d}.{value.month:02d}.{value.year}"


def month_name(month: int) -> str:
    return MONTHS[month - 1]


def iso(value: datetime) -> str:
    """ISO 8601 with offset, seconds precision: for JSON-LD, sitemaps and meta tags."""
    return value.astimezone(BERLIN).isoformat(timespec="seconds")


def build_now(value) -> datetime:
    """The moment that decides which scheduled stories are due; the clock unless set."""
    if value is None or value == "":
        return datetime.now(BERLIN).replace(microsecond=0)
    if isinstance(value, datetime):
        return value.astimezone(BERLIN)
    try:
        return parse_datetime(str(value))
    except ValueError as exc:
        raise ConfigurationError(f"BUILD_NOW: {exc}") from None
