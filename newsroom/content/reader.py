"""Reading one story file: bytes → validated Story, or every problem at once."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import yaml

from newsroom.content import frontmatter
from newsroom.content.amendments import read_changes, read_corrections, read_withdrawal
from newsroom.content.schema import Fields
from newsroom.content.slugs import slugify, tag_problem
from newsroom.content.story import DRAFT, PLANNED, STATUSES, ChannelChoice, Contact, Story
from newsroom.dates import parse_datetime
from newsroom.errors import ContentError, ContentErrors, StoryErrors
from newsroom.media.library import MediaLibrary

if TYPE_CHECKING:
    from newsroom.content.markup import BodyRenderer

STORY_FIELDS = {
    "id", "title", "date", "status", "summary", "category", "department", "districts",
    "tags", "image", "contact", "slug", "related", "embargo", "channels", "leichte_sprache", "former_ids",
    "owner", "target", "changes", "corrections", "withdrawal",
}
# A planned story (Themenplanung) needs only these; the rest is checked once it is written.
PLAN_FIELDS = ("id", "title", "status", "owner", "target")
OWNER_MAX = 120
CONTACT_FIELDS = {"name", "phone", "email"}
CHANNEL_FIELDS = {"text"}
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{5,63}")
ID_HINT = "Erlaubt: 6–64 Zeichen a–z, 0–9 und Bindestrich."
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)
TITLE_MAX = 200
SUMMARY_MAX = 300
CHANNEL_TEXT_MAX = 5000  # an own text for one channel; the channel's own limit is checked by its adapter
EASY_MAX = 10_000  # the Leichte Sprache version: Markdown, shown beside the standard text


# Bump when parsing or rendering changes what a Story holds: cached stories are re-read.
# 2: references to characters XML forbids (&#27;) are refused; 3: leichte_sprache; 4: former_ids;
# 5: invisible and direction characters, path-like tags and the size limits are refused
# 6: planned stories (owner, target); 7: changes, corrections, withdrawal
READER_VERSION = "7"


@dataclass(frozen=True)
class StoryLimits:
    """How large one story may be (settings STORY_…, newsroom/settings.py)."""

    body_bytes: int
    front_matter_bytes: int
    tags: int
    tag_length: int

    @classmethod
    def from_settings(cls, settings: dict) -> StoryLimits:
        return cls(settings["STORY_BODY_MAX_BYTES"], settings["STORY_FRONT_MATTER_MAX_BYTES"],
                   settings["STORY_MAX_TAGS"], settings["STORY_TAG_MAX_LENGTH"])


@dataclass(frozen=True)
class StoryVocabulary:
    """The settings a story is checked against while parsing."""

    themen: tuple[str, ...]
    aemter: tuple[str, ...]
    districts: int
    channels: tuple[str, ...]
    placeholders: tuple[tuple[str, str], ...]  # ("summary" | "body", the text `invoke new` puts there)
    district_names: tuple[str, ...]  # Stadtbezirk 1, 2, …: named in errors
    limits: StoryLimits
    # Channels every story published from a moment on goes to unless it says `name: false`:
    # (name, Unix time). The one place where a channel is chosen without the front matter naming it.
    implicit: tuple[tuple[str, float], ...] = ()

    @classmethod
    def from_settings(cls, settings: dict) -> StoryVocabulary:
        template = settings["NEW_STORY"]
        placeholders = tuple((part, template[part]) for part in ("summary", "body") if template.get(part))
        # Citizen alerts (plugins/alerts) match every story to the subscribers' Themen, Ämter and
        # Stadtbezirke, so from SUBSCRIPTIONS_ALERTS_SINCE on a story need not choose them.
        since = settings.get("SUBSCRIPTIONS_ALERTS_SINCE")
        if since not in (None, "") and not isinstance(since, datetime):
            since = parse_datetime(str(since))
        implicit = (("buerger", since.timestamp()),) if since and "buerger" in settings["CHANNELS"] else ()
        return cls(tuple(settings["THEMEN"]), tuple(settings["AEMTER"]), len(settings["STADTBEZIRKE"]),
                   tuple(settings["CHANNELS"]), placeholders,
                   tuple(settings["STADTBEZIRKE"][n] for n in sorted(settings["STADTBEZIRKE"])),
                   StoryLimits.from_settings(settings), implicit)

    def implied(self, date: datetime | None) -> tuple[str, ...]:
        """The channels a story of this time goes to without naming them."""
        return tuple(name for name, since in self.implicit if date is not None and date.timestamp() >= since)

    def fingerprint(self) -> str:
        """Identifies what a cached parse depended on: reader version and vocabularies."""
        return hashlib.sha256(repr((READER_VERSION, self)).encode()).hexdigest()[:16]


def check_media(source: str, media_checks, media: MediaLibrary) -> list[ContentError]:
    """The media a story refers to must exist with a valid sidecar (checked every build:
    the story may be cached while a media file changed)."""
    errors: list[ContentError] = []
    for reference, line, field in media_checks:
        try:
            media.get(reference, source=source, line=line, field=field)
        except ContentError as exc:
            errors.append(exc)
        except ContentErrors as exc:
            errors.extend(exc.errors)
    return errors


def read_story(raw: bytes, source: str, vocabulary: StoryVocabulary, renderer: BodyRenderer) -> Story:
    """Parse and validate one story file; raises ContentErrors with every problem found.

    Parsing is a pure function of the bytes and the vocabulary, so its result can be
    cached by content hash; the media it refers to are checked on every build by
    `check_media`, since a media file can change while the story does not.
    """
    limits = vocabulary.limits
    errors: list[ContentError] = []
    # Every problem, and what can still be read; a too large front matter is not read at all.
    parts = frontmatter.split(raw, source, errors=errors, max_front_bytes=limits.front_matter_bytes)
    body_bytes = len(parts.body.encode("utf-8"))
    if body_bytes > limits.body_bytes:  # refused before Markdown spends its time on it
        errors.append(ContentError(source, f"Der Text der Meldung ist {frontmatter.byte_count(body_bytes)} groß; "
                                   f"erlaubt sind höchstens {frontmatter.byte_count(limits.body_bytes)} "
                                   "(STORY_BODY_MAX_BYTES). Bitte kürzen "
                                   "oder auf mehrere Meldungen verteilen.", line=parts.body_line))
    if parts.front is None:  # no field can be read: the text is still checked
        if parts.body.strip() and body_bytes <= limits.body_bytes:
            body = renderer.render(parts.body)
            errors.extend(ContentError(source, message, line=parts.body_line_of(needle))
                          for message, needle in body.problems)
        raise ContentErrors(errors)
    fields = Fields(parts.front, source, STORY_FIELDS, errors, lines=parts.front_lines)
    if frontmatter.declared_status(raw) == PLANNED:
        return _read_plan(fields, parts, source, raw, vocabulary, renderer, errors)
    story_id = fields.text("id", pattern=ID_PATTERN, pattern_hint=ID_HINT)
    title = fields.text("title", max_length=TITLE_MAX)
    date = fields.datetime("date")
    status = fields.choice("status", list(STATUSES))
    summary = fields.text("summary", max_length=SUMMARY_MAX, single_line=False)
    category = fields.choice("category", vocabulary.themen)
    department = fields.choice("department", vocabulary.aemter)
    districts = fields.int_list("districts", minimum=1, maximum=vocabulary.districts,
                                labels=vocabulary.district_names)
    tags = _tags(fields, limits)
    slug = fields.text("slug", required=False, max_length=80, pattern=SLUG_PATTERN,
                       pattern_hint="Erlaubt: a–z, 0–9 und einzelne Bindestriche.")
    related = fields.text_list("related")
    former_ids = _former_ids(fields, story_id)
    embargo = fields.datetime("embargo", required=False)
    contact = read_contact(fields)
    channels = channel_choices(fields, vocabulary.channels, vocabulary.implied(date))
    image = fields.text("image", required=False)
    owner = fields.text("owner", required=False, max_length=OWNER_MAX)
    if fields.has("target"):
        fields.error("„target“ (Zieltermin) gilt nur für „status: planned“; sonst zählt „date“.",
                     fields.nodes["target"], "target")
    changes = read_changes(fields, date)
    corrections = read_corrections(fields, date)
    withdrawal = read_withdrawal(fields, status, date)
    if status == DRAFT and corrections:
        fields.error("Ein Entwurf ist nicht erschienen; es gibt nichts zu berichtigen. Bitte den Text selbst "
                     "ändern.", fields.nodes["corrections"], "corrections")
    if embargo and date and embargo > date:
        errors.append(ContentError(source, "Die Sperrfrist liegt nach der Veröffentlichung; sie muss davor liegen.",
                                   line=fields.line_of("embargo"), field="embargo"))
    if title and not slug and not slugify(title):
        errors.append(ContentError(source, "Aus dem Titel lässt sich keine Adresse bilden; bitte „slug“ angeben.",
                                   line=fields.line_of("title"), field="title"))

    if status in ("published", "withdrawn"):
        errors.extend(_placeholders(fields, parts, summary, vocabulary.placeholders))
    easy = _easy_version(fields, renderer)
    body = renderer.render(parts.body if body_bytes <= limits.body_bytes else "")
    for message, needle in body.problems:
        errors.append(ContentError(source, message, line=parts.body_line_of(needle)))
    if not parts.body.strip():
        errors.append(ContentError(source, "Der Text der Meldung fehlt (unter dem Kopfbereich).", line=parts.body_line))
    # A field YAML could not read is reported as such, not as missing as well.
    errors[:] = [e for e in errors if not (e.line is None and e.field in parts.unreadable)]
    media_checks = ([(image, fields.line_of("image"), "image")] if image else []) + [
        (reference, parts.body_line_of(reference), None) for reference in dict.fromkeys(body.media_refs)
    ] + [(reference, fields.line_of("leichte_sprache"), "leichte_sprache")
         for reference in dict.fromkeys(easy.media_refs if easy else ())]
    if errors:
        # The best reading of a broken story, for the checks that need a whole one (each channel's
        # post): their problems then come in the same round. Never published, never cached.
        if not (story_id and title and date and status and (slug or slugify(title))):
            raise StoryErrors(errors, media_checks)
        summary, contact = summary or "", contact or Contact(name="")
        category, department = category or _raw(fields, "category"), department or _raw(fields, "department")
    story = Story(
        source=source, id=story_id, title=title, date=date, status=status, summary=" ".join(summary.split()),
        category=category, department=department, districts=districts, tags=tags, contact=contact,
        slug=slug or slugify(title), image=image, related_ids=related, former_ids=former_ids, embargo=embargo,
        channels=channels, body_html=body.html, easy_html=easy.html if easy else "",
        story_refs=tuple(dict.fromkeys(body.story_refs + (easy.story_refs if easy else []))),
        media_refs=tuple(dict.fromkeys(body.media_refs + (easy.media_refs if easy else []))),
        content_hash=hashlib.sha256(raw).hexdigest(), media_checks=tuple(media_checks), owner=owner or "",
        changes=changes, corrections=corrections, withdrawal=withdrawal,
    )
    if errors:
        raise StoryErrors(errors, media_checks, provisional=story)
    return story


def _read_plan(fields: Fields, parts, source: str, raw: bytes, vocabulary: StoryVocabulary,
               renderer: BodyRenderer, errors: list[ContentError]) -> Story:
    """A planned story: title, owner, target date and intended channels are enough; whatever
    else is already written is checked as for any story, and nothing of it is ever built or sent."""
    story_id = fields.text("id", pattern=ID_PATTERN, pattern_hint=ID_HINT)
    title = fields.text("title", max_length=TITLE_MAX)
    status = fields.choice("status", list(STATUSES))
    owner = fields.text("owner", max_length=OWNER_MAX)
    target = fields.datetime("target", require_time=False)
    date = fields.datetime("date", required=False)
    summary = fields.text("summary", required=False, max_length=SUMMARY_MAX, single_line=False)
    category = fields.choice("category", vocabulary.themen, required=False)
    department = fields.choice("department", vocabulary.aemter, required=False)
    districts = fields.int_list("districts", minimum=1, maximum=vocabulary.districts,
                                labels=vocabulary.district_names)
    tags = _tags(fields, vocabulary.limits)
    slug = fields.text("slug", required=False, max_length=80, pattern=SLUG_PATTERN,
                       pattern_hint="Erlaubt: a–z, 0–9 und einzelne Bindestriche.")
    related = fields.text_list("related")
    embargo = fields.datetime("embargo", required=False)
    contact = read_contact(fields) if fields.has("contact") else None
    channels = channel_choices(fields, vocabulary.channels)
    image = fields.text("image", required=False)
    former_ids = _former_ids(fields, story_id)
    for name in ("changes", "corrections", "withdrawal"):
        if fields.has(name):
            fields.error(f"„{name}“ gilt erst für eine erschienene Meldung, nicht für eine geplante.",
                         fields.nodes[name], name)
    body = renderer.render(parts.body) if parts.body.strip() else None
    for message, needle in body.problems if body else ():
        errors.append(ContentError(source, message, line=parts.body_line_of(needle)))
    if title and not slug and not slugify(title):
        errors.append(ContentError(source, "Aus dem Titel lässt sich keine Adresse bilden; bitte „slug“ angeben.",
                                   line=fields.line_of("title"), field="title"))
    errors[:] = [e for e in errors if not (e.line is None and e.field in parts.unreadable)]
    if errors:
        raise StoryErrors(errors, ())
    return Story(
        source=source, id=story_id, title=title, date=date or target, status=status,
        summary=" ".join((summary or "").split()), category=category or "", department=department or "",
        districts=districts, tags=tags, contact=contact or Contact(name=""), slug=slug or slugify(title),
        image=image, related_ids=related, former_ids=former_ids, embargo=embargo, channels=channels,
        body_html=body.html if body else "", content_hash=hashlib.sha256(raw).hexdigest(), owner=owner,
    )


def _raw(fields: Fields, name: str) -> str:
    """A field's text as written, for the best reading of a broken story."""
    node = fields.nodes.get(name)
    return node.value.strip() if isinstance(node, yaml.ScalarNode) else ""


