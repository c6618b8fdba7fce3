"""What happens to a story after it went out: change notes, corrections and its withdrawal.

- `changes`: notes on changes in substance ("Aktualisiert am …: note"), shown above the
  text and in the feeds. An edit without a note stays quiet.
- `corrections`: a Berichtigung (what was wrong, what is right). Shown on the page, and
  sent once to every channel that carried the story (newsroom/publishing/followups.py).
  A correction is known by its date: the date of a correction that went out is never changed.
- `withdrawal` with `status: withdrawn`: the story is taken back (date, reason); the page
  keeps its address behind a banner, or with `gone: true` answers 410 without its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newsroom.content.schema import Fields

CHANGE_FIELDS = {"date", "note"}
CORRECTION_FIELDS = {"date", "wrong", "right"}
WITHDRAWAL_FIELDS = {"date", "reason", "gone"}
NOTE_MAX = 500
MAX_ENTRIES = 50


@dataclass(frozen=True)
class ChangeNote:
    date: datetime
    note: str


@dataclass(frozen=True)
class Correction:
    date: datetime
    wrong: str  # what the story said
    right: str  # what is right

    @property
    def key(self) -> str:
        """Names the correction in the record of sends: its date, to the minute (202612061430)."""
        return self.date.strftime("%Y%m%d%H%M")


@dataclass(frozen=True)
class Withdrawal:
    date: datetime
    reason: str
    gone: bool = False  # legal cases: the page answers 410 and no longer shows the text


def read_changes(fields: Fields, published: datetime | None) -> tuple[ChangeNote, ...]:
    """`changes`, newest first."""
    notes = []
    for entry in fields.mapping_list("changes", CHANGE_FIELDS, max_items=MAX_ENTRIES):
        date = entry.datetime("date")
        note = entry.text("note", max_length=NOTE_MAX, single_line=False)
        if date and _after(entry, date, published, "Die Änderung") and note:
            notes.append(ChangeNote(date, " ".join(note.split())))
    _unique(fields, "changes", [n.date for n in notes], "Zwei Änderungsnotizen haben denselben Zeitpunkt.")
    return tuple(sorted(notes, key=lambda n: n.date, reverse=True))


def read_corrections(fields: Fields, published: datetime | None) -> tuple[Correction, ...]:
    """`corrections`, oldest first (the order they went out)."""
    found = []
    for entry in fields.mapping_list("corrections", CORRECTION_FIELDS, max_items=MAX_ENTRIES):
        date = entry.datetime("date")
        wrong = entry.text("wrong", max_length=NOTE_MAX, single_line=False)
        right = entry.text("right", max_length=NOTE_MAX, single_line=False)
        if date and _after(entry, date, published, "Die Berichtigung") and wrong and right:
            found.append(Correction(date, " ".join(wrong.split()), " ".join(right.split())))
    _unique(fields, "corrections", [c.key for c in found],
            "Zwei Berichtigungen haben dieselbe Minute; jede braucht ihren eigenen Zeitpunkt.")
    return tuple(sorted(found, key=lambda c: c.date))


def read_withdrawal(fields: Fields, status: str | None, published: datetime | None) -> Withdrawal | None:
    """`withdrawal` (date, reason, gone) belongs to `status: withdrawn` and only to it."""
    withdrawn = status == "withdrawn"
    if not withdrawn:
        if fields.has("withdrawal"):
            fields.error("„withdrawal“ gilt nur zusammen mit „status: withdrawn“.", fields.nodes["withdrawal"],
                         "withdrawal")
        return None
    group = fields.mapping("withdrawal", WITHDRAWAL_FIELDS, required=True)
    if group is None:
        return None
    date = group.datetime("date")
    reason = group.text("reason", max_length=NOTE_MAX, single_line=False)
    gone = group.boolean("gone")
    if date and not _after(group, date, published, "Die Rücknahme"):
        return None
    return Withdrawal(date, " ".join(reason.split()), gone) if date and reason else None


def _after(entry: Fields, date: datetime, published: datetime | None, what: str) -> bool:
    if published is not None and date < published:
        entry.error(f"{what} ({date:%d.%m.%Y %H:%M}) liegt vor der Veröffentlichung der Meldung "
                    f"({published:%d.%m.%Y %H:%M}).", entry.nodes["date"], "date")
        return False
    return True


def _unique(fields: Fields, name: str, keys: list, message: str) -> None:
    if len(set(keys)) != len(keys):
        fields.error(message, fields.nodes[name], name)
