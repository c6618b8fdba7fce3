"""content/krise.yml → a validated Crisis, or every problem at once (German, file, line, field).

The YAML is composed, never constructed, and typed field by field (newsroom/content/schema.py),
like a story's front matter: `title: no`, `start: 10:30`, aliases, tags and unknown fields are
errors that say what to write instead. The story it names must be published, its image and video
must be in the media library, its channels must be ones the publish run knows.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import yaml

from newsroom.content import frontmatter
from newsroom.content.schema import Fields, nearest
from newsroom.crisis.model import DEFAULT_ALL_CLEAR, LEVELS, Crisis, CrisisUpdate
from newsroom.errors import ContentError, ContentErrors, OutsidePath
from newsroom.paths import resolve_inside, symlink_error

CRISIS_FIELDS = {"id", "level", "title", "text", "start", "end", "all_clear", "story", "channels", "image",
                 "video", "updates", "urgent"}
UPDATE_FIELDS = {"date", "text"}
ID_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])")
ID_HINT = "Erlaubt: 3–64 Zeichen a–z, 0–9 und Bindestrich, nicht am Anfang oder Ende."
TITLE_MAX = 90
TEXT_MAX = 500
MAX_UPDATES = 100
MAX_BYTES = 64_000  # the message is short; a larger file is a mistake (or an attack on the build)


def read_crisis(raw: bytes, source: str, *, channels: tuple[str, ...], stories: Mapping | None = None,
                media=None, now: datetime | None = None) -> Crisis:
    """Parse and validate the crisis file; raises ContentErrors with every problem found.

    `channels`: the names the publish run knows (CHANNELS). `stories`: id → story card of the
    archive (the story must exist and be published by `now`); `media`: the MediaLibrary. Left out,
    those references are not checked (the caller has no archive)."""
    errors: list[ContentError] = []
    if len(raw) > MAX_BYTES:
        raise ContentErrors([ContentError(source, f"Die Datei ist {frontmatter.byte_count(len(raw))} groß; erlaubt "
                                                  f"sind höchstens {frontmatter.byte_count(MAX_BYTES)}.", line=1)])
    try:
        text = frontmatter.decode(raw, source)
    except ContentError as exc:
        raise ContentErrors([exc]) from None
    lines = text.split("\n")
    _report_characters(text, source, lines, errors)
    readable = frontmatter.FORBIDDEN_CHARACTERS.sub(" ", text)  # reported above; the rest is still read
    try:
        node = frontmatter.compose(readable, source)
    except ContentError as exc:
        raise ContentErrors([*errors, exc]) from None
    if node is None:
        raise ContentErrors([*errors, ContentError(source, "Die Datei ist leer. Ohne Lage bitte die Datei löschen.",
                                                   line=1)])
    if not isinstance(node, yaml.MappingNode):
        raise ContentErrors([*errors, ContentError(source, "Die Datei muss aus Feldern der Form „name: wert“ "
                                                           "bestehen.", line=1)])
    fields = Fields(node, source, CRISIS_FIELDS, errors, line_offset=0, lines=tuple(lines))
    crisis_id = fields.text("id", pattern=ID_PATTERN, pattern_hint=ID_HINT)
    level = fields.choice("level", list(LEVELS))
    title = fields.text("title", max_length=TITLE_MAX)
    message = _paragraph(fields.text("text", max_length=TEXT_MAX, single_line=False))
    start = fields.datetime("start")
    end = fields.datetime("end", required=False)
    all_clear = _paragraph(fields.text("all_clear", required=False, max_length=TEXT_MAX, single_line=False))
    story = fields.text("story", required=False, max_length=64)
    chosen = _channels(fields, channels)
    image = fields.text("image", required=False, max_length=300)
    video = fields.text("video", required=False, max_length=300)
    updates = _updates(fields, start, end)
    if fields.has("urgent"):
        fields.error("Die Begründung für eine eilige Freigabe steht nicht in der Datei: bitte "
                     f"„invoke approve krise-{crisis_id or '<id>'} --urgent \"Grund\"“.", fields.nodes["urgent"],
                     "urgent")
    if start and end and end <= start:
        fields.error(f"Das Ende ({end:%d.%m.%Y %H:%M}) liegt nicht nach dem Beginn ({start:%d.%m.%Y %H:%M}).",
                     fields.nodes["end"], "end")
    if message and title and message == title:
        fields.error("Der Text wiederholt nur die Überschrift; bitte sagen, was die Menschen tun sollen.",
                     fields.nodes["text"], "text")
    story_card = _story(fields, story, stories, now) if story and stories is not None else None
    if media is not None:
        _media(fields, image, media, "image", "photo", "Foto")
        _media(fields, video, media, "video", "video", "Video (Datei)")
    if errors:
        raise ContentErrors(errors)
    return Crisis(
        id=crisis_id, level=level, title=title, text=message, start=start, end=end,
        all_clear=all_clear or DEFAULT_ALL_CLEAR, story=story, channels=chosen, image=image, video=video,
        updates=updates, source=source, digest=hashlib.sha256(raw).hexdigest(),
        story_url=story_card.url if story_card is not None else "",
        story_title=story_card.title if story_card is not None else "",
    )


def _paragraph(text: str | None) -> str | None:
    """Plain text in one paragraph: YAML's folded lines and double spaces become single spaces."""
    return " ".join(text.split()) if text else text


