"""Appointments mailed to the press: the invitation („Einladung an die Medien“), then a mail for each
change of time, place or status (a cancellation among them), each exactly once.

Each mail is a send of its own in the record of sends, planned, approved, claimed and sent like a
story's: the invitation under the key `termin-<id>`, the changes under `termin-<id>.<n>` (n = 1, 2, …;
the dot cannot occur in an id, so no appointment's key can be another's). The claim records the
mail's version, a digest of start, end, place and status (`mail_version`); a change mail is due when
the last mail went out and the appointment's version is no longer the one it recorded. Another text
or Thema sends nothing; a planned appointment sends nothing, nor does one that is over, nor a
cancellation of one that was never announced.

A mail card carries what the publish run and the desk need (newsroom/publishing/plan.py,
newsroom/desk/gate.py): the key as its id, the file and its sha256 (the version an approval names),
its title and the commit time of that version as the time it falls due.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape

from newsroom.appointments.model import Appointment
from newsroom.appointments.revisions import Revision
from newsroom.appointments.schedule import end_text, start_text
from newsroom.content.links import resolve_links
from newsroom.content.story import Story
from newsroom.dates import BERLIN
from newsroom.publishing.channel import Release
from newsroom.publishing.records import SENT, UNCLEAR, Receipt
from newsroom.site import SiteUrls

PREFIX = "termin-"
CHANNEL = "press"
INVITATION, CHANGE, CANCELLATION = "invitation", "change", "cancellation"
HEADINGS = {INVITATION: "Einladung an die Medien", CHANGE: "Terminänderung", CANCELLATION: "Abgesagt"}


def mail_version(appointment: Appointment) -> str:
    """What a mail is about: when, where and whether it takes place (sha256, hex)."""
    place = appointment.place
    data = [appointment.start.isoformat(), appointment.end.isoformat(), place.address, place.meeting_point,
            appointment.status]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class MailCard:
    """One mail of an appointment, as the publish run plans it (the fields of a story's card it reads)."""

    id: str  # the mail's key in the record of sends
    source: str
    digest: str  # sha256 of the appointment file: the version an approval names
    title: str
    ts: float  # when it falls due: the commit of this version
    status: str  # "published", or "planned" while the appointment is
    kind: str
    version: str
    appointment: Appointment
    channels: tuple[str, ...] = (CHANNEL,)
    embargo_ts: float | None = None
    former_ids: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.id

    @property
    def claim_detail(self) -> dict:
        """Recorded with the claim: the version this mail announces."""
        return {"version": self.version}


class AppointmentMails:
    """The press appointments' mails (BuildContext.offer_sendables): cards for the plan, releases to send."""

    def __init__(self, appointments: list[Appointment], revisions: dict[str, Revision], settings: dict,
                 story_url: Callable[[str], str], now: datetime,
                 media_shown: Callable[[str, str], str | None] | None = None):
        """`media_shown(path, source)`: the medium a text shows for a reference (MediaLibrary.shown_path)."""
        self.appointments = [a for a in appointments if CHANNEL in a.channels and a.end > now]
        self.revisions = revisions
        self.settings = settings
        self.story_url = story_url
        self.media_shown = media_shown
        self.urls = SiteUrls.from_settings(settings)

    def cards(self, receipt: Callable[[str], Receipt | None], recorded: set[str]) -> list[MailCard]:
        """The mail of each appointment that is due or was the last one sent, per the record."""
        recorded = {key for key in recorded if key.startswith(PREFIX)}  # once, not per appointment (100,000 keys)
        found = (self._card(a, receipt, recorded) for a in self.appointments)
        return [card for card in found if card is not None]

    def find(self, name: str, receipt: Callable[[str], Receipt | None], recorded: set[str]) -> MailCard | None:
        """The current mail of the appointment with this id, or the mail with this key."""
        return next((c for c in self.cards(receipt, recorded) if name in (c.id, c.appointment.id)), None)

    def _card(self, appointment: Appointment, receipt, recorded: set[str]) -> MailCard | None:
        changed = self.revisions.get(appointment.source, Revision()).changed
        if changed is None:
            return None  # not committed: nothing is sent from a checkout alone
        base = PREFIX + appointment.id
        numbers = [int(key[len(base) + 1:]) for key in recorded
                   if key.startswith(base + ".") and key[len(base) + 1:].isdigit()]
        last = f"{base}.{max(numbers)}" if numbers else base if base in recorded else None
        version = mail_version(appointment)
        kind = CANCELLATION if appointment.cancelled else CHANGE
        if last is None:
            if appointment.cancelled:
                return None  # never announced: nobody to tell
            key, kind = base, INVITATION
        else:
            found = receipt(last)
            record = found.get(CHANNEL) if found else None
            done = record is not None and record.status in (SENT, UNCLEAR)
            if not done or record.detail.get("version") == version:
                key = last  # still going out, or nothing new to tell
                kind = INVITATION if last == base else kind
            else:
                key = f"{base}.{max(numbers, default=0) + 1}"
        return MailCard(key, appointment.source, appointment.content_hash,
                        f"{HEADINGS[kind]}: {appointment.title}", changed.timestamp(),
                        "planned" if appointment.status == "planned" else "published", kind, version, appointment)

    def release(self, card: MailCard) -> Release:
        """The mail as the press channel renders it: a story-shaped text with every detail."""
        a = card.appointment
        when = f"{start_text(a)} bis {end_text(a)}"
        where = a.place.address
        if card.kind == CANCELLATION:
            summary = f"Der Termin am {start_text(a)} ({where}) findet nicht statt."
            lead = "Der folgende Termin ist abgesagt."
        elif card.kind == CHANGE:
            summary = f"Neu: {when}, {where}."
            lead = "Bitte beachten Sie die geänderten Angaben zu diesem Termin."
        else:
            summary = f"{when}, {where}."
            lead = f"Die {self.settings['SITE_SHORTNAME']} lädt Sie zu diesem Termin ein."
        page = self.urls.absolute(a.url)
        calendar = self.urls.absolute(self.settings["APPOINTMENTS_CALENDAR"])
        rows = [("Termin", a.title), ("Wann", when), ("Wo", where), ("Treffpunkt", a.place.meeting_point),
                ("Thema", a.topic), ("Akkreditierung", " ".join(a.accreditation.split()) if a.accreditation else None)]
        body = [f"<p>{escape(lead)}</p>"]
        body += [f"<p><strong>{label}:</strong> {escape(value)}</p>" for label, value in rows if value]
        if a.body_html and card.kind != CANCELLATION:
            shown = self.media_shown
            body.append(resolve_links(a.body_html, self.urls, self.story_url, absolute=True,
                                      media_shown=(lambda path: shown(path, a.source)) if shown else None))
        body.append(f'<p>Der Termin im Internet: <a href="{escape(page)}">{escape(page)}</a><br>'
                    f'Alle Termine für den Kalender: <a href="{escape(calendar)}">{escape(calendar)}</a></p>')
        story = Story(source=a.source, id=card.id, title=card.title, date=datetime.fromtimestamp(card.ts, BERLIN),
                      status="published", summary=summary, category=a.topic, department="", districts=(), tags=(),
                      contact=a.contact, slug=a.slug, content_hash=a.content_hash, url=a.url)
        return Release(story, page, "\n".join(body), link_label="Der Termin im Internet")
