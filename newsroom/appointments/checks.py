"""What no single appointment file can tell: unique ids and addresses, stories and media that exist."""

from __future__ import annotations

from datetime import datetime

from newsroom.appointments.model import Appointment
from newsroom.content.reader import check_media
from newsroom.content.story import DRAFT, PLANNED, UNPUBLISHED, WITHDRAWN
from newsroom.errors import ContentError

UNPUBLISHED_AS = {DRAFT: "ein Entwurf", PLANNED: "erst geplant"}


def check_appointments(appointments: list[Appointment], stories: dict, now: datetime, media,
                       errors: list[ContentError]) -> None:
    """`stories`: every story's card by id (drafts and plans too). The related story must exist and be
    neither a draft nor a plan (a scheduled one is linked once it is published); a story:<id> link in the text must
    lead to a published story, or it would run into nothing."""
    by_id: dict[str, Appointment] = {}
    by_url: dict[str, Appointment] = {}
    moment = now.timestamp()
    for appointment in appointments:
        source = appointment.source
        first = by_id.setdefault(appointment.id, appointment)
        if first is not appointment:
            errors.append(ContentError(source, f"Die id „{appointment.id}“ hat schon {first.source}. Jeder Termin "
                                               "braucht eine eigene id.", field="id"))
        first = by_url.setdefault(appointment.url, appointment)
        if first is not appointment:
            errors.append(ContentError(source, f"Die Adresse /{appointment.url} hätte auch {first.source}. Bitte "
                                               "eine der Dateien umbenennen."))
        if appointment.story_id:
            card = stories.get(appointment.story_id)
            if card is None:
                errors.append(ContentError(source, f"Meldung „{appointment.story_id}“: keine Meldung hat diese id.",
                                           line=appointment.story_line, field="story"))
            elif card.status in UNPUBLISHED:
                errors.append(ContentError(
                    source, f"Meldung „{appointment.story_id}“ ({card.source}) ist {UNPUBLISHED_AS[card.status]}; "
                    "verlinkt werden nur veröffentlichte Meldungen.", line=appointment.story_line, field="story"))
        for ref in appointment.story_refs:
            card = stories.get(ref)
            if card is None:
                errors.append(ContentError(source, f"Link story:„{ref}“: keine Meldung hat diese id."))
            # A withdrawn story's page stays at its address: the link still leads somewhere.
            elif not card.is_visible(moment) and not (card.status == WITHDRAWN and card.ts <= moment):
                errors.append(ContentError(source, f"Link story:„{ref}“ ({card.source}) ist noch nicht "
                                                   "veröffentlicht; der Link liefe ins Leere."))
        errors.extend(check_media(source, appointment.media_checks, media))