def _report_characters(text: str, source: str, lines: list[str], errors: list[ContentError]) -> None:
    """Every line with a control character XML forbids (invisible and direction characters inside
    a value are named by the schema, with the field)."""
    seen = set()
    for match in frontmatter.FORBIDDEN_CHARACTERS.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if line not in seen:
            seen.add(line)
            errors.append(ContentError(source, f"Unsichtbares Steuerzeichen U+{ord(match.group()):04X} gefunden; "
                                               "bitte entfernen.", line=line, field=_field_at(lines, line)))


_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def _field_at(lines: list[str], line: int) -> str | None:
    for index in range(min(line, len(lines)) - 1, -1, -1):
        match = _TOP_KEY.match(lines[index])
        if match:
            return match.group(1)
    return None


def _channels(fields: Fields, known: tuple[str, ...]) -> tuple[str, ...]:
    """A list of channel names, each one the publish run knows (CHANNELS), in the settings' order."""
    names = fields.text_list("channels", required=True, max_length=40)
    node = fields.nodes.get("channels")
    for name in names:
        if name not in known:
            hint = nearest(name, list(known))
            suggestion = f" Meinten Sie „{hint}“?" if hint else ""
            fields.error(f"Den Kanal „{name}“ gibt es nicht.{suggestion} Erlaubt: {', '.join(known)}.", node,
                         "channels")
    if node is not None and not names and not any(e.field == "channels" for e in fields.errors):
        fields.error("Bitte mindestens einen Kanal nennen, zum Beispiel [press, buerger].", node, "channels")
    return tuple(name for name in known if name in names)


def _updates(fields: Fields, start: datetime | None, end: datetime | None) -> tuple[CrisisUpdate, ...]:
    found: list[CrisisUpdate] = []
    keys: dict[str, int] = {}
    for entry in fields.mapping_list("updates", UPDATE_FIELDS, max_items=MAX_UPDATES):
        date = entry.datetime("date")
        text = _paragraph(entry.text("text", max_length=TEXT_MAX, single_line=False))
        if date is None or text is None:
            continue
        node = entry.nodes["date"]
        key = date.strftime("%Y%m%d%H%M")
        if start and date < start:
            entry.error(f"Die Aktualisierung ({date:%d.%m.%Y %H:%M}) liegt vor dem Beginn der Lage "
                        f"({start:%d.%m.%Y %H:%M}).", node, "date")
        elif end and date >= end:
            entry.error(f"Die Aktualisierung ({date:%d.%m.%Y %H:%M}) liegt nicht vor dem Ende der Lage "
                        f"({end:%d.%m.%Y %H:%M}); sie würde nie gezeigt.", node, "date")
        elif key in keys:
            entry.error(f"Zwei Aktualisierungen haben dieselbe Minute ({date:%d.%m.%Y %H:%M}, wie Nummer "
                        f"{keys[key]}); jede braucht ihren eigenen Zeitpunkt.", node, "date")
        else:
            keys[key] = int(entry.prefix.split("[", 1)[1].split("]", 1)[0])
            found.append(CrisisUpdate(date, text, key))
    return tuple(sorted(found, key=lambda update: update.date))


