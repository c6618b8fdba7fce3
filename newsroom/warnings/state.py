"""The recorded warnings: an input of the build, kept in WARNINGS_STATE (JSON, written
atomically). `fetched` is when NINA last answered; `attempted` and `problem` tell of the last
try, so a stale state says why."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newsroom.atomic import atomic_write
from newsroom.errors import ConfigurationError
from newsroom.warnings.model import Warning

logger = logging.getLogger("newsroom.warnings")
VERSION = 1


@dataclass(frozen=True)
class WarningsState:
    ars: str
    fetched: datetime | None = None
    warnings: tuple[Warning, ...] = ()
    attempted: datetime | None = None
    problem: str = ""

    def record(self) -> dict:
        return {"version": VERSION, "ars": self.ars,
                "fetched": self.fetched.isoformat() if self.fetched else None,
                "attempted": self.attempted.isoformat() if self.attempted else None,
                "problem": self.problem, "warnings": [w.record() for w in self.warnings]}


def state_path(settings: dict) -> Path:
    """WARNINGS_STATE, refused inside the content (it is no content, and git would carry it) and
    inside the output (the build removes every file there it did not make)."""
    path = Path(settings["WARNINGS_STATE"]).resolve()
    for name in ("PATH", "OUTPUT_PATH"):
        folder = Path(settings[name]).resolve()
        if path == folder or folder in path.parents:
            raise ConfigurationError(f"Einstellung WARNINGS_STATE: „{settings['WARNINGS_STATE']}“ liegt in {name} "
                                     f"(„{settings[name]}“); die Datei gehört daneben, z. B. nach .cache/warnungen.json.")
    return path


def load_state(path: Path, ars: str) -> WarningsState:
    """The recorded state for `ars`; an empty one (never fetched) when there is none, it is
    unreadable (a German warning) or it was recorded for another regional key."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            raise ValueError(f"Version {data.get('version')!r}")
        if data.get("ars") != ars:
            return WarningsState(ars)
        fetched = data.get("fetched")
        attempted = data.get("attempted")
        return WarningsState(
            ars=ars, fetched=datetime.fromisoformat(fetched) if fetched else None,
            warnings=tuple(Warning.from_record(item) for item in data.get("warnings", [])),
            attempted=datetime.fromisoformat(attempted) if attempted else None, problem=str(data.get("problem", "")))
    except FileNotFoundError:
        return WarningsState(ars)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        logger.warning("Amtliche Warnungen: %s ist nicht lesbar (%s); es gelten keine festgehaltenen Warnungen.",
                       path, exc)
        return WarningsState(ars)


def save_state(path: Path, state: WarningsState) -> None:
    data = json.dumps(state.record(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    atomic_write(path, data.encode("utf-8"))