def _former_ids(fields: Fields, story_id: str | None) -> tuple[str, ...]:
    """Earlier ids of a renamed story (written by `invoke rename-id`), oldest first."""
    former = fields.text_list("former_ids")
    node = fields.nodes.get("former_ids")
    for value in former:
        if not ID_PATTERN.fullmatch(value):
            fields.error(f"„{value}“ ist keine gültige id (6–64 Zeichen a–z, 0–9 und Bindestrich).", node, "former_ids")
        elif value == story_id:
            fields.error(f"„{value}“ ist die jetzige id; hier stehen nur frühere.", node, "former_ids")
    return former


def _placeholders(fields: Fields, parts: frontmatter.SourceFile, summary: str | None,
                  placeholders: tuple[tuple[str, str], ...]) -> list[ContentError]:
    """A published story must not go out with the text `invoke new` put in as a placeholder."""
    errors = []
    for part, placeholder in placeholders:
        needle = " ".join(placeholder.split())
        if part == "summary" and summary and needle in " ".join(summary.split()):
            errors.append(ContentError(
                fields.path, f"Der Anreißer ist noch der Platzhalter aus „invoke new“ („{needle}“). Eine "
                "veröffentlichte Meldung braucht einen eigenen Anreißer.", line=fields.line_of("summary"),
                field="summary"))
        elif part == "body" and needle in " ".join(parts.body.split()):
            first = placeholder.strip().split("\n")[0]
            errors.append(ContentError(
                fields.path, f"Der Text der Meldung enthält noch den Platzhalter aus „invoke new“ („{needle}“). "
                "Bitte durch den eigenen Text ersetzen.", line=parts.body_line_of(first), field="body"))
    return errors


