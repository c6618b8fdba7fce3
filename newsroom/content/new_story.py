"""`invoke new`: a valid story file with a fresh id, ready for the editor to fill in."""

from __future__ import annotations

import difflib
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from newsroom.content.characters import find_invisible, invisible_message
from newsroom.content.slugs import slugify
from newsroom.content.story import STATUSES
from newsroom.dates import BERLIN, parse_datetime
from newsroom.errors import DateParseError, NewsroomError


def new_id() -> str:
    """12 hex characters with at least one letter, so YAML never reads it as a number."""
    while True:
        candidate = uuid.uuid4().hex[:12]
        if not candidate.isdigit():
            return candidate


def _quoted(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: safe for any title.
    return json.dumps(value, ensure_ascii=False)


def choose(label: str, option: str, allowed: list[str], given: str | None, ask: Callable[[str], str] | None) -> str:
    """The Thema or Amt of a new story: the option's value, else asked (with `ask`, when a
    terminal is there), else an error listing the allowed values. Nothing is filed silently."""
    if given is not None:
        if given in allowed:
            return given
        nearest = difflib.get_close_matches(given, allowed, n=1, cutoff=0.6)
        hint = f" Meinten Sie „{nearest[0]}“?" if nearest else ""
        raise NewsroomError(f"{label} „{given}“ gibt es nicht.{hint} Erlaubt: {', '.join(allowed)}.")
    if ask is None:
        raise NewsroomError(f"Bitte {label} angeben: invoke new --{option} \"…\". Erlaubt: {', '.join(allowed)}.")
    menu = "\n".join(f"  {number:>2}  {value}" for number, value in enumerate(allowed, 1))
    question = f"{label} der Meldung:\n{menu}\nNummer oder Name: "
    for _attempt in range(3):
        try:
            answer = ask(question).strip()
        except EOFError:
            break
        if answer.isdigit() and 1 <= int(answer) <= len(allowed):
            return allowed[int(answer) - 1]
        if answer in allowed:
            return answer
        question = f"„{answer}“ ist keine der Nummern 1 bis {len(allowed)} und kein {label}. Nummer oder Name: "
    raise NewsroomError(f"Kein {label} gewählt; nichts angelegt. Erlaubt: {', '.join(allowed)}.")


def _written(when: datetime) -> str:
    """The time as front matter holds it; with its offset in the hour the autumn change repeats."""
    written = f"{when:%Y-%m-%d %H:%M}"
    try:
        parse_datetime(written)
    except DateParseError:
        offset = when.strftime("%z")
        written += f"{offset[:3]}:{offset[3:]}"
    return written


def create(settings: dict, *, title: str, date: str | None = None, status: str = "draft",
           category: str | None = None, department: str | None = None,
           ask: Callable[[str], str] | None = None, owner: str | None = None, channels: str | None = None) -> Path:
    """A new story file. Thema and Amt come from the options or are asked with `ask`
    (None without a terminal: then a missing one is an error). With status "planned" a
    plan: title, owner, target date (`date`) and intended channels only."""
    title = " ".join((title or "").split())
    if not title:
        raise NewsroomError("Bitte einen Titel angeben: invoke new --title \"…\"")
    if title.startswith("-"):
        raise NewsroomError(f"Der Titel „{title}“ beginnt mit einem Bindestrich; Hilfe gibt es mit: invoke --help new")
    invisible = find_invisible(title)
    if invisible:
        raise NewsroomError(f"Titel: {invisible_message(title, *invisible)}")
    if status not in STATUSES:
        raise NewsroomError(f"Status „{status}“ gibt es nicht. Erlaubt: {', '.join(STATUSES)}.")
    if status == "planned":
        return _plan(settings, title, date, owner, channels)
    defaults = settings["NEW_STORY"]
    try:
        when = parse_datetime(date) if date else datetime.now(BERLIN).replace(second=0, microsecond=0)
    except DateParseError as exc:
        raise NewsroomError(f"--date: {exc}") from None
    category = choose("Thema", "category", list(settings["THEMEN"]), category, ask)
    department = choose("Amt", "department", list(settings["AEMTER"]), department, ask)
    story_id = new_id()
    path = _new_path(settings, when, title, story_id)
    contact = defaults["contact"]
    lines = [
        "---",
        f"id: {story_id}",
        f"title: {_quoted(title)}",
        f"date: {_written(when)}",
        f"status: {status}",
        f"summary: {_quoted(defaults['summary'])}",
        f"category: {_quoted(category)}",
        f"department: {_quoted(department)}",
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


def _new_path(settings: dict, when: datetime, title: str, story_id: str) -> Path:
    """content/stories/<year>/<date>-<slug>.md, with part of the id when that name is taken."""
    slug = slugify(title) or "meldung"
    folder = Path(settings["PATH"]) / settings["STORIES_DIR"] / f"{when:%Y}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{when:%Y-%m-%d}-{slug}.md"
    return folder / f"{when:%Y-%m-%d}-{slug}-{story_id[:6]}.md" if path.exists() else path


def _plan(settings: dict, title: str, date: str | None, owner: str | None, channels: str | None) -> Path:
    owner = " ".join((owner or "").split())
    if not owner:
        raise NewsroomError("Eine geplante Meldung braucht „--owner“: wer sie schreibt (Kurzzeichen oder Amt).")
    if not date:
        raise NewsroomError("Eine geplante Meldung braucht „--date“: den Zieltermin, z. B. 2026-12-10.")
    try:
        target = parse_datetime(date, require_time=False)
    except DateParseError as exc:
        raise NewsroomError(f"--date: {exc}") from None
    chosen = [c.strip() for c in (channels or "").split(",") if c.strip()]
    unknown = [c for c in chosen if c not in settings["CHANNELS"]]
    if unknown:
        raise NewsroomError(f"Unbekannter Kanal „{unknown[0]}“. Erlaubt: {', '.join(settings['CHANNELS'])}.")
    story_id = new_id()
    path = _new_path(settings, target, title, story_id)
    written = date.strip() if len(date.strip()) == 10 else _written(target)
    lines = ["---", f"id: {story_id}", f"title: {_quoted(title)}", "status: planned", f"owner: {_quoted(owner)}",
             f"target: {written}"]
    if chosen:
        lines += ["channels:"] + [f"  {name}: true" for name in chosen]
    lines += ["---", ""]
    with open(path, "x", encoding="utf-8") as handle:  # never overwrite a story
        handle.write("\n".join(lines))
    return path
