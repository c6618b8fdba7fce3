"""A story's identity in the record of sends: its key, and the check that no sent story lost it.

The record of a story is `content/receipts/<key>.yml`, where the key is the story's first
id: a story renamed with `invoke rename-id` keeps its earlier ids in `former_ids`, and the
first of them stays the key that the record, the press numbers register, recipient hashes
and Message-IDs use. A story whose id was changed by hand would look unsent under its new
id and go out a second time, so a record whose key no story has any more is an error
naming the story's file: the file the record names (`source`; a record of a file that is no
story, such as an appointment's mail, is none of this check's business), else the file git shows
holding that id when the record was first committed, followed through renames. A record
whose story is gone altogether (deleted) is history and no error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from newsroom.errors import ContentError, PublishError
from newsroom.git_command import run_git
from newsroom.publishing.followups import is_follow_up
from newsroom.publishing.records import Receipt, language_of_key

_ID_LINE = re.compile(r"id\s*:")


def known_ids(cards: Iterable) -> set[str]:
    """Every id a story has or had (former_ids)."""
    known: set[str] = set()
    for card in cards:
        known.add(card.id)
        known.update(card.former_ids)
    return known


def vanished_ids(cards: list, record_ids: set[str], receipt: Callable[[str], Receipt | None], *,
                 receipts_dir: Path, stories_dir: Path, display_root: Path, rev: str = "HEAD",
                 gone: dict[str, str] | None = None) -> list[ContentError]:
    """A German error for every record whose key no story has any more while its story's file
    is still there (under another id). `rev`: where the record's history is read from.

    `gone` (key → the last file of its story, which no longer exists) is filled for the caller
    to keep: a file that is gone cannot be renamed later, so git is asked once per deleted story."""
    gone = {} if gone is None else gone
    # A correction's or withdrawal's record, and a translation's, follows its story's, whose own record
    # this check covers.
    orphans = sorted(key for key in record_ids - known_ids(cards) if not is_follow_up(key)
                     and not language_of_key(key))
    if not orphans:
        return []
    by_source = {card.source: card for card in cards}
    errors = []
    for key in orphans:
        record = os.path.relpath(receipts_dir / f"{key}.yml", display_root)
        try:
            found = receipt(key)
        except PublishError as exc:
            errors.append(ContentError(record, str(exc)))
            continue
        source = found.source if found else None
        if source and not _below(display_root / source, stories_dir):
            continue  # not a story's record (e.g. an appointment's mail)
        card = by_source.get(source) if source else None
        if card is None and key in gone:
            card = by_source.get(gone[key])  # the same path may hold a story again
        elif card is None:
            traced = _traced_source(key, source, receipts_dir, stories_dir, display_root, rev)
            card = by_source.get(traced) if traced else None
            if traced and not (display_root / traced).exists():
                gone[key] = traced
        if card is None:
            continue  # the story was deleted: its record stays as history
        press = ", die Pressemitteilung an den ganzen Verteiler" if "press" in card.channels else ""
        errors.append(ContentError(
            card.source,
            f"Die Kennung „{key}“ wurde geändert, aber unter ihr sind Sendungen verzeichnet ({record}). Unter der "
            f"neuen Kennung „{card.id}“ ginge die Meldung ein zweites Mal hinaus{press}. War die Änderung Absicht: "
            f"„invoke rename-id {key} {card.id}“ (die alte Kennung kommt unter „former_ids“, die Sendungen gelten "
            f"weiter). Sonst wieder „id: {key}“ eintragen.",
            line=_id_line(display_root / card.source), field="id"))
    return errors


def _below(path: Path, folder: Path) -> bool:
    return os.path.normpath(path).startswith(os.path.normpath(folder) + os.sep)


def _id_line(path: Path) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines[1:], 2):
        if line.strip() == "---":
            break
        if _ID_LINE.match(line):
            return number
    return None


def _traced_source(key: str, source: str | None, receipts_dir: Path, stories_dir: Path, display_root: Path,
                   rev: str) -> str | None:
    """Where the story of record `key` lives now, as git tells: its recorded file, or the file that
    held `id: <key>` when the record was first committed, followed through later renames."""
    where = run_git(receipts_dir if receipts_dir.is_dir() else display_root, "rev-parse", "--show-toplevel")
    if where is None or where.returncode != 0:
        return None
    top = Path(where.stdout.strip()).resolve()
    root = display_root.resolve()
    try:
        record = (receipts_dir.resolve() / f"{key}.yml").relative_to(top).as_posix()
        stories = stories_dir.resolve().relative_to(top).as_posix()
    except ValueError:
        return None
    added = run_git(top, "log", "--diff-filter=A", "--format=%H", rev, "--", record)
    first = added.stdout.split()[-1] if added is not None and added.returncode == 0 and added.stdout.split() else None
    if source:
        try:
            path = (root / source).resolve().relative_to(top).as_posix()
        except ValueError:
            return None
    elif first:
        pattern = rf"^id:[[:space:]]*['\"]?{re.escape(key)}['\"]?[[:space:]]*(#.*)?$"
        held = run_git(top, "grep", "-l", "-E", pattern, first, "--", stories)
        names = [line.split(":", 1)[1] for line in held.stdout.splitlines()] if held and held.returncode == 0 else []
        if not names:
            return None
        path = names[0]
    else:
        return None
    renames = run_git(top, "log", "--reverse", "-M", "--diff-filter=R", "--name-status", "-z", "--format=",
                      f"{first}..HEAD" if first else "HEAD", "--", stories)
    if renames is not None and renames.returncode == 0:
        tokens = [t for t in renames.stdout.split("\x00") if t.strip()]
        for index in range(0, len(tokens) - 2, 3):
            if tokens[index].strip().startswith("R") and tokens[index + 1] == path:
                path = tokens[index + 2]
    try:
        return (top / path).relative_to(root).as_posix()
    except ValueError:
        return None
