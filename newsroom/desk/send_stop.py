"""The send stop (Sendestopp): one committed file that halts every external send at once.

`content/desk/send-stop.yml` exists while the stop holds; lifting it deletes the file. The
publish run reads it from the publishing branch it has just fetched, not from its checkout, so
a stop set a minute ago holds for a run that builds an older commit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import yaml

FILE = "send-stop.yml"  # below DESK_DIR
HEADER = "# Sendestopp – solange diese Datei besteht, sendet kein Lauf nach außen. Aufheben: invoke send-stop --lift\n"


@dataclass(frozen=True)
class SendStop:
    reason: str
    by: str
    since: str

    def dumps(self) -> str:
        return HEADER + yaml.safe_dump(asdict(self), allow_unicode=True, sort_keys=False)

    @property
    def label(self) -> str:
        return f"SENDESTOPP seit {self.since} ({self.by}): {self.reason}"

    @classmethod
    def parse(cls, text: str) -> SendStop:
        """Any content counts as a stop: a damaged file must not let sends through."""
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            data = None
        if not isinstance(data, dict):
            return cls("Datei nicht lesbar – der Stopp gilt trotzdem", "?", "?")
        return cls(str(data.get("reason") or "ohne Grund"), str(data.get("by") or "?"), str(data.get("since") or "?"))