def _tags(fields: Fields, limits: StoryLimits) -> tuple[str, ...]:
    """Each tag gets a page schlagworte/<slug>/: it must have a slug, and there are not too many."""
    tags = fields.text_list("tags", max_length=limits.tag_length)
    node = fields.nodes.get("tags")
    for tag in tags:
        problem = tag_problem(tag)
        if problem:
            fields.error(problem, node, "tags")
    if len(tags) > limits.tags:
        fields.error(f"Die Meldung hat {len(tags)} Schlagworte; erlaubt sind höchstens {limits.tags} "
                     "(STORY_MAX_TAGS). Bitte die wichtigsten auswählen.", node, "tags")
    return tags




def _easy_version(fields: Fields, renderer: BodyRenderer):
    """The story in Leichte Sprache: Markdown like the body, its headings below the section's h2."""
    text = fields.text("leichte_sprache", required=False, max_length=EASY_MAX, single_line=False)
    if text is None:
        return None
    easy = renderer.render(text, top_level=3, line_breaks=True)
    easy.html = easy.html.replace(' id="', ' id="leichte-sprache-')  # the body may have the same headings
    for message, _needle in easy.problems:
        fields.error(message, fields.nodes["leichte_sprache"], "leichte_sprache")
    if not easy.problems and len(text.split()) < 10:
        fields.error("Die Fassung in Leichter Sprache ist zu kurz: bitte die ganze Meldung in Leichter Sprache "
                     "erzählen (oder das Feld weglassen).", fields.nodes["leichte_sprache"], "leichte_sprache")
    return easy