def _story(fields: Fields, story: str, stories: Mapping, now: datetime | None):
    """The card of the published story the message links to, or None with an error."""
    node = fields.nodes["story"]
    card = stories.get(story)
    if card is None:
        renamed = next((c for c in stories.values() if story in c.former_ids), None)
        if renamed is not None:
            fields.error(f"Die Meldung „{story}“ heißt jetzt „{renamed.id}“; bitte die neue id eintragen.", node,
                         "story")
        else:
            fields.error(f"Eine Meldung mit der id „{story}“ gibt es nicht (id aus dem Kopfbereich der Meldung).",
                         node, "story")
        return None
    if card.status != "published":
        fields.error(f"Die Meldung „{story}“ ist nicht veröffentlicht (status: {card.status}); die Lage darf nur "
                     "auf eine erschienene Meldung verweisen.", node, "story")
        return None
    if now is not None and card.ts > now.timestamp():
        fields.error(f"Die Meldung „{story}“ erscheint erst am {card.date:%d.%m.%Y um %H:%M} Uhr; bis dahin führte "
                     "der Verweis ins Leere.", node, "story")
        return None
    return card


def _media(fields: Fields, reference: str | None, media, name: str, kind: str, label: str) -> None:
    if not reference:
        return
    node = fields.nodes[name]
    line = node.start_mark.line + 1
    try:
        item = media.get(reference, source=fields.path, line=line, field=name)
    except ContentError as exc:
        fields.errors.append(exc)
        return
    except ContentErrors as exc:
        fields.errors.extend(exc.errors)
        return
    if item.kind != kind:
        fields.error(f"„{reference}“ ist kein {label} aus der Mediathek.", node, name)


def crisis_path(settings: dict) -> tuple[Path, str]:
    """The crisis file (CRISIS_FILE, relative to the project folder, which holds PATH) and how errors show it."""
    content = Path(settings["PATH"])
    root = content.parent
    path = Path(settings["CRISIS_FILE"])
    path = path if path.is_absolute() else root / path
    return path, os.path.relpath(path, root).replace(os.sep, "/")


def load_crisis(settings: dict, archive, media, errors: list[ContentError], now: datetime) -> Crisis | None:
    """The build's crisis (None without a file); problems go to `errors`, so the build fails and
    the last good site stays. The file must be a regular file inside content/, not a link."""
    path, shown = crisis_path(settings)
    content = Path(settings["PATH"])
    relative = os.path.relpath(os.path.normpath(path), os.path.normpath(content))
    if path.is_symlink():  # the same error as the scan of content/ gives: reported once
        errors.append(symlink_error(str(path), shown))
        return None
    try:
        if relative == ".." or relative.startswith(".." + os.sep) or os.path.isabs(relative):
            raise OutsidePath(f"„{settings['CRISIS_FILE']}“ liegt nicht in {content.name}/.")
        resolve_inside(content, relative.replace(os.sep, "/"), base_label=f"{content.name}/")
    except OutsidePath as exc:
        errors.append(ContentError(shown, f"Die Krisenmeldung (Einstellung CRISIS_FILE) wird nicht gelesen: {exc}"))
        return None
    if not path.exists():
        return None
    if not path.is_file():
        errors.append(ContentError(shown, "Die Krisenmeldung muss eine Datei sein, kein Ordner."))
        return None
    try:
        return read_crisis(path.read_bytes(), shown, channels=tuple(settings["CHANNELS"]),
                           stories=archive.by_id if archive is not None else None, media=media, now=now)
    except ContentErrors as exc:
        errors.extend(exc.errors)
        return None
