"""Which appointments come and which are past, as of the build's time (BUILD_NOW)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from newsroom.appointments.model import Appointment
from newsroom.dates import BERLIN, WEEKDAYS, german_date, german_datetime


def upcoming(appointments: Iterable[Appointment], now: datetime) -> list[Appointment]:
    """Not yet over (running ones included), the soonest first."""
    return sorted((a for a in appointments if a.end > now), key=lambda a: (a.start, a.id))


def past_by_month(appointments: Iterable[Appointment], now: datetime) -> list[tuple[date, list[Appointment]]]:
    """Those that are over, by the month they began in (the first of it), the newest month and,
    within it, the latest appointment first."""
    months: dict[date, list[Appointment]] = {}
    for appointment in sorted((a for a in appointments if a.end <= now), key=lambda a: (a.start, a.id),
                              reverse=True):
        start = appointment.start.astimezone(BERLIN)
        months.setdefault(date(start.year, start.month, 1), []).append(appointment)
    return list(months.items())


def next_days(appointments: Iterable[Appointment], now: datetime, days: int) -> list[tuple[date, list[Appointment]]]:
    """Appointments of today and the following days (`days` in all) that are not over, by day;
    one that began before today and still runs is listed under today."""
    today = now.astimezone(BERLIN).date()
    last = today + timedelta(days=days - 1)
    grouped: dict[date, list[Appointment]] = {}
    for appointment in upcoming(appointments, now):
        day = max(appointment.start.astimezone(BERLIN).date(), today)
        if day <= last:
            grouped.setdefault(day, []).append(appointment)
    return list(grouped.items())


def day_text(day: date) -> str:
    """'Montag, 30. November 2026'."""
    return f"{WEEKDAYS[day.weekday()]}, {german_date(day)}"


def start_text(appointment: Appointment) -> str:
    """'Montag, 30. November 2026, 11:00 Uhr'."""
    start = appointment.start.astimezone(BERLIN)
    return f"{WEEKDAYS[start.weekday()]}, {german_datetime(start)}"


def end_text(appointment: Appointment) -> str:
    """'12:30 Uhr' on the day it began, else with its date: what follows „bis“."""
    start, end = appointment.start.astimezone(BERLIN), appointment.end.astimezone(BERLIN)
    return f"{end:%H:%M} Uhr" if end.date() == start.date() else german_datetime(end)
