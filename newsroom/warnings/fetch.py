"""`invoke warnings`: ask NINA, record the answer with its time. Never raises for the service:
unreachable, an error status, a timeout or malformed JSON leave the last warnings recorded (the
view drops them after WARNINGS_MAX_AGE_MINUTES) and log a German warning."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from newsroom.errors import WarningsUnavailable
from newsroom.warnings import parse
from newsroom.warnings.nina import NinaClient
from newsroom.warnings.state import WarningsState, load_state, save_state, state_path

logger = logging.getLogger("newsroom.warnings")
# After this many failed detail requests in a run, the rest keep the dashboard's data unasked.
DETAIL_FAILURES = 3


@dataclass(frozen=True)
class FetchReport:
    state: WarningsState
    ok: bool
    details_missing: int = 0
    skipped: int = 0


def refresh(settings: dict, now: datetime, client: NinaClient | None = None) -> FetchReport | None:
    """Fetch and record; None when NINA_ARS is None (no warnings wanted)."""
    ars = settings["NINA_ARS"]
    if ars is None:
        return None
    path = state_path(settings)
    previous = load_state(path, ars)
    own = client is None
    client = client or NinaClient(settings["NINA_BASE_URL"], settings["NINA_TIMEOUT"])
    try:
        try:
            warnings, skipped = parse.dashboard(client.dashboard(ars))
        except WarningsUnavailable as exc:
            logger.warning("Amtliche Warnungen nicht abgerufen: %s Die zuletzt abgerufenen bleiben bis zu %s Minuten "
                           "gültig.", exc, settings["WARNINGS_MAX_AGE_MINUTES"])
            state = replace(previous, attempted=now, problem=str(exc))
            save_state(path, state)
            return FetchReport(state, ok=False)
        for note in skipped:
            logger.warning("Amtliche Warnungen: Eintrag der Übersicht übergangen: %s", note)
        complete, failures, missing = [], 0, 0
        for warning in warnings:
            if failures >= DETAIL_FAILURES:  # the service is struggling: the run stays short
                complete.append(warning)
                missing += 1
                continue
            try:
                detailed = parse.with_details(warning, client.warning(warning.id))
            except WarningsUnavailable as exc:  # the dashboard's data stands in
                failures += 1
                missing += 1
                logger.warning("Amtliche Warnungen: Details nicht abgerufen, es gilt die Übersicht: %s", exc)
                complete.append(warning)
                continue
            if detailed is not None:
                complete.append(detailed)
    finally:
        if own:
            client.close()
    ordered = tuple(sorted(complete, key=lambda w: (w.sent or now, w.id), reverse=True))
    state = WarningsState(ars=ars, fetched=now, warnings=ordered, attempted=now, problem="")
    save_state(path, state)
    return FetchReport(state, ok=True, details_missing=missing, skipped=len(skipped))
