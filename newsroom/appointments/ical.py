"""The press appointments as one iCalendar file (RFC 5545) to subscribe to.

One VEVENT per appointment, sorted by start and id. The UID comes from the appointment's id and
the site's domain, so a subscriber's calendar updates an event instead of adding it twice; times
carry TZID=Europe/Berlin with a VTIMEZONE for it; SEQUENCE, DTSTAMP and LAST-MODIFIED come from
git (newsroom.appointments.revisions). Nothing reads a clock: the same appointments and history
give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from urllib.parse import urlsplit

from newsroom.appointments.model import Appointment
from newsroom.appointments.revisions import Revision
from newsroom.dates import BERLIN

PRODID = "-//Landeshauptstadt Düsseldorf//Newsroom Medientermine//DE"
ICAL_STATUS = {"planned": "TENTATIVE", "confirmed": "CONFIRMED", "cancelled": "CANCELLED"}


def uid_domain(siteurl: str) -> str:
    """'https://www.duesseldorf.de' → 'termine.duesseldorf.de' (the right-hand side of every UID)."""
    host = (urlsplit(siteurl).hostname or "localhost").lower()
    return "termine." + host.removeprefix("www.")


def description(appointment: Appointment, story_url: str | None) -> str:
    """The event's plain text: Thema, meeting point, accreditation, contact, related story."""
    contact = appointment.contact
    reach = ", ".join(part for part in (contact.name, contact.phone and f"Telefon {contact.phone}",
                                        contact.email and f"E-Mail {contact.email}") if part)
    lines = [f"Thema: {appointment.topic}"]
    if appointment.cancelled:
        lines.insert(0, "Dieser Termin ist abgesagt.")
    elif appointment.status == "planned":
        lines.insert(0, "Dieser Termin ist geplant, aber noch nicht bestätigt.")
    if appointment.place.meeting_point:
        lines.append(f"Treffpunkt: {appointment.place.meeting_point}")
    if appointment.accreditation:
        lines.append(f"Akkreditierung: {' '.join(appointment.accreditation.split())}")
    lines.append(f"Kontakt für Rückfragen: {reach}")
    if story_url:
        lines.append(f"Zur Meldung: {story_url}")
    return "\n".join(lines)


def _when(moment: datetime) -> datetime:
    """Berlin time with its TZID; a time given with an offset of its own (the repeated hour in
    October, newsroom.dates) in UTC, which names the instant without a TZID."""
    return moment if getattr(moment.tzinfo, "key", None) == BERLIN.key else moment.astimezone(timezone.utc)


def calendar(appointments: list[Appointment], revisions: dict[str, Revision], *, name: str, about: str,
             page_url: Callable[[Appointment], str], story_url: Callable[[Appointment], str | None],
             domain: str, undated: datetime) -> bytes:
    """The calendar's bytes; `undated` stands in for the time of a file git does not know."""
    from icalendar import Calendar, Event  # only when the calendar is drawn

    ical = Calendar()
    ical.add("prodid", PRODID)
    ical.add("version", "2.0")
    ical.add("calscale", "GREGORIAN")
    ical.add("method", "PUBLISH")
    ical.add("x-wr-calname", name)
    ical.add("x-wr-caldesc", about)
    ical.add("x-wr-timezone", "Europe/Berlin")
    for appointment in sorted(appointments, key=lambda a: (a.start, a.id)):
        revision = revisions.get(appointment.source, Revision())
        event = Event()
        event.add("uid", f"{appointment.id}@{domain}")
        event.add("dtstamp", (revision.changed or undated).astimezone(timezone.utc))
        if revision.created:
            event.add("created", revision.created.astimezone(timezone.utc))
        if revision.changed:
            event.add("last-modified", revision.changed.astimezone(timezone.utc))
        event.add("sequence", revision.sequence)
        event.add("dtstart", _when(appointment.start))
        event.add("dtend", _when(appointment.end))
        event.add("status", ICAL_STATUS[appointment.status])
        event.add("summary", ("Abgesagt: " if appointment.cancelled else "") + appointment.title)
        event.add("location", appointment.place.address)
        event.add("description", description(appointment, story_url(appointment)))
        event.add("categories", [appointment.topic])
        event.add("url", page_url(appointment))
        ical.add_component(event)
    if appointments:
        # Observances from the first appointment's year to a year after the last one's: the same
        # appointments give the same VTIMEZONE.
        years = [a.start.astimezone(BERLIN).year for a in appointments] + \
                [a.end.astimezone(BERLIN).year for a in appointments]
        ical.add_missing_timezones(first_date=date(min(years), 1, 1), last_date=date(max(years) + 2, 1, 1))
    return ical.to_ical()
