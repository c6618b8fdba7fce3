"""Reading one appointment file: bytes → validated Appointment, or every problem at once.

The same strict front matter as a story's (composed, never constructed; typed, line-aware
fields), the same id rule, date parsing, contact group and Markdown body.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsroom.appointments.model import CHANNELS, DEFAULT_STATUS, STATUSES, Appointment, Place
from newsroom.content import frontmatter
from newsroom.content.reader import ID_HINT, ID_PATTERN, TITLE_MAX, StoryLimits, read_contact
from newsroom.content.schema import Fields, nearest
from newsroom.content.slugs import slugify
from newsroom.dates import german_datetime
from newsroom.errors import ContentError, ContentErrors

if TYPE_CHECKING:
    from newsroom.content.markup import BodyRenderer

APPOINTMENT_FIELDS = {"id", "title", "start", "end", "place", "topic", "contact", "accreditation", "story",
                      "status", "channels"}
PLACE_FIELDS = {"address", "meeting_point"}
ADDRESS_MAX = 200
MEETING_POINT_MAX = 300
ACCREDITATION_MAX = 1000
GERMAN_STATUSES = {label.casefold(): name for name, label in STATUSES.items()}  # "abgesagt" → "cancelled"
# Bump when reading changes what an Appointment holds: cached ones are read again.
READER_VERSION = "1"


@dataclass(frozen=True)
class AppointmentVocabulary:
    """The settings an appointment is checked against while reading."""

    themen: tuple[str, ...]
    limits: StoryLimits

    @classmethod
    def from_settings(cls, settings: dict) -> AppointmentVocabulary:
        return cls(tuple(settings["THEMEN"]), StoryLimits.from_settings(settings))

    def fingerprint(self) -> str:
        return "appointment-" + hashlib.sha256(repr((READER_VERSION, self)).encode()).hexdigest()[:16]


def read_appointment(raw: bytes, source: str, stem: str, vocabulary: AppointmentVocabulary,
                     renderer: BodyRenderer) -> Appointment:
    """Parse and validate one appointment file (`stem`: its file name without .md, which gives
    its address); raises ContentErrors with every problem found. A pure function of its
    arguments, so its result can be cached by content; links to stories and media are checked
    with the whole archive (newsroom.appointments.checks)."""
    limits = vocabulary.limits
    errors: list[ContentError] = []
    parts = frontmatter.split(raw, source, errors=errors, max_front_bytes=limits.front_matter_bytes)
    body_bytes = len(parts.body.encode("utf-8"))
    if body_bytes > limits.body_bytes:
        errors.append(ContentError(source, f"Der Text des Termins ist {frontmatter.byte_count(body_bytes)} groß; "
                                   f"erlaubt sind höchstens {frontmatter.byte_count(limits.body_bytes)} "
                                   "(STORY_BODY_MAX_BYTES). Bitte kürzen.", line=parts.body_line))
    if parts.front is None:
        raise ContentErrors(errors)
    fields = Fields(parts.front, source, APPOINTMENT_FIELDS, errors, lines=parts.front_lines)
    appointment_id = fields.text("id", pattern=ID_PATTERN, pattern_hint=ID_HINT)
    title = fields.text("title", max_length=TITLE_MAX)
    start = fields.datetime("start")
    end = fields.datetime("end")
    place = _place(fields)
    topic = fields.choice("topic", list(vocabulary.themen))
    contact = read_contact(fields)
    accreditation = fields.text("accreditation", required=False, max_length=ACCREDITATION_MAX, single_line=False)
    story_id = fields.text("story", required=False, pattern=ID_PATTERN, pattern_hint=ID_HINT)
    status = _status(fields)
    channels = _channels(fields)
    if start and end and end <= start:
        fields.error(f"Das Ende ({german_datetime(end)}) liegt nicht nach dem Beginn ({german_datetime(start)}).",
                     fields.nodes["end"], "end")
    slug = slugify(stem)
    if not slug:
        errors.append(ContentError(source, f"Aus dem Dateinamen „{stem}“ lässt sich keine Adresse bilden; bitte die "
                                           "Datei umbenennen (a–z, 0–9 und Bindestriche, z. B. ratssitzung.md)."))
    body = None
    if parts.body.strip() and body_bytes <= limits.body_bytes:
        body = renderer.render(parts.body)
        errors.extend(ContentError(source, message, line=parts.body_line_of(needle))
                      for message, needle in body.problems)
    # A field YAML could not read is reported as such, not as missing as well.
    errors[:] = [e for e in errors if not (e.line is None and e.field in parts.unreadable)]
    if errors:
        raise ContentErrors(errors)
    return Appointment(
        source=source, id=appointment_id, title=title, start=start, end=end, place=place, topic=topic,
        contact=contact, slug=slug, status=status, accreditation=accreditation, story_id=story_id,
        story_line=fields.line_of("story"), channels=channels, body_html=body.html if body else "",
        story_refs=tuple(dict.fromkeys(body.story_refs)) if body else (),
        media_checks=tuple((ref, parts.body_line_of(ref), None) for ref in dict.fromkeys(body.media_refs))
        if body else (),
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


def _status(fields: Fields) -> str:
    """planned, confirmed (without the field) or cancelled; the German word an editor may write
    instead is named in the error."""
    status = fields.text("status", required=False)
    if status is None or status in STATUSES:
        return status or DEFAULT_STATUS
    hint = GERMAN_STATUSES.get(status.casefold()) or nearest(status, list(STATUSES))
    suggestion = f" Meinten Sie „{hint}“?" if hint else ""
    allowed = ", ".join(f"{name} ({label.lower()})" for name, label in STATUSES.items())
    fields.error(f"„{status}“ ist nicht erlaubt.{suggestion} Erlaubt: {allowed}.", fields.nodes["status"], "status")
    return DEFAULT_STATUS


def _place(fields: Fields) -> Place | None:
    group = fields.mapping("place", PLACE_FIELDS, required=True)
    if group is None:
        return None
    address = group.text("address", max_length=ADDRESS_MAX)
    meeting_point = group.text("meeting_point", required=False, max_length=MEETING_POINT_MAX)
    return Place(address, meeting_point) if address else None


def _channels(fields: Fields) -> tuple[str, ...]:
    """`channels: {press: true}`: read and checked here; sending it is not this package's work."""
    group = fields.mapping("channels", set(CHANNELS))
    if group is None:
        return ()
    return tuple(name for name in CHANNELS if group.boolean(name))
