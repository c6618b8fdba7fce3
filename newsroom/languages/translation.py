"""One translated story: a file `<name>.<code>.md` beside its German original, linked to it by
`translation_of: <id>`. Its own title, summary, text and picture texts; Thema, Amt, districts,
date and picture come from the original. It may choose channels of its own (`channels`, as a German
story does, own texts included): its posts go out in its language, recorded apart from the German
ones (newsroom/languages/sends.py). The channels whose texts are German only (the press release,
the citizens' e-mail alerts) and those that would upload the original's video or picture again are
an error there (ORIGINAL_ONLY); a translation without `channels` sends nothing."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import yaml

from newsroom.content import frontmatter
from newsroom.content.reader import ID_HINT, ID_PATTERN, SLUG_PATTERN, SUMMARY_MAX, TITLE_MAX, channel_choices
from newsroom.content.schema import Fields
from newsroom.content.slugs import slugify
from newsroom.content.story import ChannelChoice
from newsroom.errors import ContentError, ContentErrors

if TYPE_CHECKING:
    from newsroom.content.markup import BodyRenderer

# `2026-11-20-foo.en.md`: a language code of two or three letters before `.md`.
FILE_NAME = re.compile(r"\.([a-z]{2,3})\.md$")
FIELDS = {"translation_of", "title", "summary", "status", "slug", "image_alt", "image_caption", "channels"}
# Channels a translation does not choose, and why: those that speak German only (the Pressedienst's
# release, the citizens' e-mail alerts) and those that would upload the original's video or picture
# once more (YouTube, the Instagram Story, which shows the picture without text).
ORIGINAL_ONLY = {
    "press": "Die Pressemitteilung geht nur auf Deutsch hinaus",
    "buerger": "Die E-Mail an die Abonnenten geht nur auf Deutsch hinaus",
    "youtube": "Das Video lädt die deutsche Meldung hoch, ein zweites Mal nicht",
    "instagram_story": "Die Instagram-Story zeigt das Bild ohne Text; sie kommt mit der deutschen Meldung",
}
STATUSES = ("published", "draft")
ALT_MAX = 300
CAPTION_MAX = 500


def language_of(source: str) -> str | None:
    """The language code a file name carries ('x.en.md' → 'en'); None for a German story."""
    match = FILE_NAME.search(source[-8:])  # the end alone: this runs over every story file
    return match.group(1) if match else None


class TranslationCard(NamedTuple):
    """What lists, checks and signatures need of a translation (not its text)."""

    source: str
    digest: str  # sha256 of the file
    lang: str
    original: str  # the German story's id
    title: str
    summary: str
    slug: str
    status: str
    image_alt: str
    image_caption: str
    story_refs: tuple[str, ...]
    media_checks: tuple  # (media path, line, field) of the pictures in its text
    lines: tuple[tuple[str, int | None], ...]  # (field, line) for the archive's messages
    channels: tuple[str, ...] = ()  # the channels it chose; their own texts are in the file (Translation)


@dataclass(frozen=True)
class Translation:
    card: TranslationCard
    body_html: str  # with story:/media: placeholders, like Story.body_html
    channels: tuple[ChannelChoice, ...] = ()  # with the editor's own texts in the translation's language


def read_translation(raw: bytes, source: str, renderer: BodyRenderer, body_max: int,
                     channels: tuple[str, ...] = ()) -> Translation:
    """Parse one translation file; raises ContentErrors with every problem found. `channels`: the
    channels a story may choose (CHANNELS); those in ORIGINAL_ONLY are refused."""
    lang = language_of(source) or ""
    errors: list[ContentError] = []
    parts = frontmatter.split(raw, source, errors=errors)
    if parts.front is None:
        raise ContentErrors(errors or [ContentError(source, "Der Kopfbereich der Übersetzung fehlt.", line=1)])
    fields = Fields(parts.front, source, FIELDS, errors, lines=parts.front_lines)
    original = fields.text("translation_of", pattern=ID_PATTERN, pattern_hint=ID_HINT)
    title = fields.text("title", max_length=TITLE_MAX)
    summary = fields.text("summary", max_length=SUMMARY_MAX, single_line=False)
    status = fields.choice("status", list(STATUSES), required=False) or "published"
    slug = fields.text("slug", required=False, max_length=80, pattern=SLUG_PATTERN,
                       pattern_hint="Erlaubt: a–z, 0–9 und einzelne Bindestriche.")
    image_alt = fields.text("image_alt", required=False, max_length=ALT_MAX)
    image_caption = fields.text("image_caption", required=False, max_length=CAPTION_MAX, single_line=False)
    chosen = _channels(fields, channels, errors) if fields.has("channels") else ()
    if title and not slug and not slugify(title):
        errors.append(ContentError(source, "Aus dem Titel lässt sich keine Adresse bilden; bitte „slug“ angeben.",
                                   line=fields.line_of("title"), field="title"))
    body_bytes = len(parts.body.encode("utf-8"))
    if body_bytes > body_max:
        errors.append(ContentError(source, f"Der Text der Übersetzung ist {frontmatter.byte_count(body_bytes)} groß; "
                                   f"erlaubt sind höchstens {frontmatter.byte_count(body_max)} "
                                   "(STORY_BODY_MAX_BYTES).", line=parts.body_line))
    if not parts.body.strip():
        errors.append(ContentError(source, "Der Text der Übersetzung fehlt (unter dem Kopfbereich).",
                                   line=parts.body_line))
    body = renderer.render(parts.body if body_bytes <= body_max else "")
    errors.extend(ContentError(source, message, line=parts.body_line_of(needle)) for message, needle in body.problems)
    errors[:] = [e for e in errors if not (e.line is None and e.field in parts.unreadable)]
    if errors:
        raise ContentErrors(errors)
    media_checks = tuple((ref, parts.body_line_of(ref), None) for ref in dict.fromkeys(body.media_refs))
    lines = tuple((name, fields.line_of(name)) for name in ("translation_of", "slug", "title", "image_alt",
                                                            "image_caption", "channels"))
    card = TranslationCard(
        source, hashlib.sha256(raw).hexdigest(), lang, original, title, " ".join(summary.split()),
        slug or slugify(title), status, image_alt or "", image_caption or "",
        tuple(dict.fromkeys(body.story_refs)), media_checks, lines, tuple(c.name for c in chosen))
    return Translation(card, body.html, chosen)


def _channels(fields: Fields, known: tuple[str, ...], errors: list[ContentError]) -> tuple[ChannelChoice, ...]:
    """The channels chosen as a German story chooses them (none implied); one of ORIGINAL_ONLY is an error
    on its own line."""
    chosen = channel_choices(fields, list(known))
    node = fields.nodes["channels"]
    pairs = node.value if isinstance(node, yaml.MappingNode) else ()
    lines = {key.value: key.start_mark.line + 2 for key, _value in pairs if isinstance(key.value, str)}
    for choice in chosen:
        if choice.name in ORIGINAL_ONLY:
            errors.append(ContentError(fields.path, f"{ORIGINAL_ONLY[choice.name]}; eine Übersetzung wählt den Kanal "
                                       f"„{choice.name}“ nicht. Er gehört in die deutsche Meldung.",
                                       line=lines.get(choice.name, fields.line_of("channels")),
                                       field=f"channels.{choice.name}"))
    return tuple(c for c in chosen if c.name not in ORIGINAL_ONLY)
