"""Who is on duty (Dienstplan): `content/desk/roster.yml`, shown on the desk per day.

    weekly:                  # the usual week, by weekday
      montag: cvd-1
      dienstag: [cvd-1, cvd-2]
    days:                    # exceptions, by date (they replace the weekday's entry)
      "2026-12-24": cvd-2

Handles only: the desk shows no names of staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from newsroom.content.frontmatter import compose
from newsroom.desk.approvers import HANDLE_CHARACTERS
from newsroom.errors import ContentError, ContentErrors

FILE = "roster.yml"  # below DESK_DIR
WEEKDAYS = ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag")


@dataclass(frozen=True)
class Roster:
    weekly: dict[int, tuple[str, ...]]  # weekday (Monday 0) → handles
    days: dict[date, tuple[str, ...]]

    def on_duty(self, day: date) -> tuple[str, ...]:
        return self.days.get(day, self.weekly.get(day.weekday(), ()))

    @classmethod
    def parse(cls, text: str, path: str) -> Roster:
        root = compose(text, path)
        weekly: dict[int, tuple[str, ...]] = {}
        days: dict[date, tuple[str, ...]] = {}
        if root is None:
            return cls(weekly, days)
        errors: list[ContentError] = []

        def error(node, message, field):
            errors.append(ContentError(path, message, line=node.start_mark.line + 1, field=field))

        if not isinstance(root, yaml.MappingNode):
            raise ContentErrors([ContentError(path, "Erwartet werden „weekly:“ und/oder „days:“.", line=1)])
        for key, value in root.value:
            if key.value not in ("weekly", "days"):
                error(key, f"Unbekannter Abschnitt „{key.value}“ (erlaubt: weekly, days).", key.value)
                continue
            if not isinstance(value, yaml.MappingNode):
                error(value, "Erwartet wird eine Zuordnung (Tag: Kurzzeichen).", key.value)
                continue
            for day_node, handles_node in value.value:
                field = f"{key.value}.{day_node.value}"
                handles = _handles(handles_node)
                if handles is None:
                    error(handles_node, "Erwartet werden Kurzzeichen (z. B. cvd-1 oder [cvd-1, cvd-2]).", field)
                    continue
                if key.value == "weekly":
                    if day_node.value not in WEEKDAYS:
                        error(day_node, f"„{day_node.value}“ ist kein Wochentag (montag … sonntag).", field)
                        continue
                    weekly[WEEKDAYS.index(day_node.value)] = handles
                else:
                    try:
                        days[date.fromisoformat(day_node.value)] = handles
                    except ValueError:
                        error(day_node, f"„{day_node.value}“ ist kein Datum (JJJJ-MM-TT).", field)
        if errors:
            raise ContentErrors(errors)
        return cls(weekly, days)


def _handles(node) -> tuple[str, ...] | None:
    values = [node] if isinstance(node, yaml.ScalarNode) else node.value if isinstance(node, yaml.SequenceNode) else None
    if values is None or not all(isinstance(v, yaml.ScalarNode) for v in values):
        return None
    handles = tuple(v.value.strip() for v in values if v.value.strip())
    return handles if all(not set(h) - HANDLE_CHARACTERS for h in handles) else None


def read_roster(files, settings: dict) -> Roster:
    """roster.yml as `files` has it; none at all is an empty roster, a broken one ContentErrors."""
    relative = f"{settings['DESK_DIR']}/{FILE}"
    text = files.read_content(relative)
    return Roster({}, {}) if text is None else Roster.parse(text, f"{Path(settings['PATH']).name}/{relative}")
