"""`invoke credentials`: when each channel's credentials run out, and their refresh where the platform
offers one (Instagram Login, Threads, LinkedIn with refresh tokens).

Secrets come only from NEWSROOM_* variables. A refreshed value is written into the environment file
that NEWSROOM_SECRETS_FILE names (the publish service's systemd EnvironmentFile), atomically and
readable by its owner only, right after each refresh: a platform may retire the old value at once.
It never goes to the terminal, a log or git; every value read or received is masked by the REDACTOR.
Without that file nothing is refreshed: the values are renewed by hand in the CI's secret store.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from newsroom.errors import PublishError, SendError
from newsroom.publishing.http import HttpClient
from newsroom.secrets import REDACTOR, SECRETS_FILE, redact, update_secrets_file

logger = logging.getLogger("newsroom.publishing")
SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "KEY")


@dataclass
class CredentialState:
    """One configured channel's credentials: what is missing, when they run out, what went wrong asking."""

    channel: str
    label: str
    missing: list[str] = field(default_factory=list)
    expires: datetime | None = None
    problem: str = ""
    secret_names: tuple[str, ...] = ()  # the variables to renew by hand, named, never shown

    def line(self, now: datetime) -> str:
        if self.missing:
            return f"{self.label}: nicht eingerichtet (fehlt: {', '.join(self.missing)})."
        if self.problem:
            return f"{self.label}: Ablauf nicht abfragbar: {self.problem}"
        if self.expires is None:
            return f"{self.label}: kein Ablauf bekannt (die Plattform nennt keinen)."
        days = (self.expires - now).total_seconds() / 86400
        when = f"{self.expires:%d.%m.%Y, %H:%M} Uhr"
        if days <= 0:
            return f"{self.label}: Zugangsdaten ABGELAUFEN am {when}."
        return f"{self.label}: Zugangsdaten laufen am {when} ab (in {int(days)} Tag{'en' if int(days) != 1 else ''})."


def client_for(adapter, settings: dict) -> HttpClient:
    return HttpClient(adapter.label, deadline=float(settings["PUBLISH_RETRY_SECONDS"]),
                      timeout=tuple(settings["PUBLISH_HTTP_TIMEOUT"]))


def credential_states(settings: dict, adapters: Mapping) -> list[CredentialState]:
    """Every channel of CHANNELS with an adapter: its state as the platform says it now."""
    states = []
    for name in settings["CHANNELS"]:
        adapter = adapters.get(name)
        if adapter is None:
            continue
        secrets = tuple(adapter.credentials.name(k) for k in adapter.required_env
                        if any(word in k.upper() for word in SECRET_WORDS))
        state = CredentialState(name, adapter.label, adapter.missing_credentials(),
                                secret_names=secrets or (f"{adapter.credentials.prefix}…",))
        if not adapter.required_env and not state.missing:
            continue  # a channel without credentials (posted by hand) has nothing to run out
        if not state.missing:
            try:
                state.expires = adapter.credential_expiry(client_for(adapter, settings))
            except (SendError, PublishError, ValueError, OSError) as exc:
                state.problem = redact(str(exc))
        states.append(state)
    return states


def due_for_refresh(states: list[CredentialState], settings: dict) -> list[CredentialState]:
    """Those that run out within PUBLISH_CREDENTIALS_WARN_DAYS (or have run out)."""
    limit = settings["BUILD_NOW"] + timedelta(days=settings["PUBLISH_CREDENTIALS_WARN_DAYS"])
    return [s for s in states if s.expires is not None and s.expires <= limit]


def refresh(settings: dict, adapters: Mapping, states: list[CredentialState],
            environ: Mapping[str, str]) -> tuple[list[str], bool]:
    """Refresh every due credential the platform can refresh; German lines for the terminal and whether
    all went well. Raises PublishError without NEWSROOM_SECRETS_FILE, before asking any platform."""
    due = due_for_refresh(states, settings)
    if not due:
        return [f"Nichts zu erneuern: keine Zugangsdaten laufen in den nächsten "
                f"{settings['PUBLISH_CREDENTIALS_WARN_DAYS']} Tagen ab."], True
    path = (environ.get(SECRETS_FILE) or "").strip()
    if not path:
        names = ", ".join(n for s in due for n in s.secret_names)
        raise PublishError(f"{SECRETS_FILE} ist nicht gesetzt: erneuerte Zugangsdaten hätten keinen Ort, an dem "
                           "der Versand sie liest. Nichts erneuert. Bitte von Hand erneuern und im Geheimnisspeicher "
                           f"der CI (oder der Umgebung des Versands) neu hinterlegen: {names}.")
    lines, ok, done = [], True, set()
    for state in due:
        adapter = adapters[state.channel]
        prefix = adapter.credentials.prefix
        if prefix in done:  # two channels of one account (Instagram and its Stories): refreshed once
            continue
        try:
            values = adapter.refresh_credentials(client_for(adapter, settings))
        except (SendError, PublishError, ValueError, OSError) as exc:
            lines.append(f"{state.label}: Erneuerung fehlgeschlagen: {redact(str(exc))} {path} bleibt "
                         "unverändert.")
            ok = False
            continue
        if values is None:
            lines.append(f"{state.label}: Die Plattform bietet für diese Zugangsdaten keine Erneuerung. Bitte von "
                         f"Hand erneuern: {', '.join(state.secret_names)}.")
            ok = False
            continue
        for value in values.values():  # masked from here on, whatever the adapter did
            REDACTOR.add(value)
        named = {adapter.credentials.name(key): value for key, value in values.items()}
        try:
            update_secrets_file(path, named)
        except (PublishError, OSError) as exc:
            lines.append(f"{state.label}: erneuert, aber nicht gespeichert: {redact(str(exc))} Bitte {path} und "
                         "seinen Ordner prüfen und erneut erneuern.")
            ok = False
            continue
        done.add(prefix)
        lines.append(f"{state.label}: erneuert; neu in {path}: {', '.join(sorted(named))} (der nächste Lauf "
                     "des Versands liest sie).")
    return lines, ok
