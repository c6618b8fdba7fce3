"""Every appointment file below content/termine: read (or taken from the parse cache by content),
placed at its address, every problem collected."""

from __future__ import annotations

import hashlib
from pathlib import Path

from newsroom.appointments.model import Appointment
from newsroom.appointments.reader import AppointmentVocabulary, read_appointment
from newsroom.content.loader import scan
from newsroom.dates import BERLIN
from newsroom.errors import ContentError, ContentErrors
from newsroom.paths import symlink_error


def address(base: str, appointment: Appointment) -> str:
    """'presse/termine/' → 'presse/termine/2026/ratssitzung/' (the year of its start)."""
    return f"{base}{appointment.start.astimezone(BERLIN).year}/{appointment.slug}/"


def load_appointments(root: Path, display_root: Path, settings: dict, cache,
                      errors: list[ContentError]) -> list[Appointment]:
    """The valid appointments, sorted by start and id; problems go to `errors`. Symbolic links are
    never read (newsroom.paths); `display_root` is what sources are relative to."""
    vocabulary = AppointmentVocabulary.from_settings(settings)
    key = vocabulary.fingerprint()
    base = settings["APPOINTMENTS_URL"]
    files = []
    for source, path, mtime, *_stat in scan(root, display_root):
        if mtime is None:
            errors.append(symlink_error(path, source))
        else:
            files.append((source, Path(path)))
    raws = {source: path.read_bytes() for source, path in files}
    digests = {source: hashlib.sha256(raw + b"\0" + source.encode()).hexdigest() for source, raw in raws.items()}
    cached = cache.stories(sorted(digests.values()), key)
    renderer, parsed, found = None, {}, []
    for source, path in files:
        appointment = cached.get(digests[source])
        if appointment is None:
            if renderer is None:
                from newsroom.content.markup import BodyRenderer  # Markdown only when a file changed

                renderer = BodyRenderer()
            try:
                appointment = read_appointment(raws[source], source, path.stem, vocabulary, renderer)
            except ContentErrors as exc:
                errors.extend(exc.errors)
                continue
            parsed[digests[source]] = appointment
        found.append(appointment.placed(source, address(base, appointment)))
    cache.save_stories(parsed, key)
    return sorted(found, key=lambda a: (a.start, a.id))
