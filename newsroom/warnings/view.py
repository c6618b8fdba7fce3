"""What the site shows of the recorded warnings at the build's time: the valid ones, or the
notice that they cannot be fetched once the last answer is older than WARNINGS_MAX_AGE_MINUTES.
`key()` is all the fragment is made from (the page's inputs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from newsroom.warnings.model import Warning
from newsroom.warnings.state import WarningsState, load_state, state_path


@dataclass(frozen=True)
class WarningsView:
    warnings: tuple[Warning, ...] = ()
    unavailable: bool = False  # the notice instead of warnings
    upcoming: frozenset[str] = frozenset()  # ids of warnings valid only from their onset on ("gültig ab …")

    @property
    def empty(self) -> bool:
        return not self.warnings and not self.unavailable

    def key(self) -> tuple:
        """Everything the fragment shows; what depends on the build's time (expired, upcoming) is in it."""
        return ("warnungen", self.unavailable, tuple((w.key(), w.id in self.upcoming) for w in self.warnings))


def view_of(state: WarningsState, now: datetime, max_age_minutes: int) -> WarningsView:
    if state.fetched is None or now - state.fetched > timedelta(minutes=max_age_minutes):
        return WarningsView(unavailable=True)
    shown = tuple(w for w in state.warnings if not w.expired(now))
    return WarningsView(warnings=shown,
                        upcoming=frozenset(w.id for w in shown if w.onset is not None and w.onset > now))


def current_view(settings: dict, now: datetime) -> WarningsView | None:
    """The view for the build; None when NINA_ARS is None."""
    ars = settings["NINA_ARS"]
    if ars is None:
        return None
    return view_of(load_state(state_path(settings), ars), now, settings["WARNINGS_MAX_AGE_MINUTES"])


def include_problem(settings: dict, address: str) -> str | None:
    """Why the pages shipped to `address` (a deploy target) would not show the warnings, or None:
    object storage processes no server-side includes."""
    if address.startswith("s3://") and settings["NINA_ARS"] and settings["WARNINGS_INCLUDE"] == "ssi":
        return ("Amtliche Warnungen: S3 verarbeitet keine Server Side Includes, die Seiten zeigen die Warnungen "
                "dort nicht. Für dieses Ziel WARNINGS_INCLUDE = \"inline\" setzen.")
    return None