def read_contact(fields: Fields) -> Contact | None:
    """The `contact` group (name, and phone or e-mail): stories and press appointments alike."""
    group = fields.mapping("contact", CONTACT_FIELDS, required=True)
    if group is None:
        return None
    name = group.text("name", max_length=120)
    phone = group.text("phone", required=False, max_length=40)
    email = group.text("email", required=False, max_length=120, pattern=EMAIL_PATTERN,
                       pattern_hint="Erwartet wird eine E-Mail-Adresse wie presse@duesseldorf.de.")
    if not phone and not email and not any(e.field and e.field.startswith("contact.") for e in fields.errors):
        fields.error("Bitte Telefon (phone) oder E-Mail (email) für Rückfragen angeben.",
                     fields.nodes["contact"], "contact")
    return Contact(name=name, phone=phone, email=email) if name else None


def channel_choices(fields: Fields, known: list[str], implied: tuple[str, ...] = ()) -> tuple[ChannelChoice, ...]:
    """The channels the front matter chooses; those in `implied` unless it says `name: false`."""
    node = fields.nodes.get("channels")
    if node is None:
        return tuple(ChannelChoice(name) for name in known if name in implied)
    group = fields.mapping("channels", set(known))
    if group is None:
        return ()
    choices = []
    for name in known:  # settings order: stable across builds
        value = group.nodes.get(name)
        if value is None:
            if name in implied:
                choices.append(ChannelChoice(name))
            continue
        if isinstance(value, yaml.MappingNode):
            sub = group.mapping(name, CHANNEL_FIELDS)
            text = sub.text("text", required=False, max_length=CHANNEL_TEXT_MAX, single_line=False,
                            emoji_joiner=True) if sub else None  # a joiner inside an emoji is part of it
            choices.append(ChannelChoice(name, text))
        elif group.boolean(name):
            choices.append(ChannelChoice(name))
    return tuple(choices)
