"""`invoke new`: a valid story file with a fresh id, ready for the editor to fill in."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

from .dates import BERLIN, DateParseError, parse_datetime
from .errors import NewsroomError
from .frontmatter import find_control_character
from .slugs import slugify
from .story import STATUSES


def new_id() -> str:
    """12 hex characters with at least one letter, so YAML never reads it as a number."""
    while True:
        candidate = uuid.uuid4().hex[:12]
        if not candidate.isdigit():
            return candidate


def _quoted(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: safe for any title.
    return json.dumps(value, ensure_ascii=False)


def create(settings: dict, *, title: str, date: str | None = None, status: str = "draft",
           category: str | None = None) -> Path:
    title = " ".join((title or "").split())
    if not title:
        raise NewsroomError("Bitte einen Titel angeben: invoke new --title \"…\"")
    if title.startswith("-"):
        raise NewsroomError(f"Der Titel „{title}“ beginnt mit einem Bindestrich; Hilfe gibt es mit: invoke --help new")
    if find_control_character(title):
        raise NewsroomError("Der Titel enthält ein unsichtbares Steuerzeichen.")
    if status not in STATUSES:
        raise NewsroomError(f"Status „{status}“ gibt es nicht. Erlaubt: {', '.join(STATUSES)}.")
    defaults = settings["NEW_STORY"]
    category = category or defaults["category"]
    if category not in settings["THEMEN"]:
        raise NewsroomError(f"Thema „{category}“ gibt es nicht. Erlaubt: {', '.join(settings['THEMEN'])}.")
    try:
        when = parse_datetime(date) if date else datetime.now(BERLIN).replace(second=0, microsecond=0)
    except DateParseError as exc:
        raise NewsroomError(f"--date: {exc}") from None
    slug = slugify(title) or "meldung"
    story_id = new_id()
    folder = Path(settings["PATH"]) / settings["STORIES_DIR"] / f"{when:%Y}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{when:%Y-%m-%d}-{slug}.md"
    if path.exists():
        path = folder / f"{when:%Y-%m-%d}-{slug}-{story_id[:6]}.md"
    contact = defaults["contact"]
    lines = [
        "---",
        f"id: {story_id}",
        f"title: {_quoted(title)}",
        f"date: {when:%Y-%m-%d %H:%M}",
        f"status: {status}",
        f"summary: {_quoted(defaults['summary'])}",
        f"category: {_quoted(category)}",
        f"department: {_quoted(defaults['department'])}",
        "districts: []",
        "tags: []",
        "contact:",
        f"  name: {_quoted(contact['name'])}",
        f"  phone: {_quoted(contact['phone'])}",
        f"  email: {_quoted(contact['email'])}",
        "---",
        defaults["body"],
        "",
    ]
    with open(path, "x", encoding="utf-8") as handle:  # never overwrite a story
        handle.write("\n".join(lines))
    return path
