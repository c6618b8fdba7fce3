"""`invoke subscriptions --import-list FILE`: the press office's old distribution list into the service.

The file is read by the press channel's own parser (newsroom/mail/recipients.py: CSV or YAML,
refused inside the repository or the output). Each journalist becomes an active Pressedienst
subscriber of the listed Themen, with consent as the office recorded it, marked as imported
(action `importiert`, method `import`, wording "import: <file> <date>"), not as a double opt-in.
Importing again changes nothing and records nothing. Nobody is mailed. Whoever unsubscribed,
paused or was suspended since stays so: an old list never overrules the person. The summary
names lines, never addresses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from newsroom.dates import BERLIN
from newsroom.subscriptions.config import ServiceConfig
from newsroom.subscriptions.database import Database, migrate
from newsroom.subscriptions.keys import new_key, subscriber_ref
from newsroom.subscriptions.models import (
    ACTIVE,
    ALL,
    EMAIL_MAX,
    IMMEDIATE,
    PAUSED,
    PRESS,
    SUSPENDED,
    THEMA,
    UNSUBSCRIBED,
    Consent,
    Selection,
    Subscriber,
)

IMPORTED, METHOD = "importiert", "import"
WORDING_MAX = 160  # consent.wording_version
TEXT_MAX = 120  # subscriber.name, subscriber.medium
KEPT = {UNSUBSCRIBED: "hat sich abgemeldet", PAUSED: "hat das Abonnement pausiert",
        SUSPENDED: "ist wegen Zustellfehlern gesperrt"}


@dataclass
class ImportResult:
    source: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # German, by line, never with an address
    notes: list[str] = field(default_factory=list)  # hints of the list that skipped nothing

    def summary(self) -> str:
        lines = [f"Import aus {self.source}: {self.new} neu, {self.updated} aktualisiert, {self.unchanged} "
                 f"unverändert, {len(self.skipped)} übersprungen. Niemand wurde angeschrieben."]
        lines += [f"  {reason}" for reason in self.skipped]
        lines += [f"  Hinweis: {note}" for note in self.notes]
        return "\n".join(lines)


def wording_version(path: Path, day: datetime) -> str:
    """"import: verteiler.csv 2026-12-06", the file name shortened to fit the column."""
    date = f" {day:%Y-%m-%d}"
    room = WORDING_MAX - len("import: ") - len(date)
    name = path.name if len(path.name) <= room else path.name[:room - 1] + "…"
    return f"import: {name}{date}"


def _forbidden(config: ServiceConfig) -> tuple[Path, ...]:
    """Where a list of addresses must not lie: the project, the content's repository, the output."""
    settings = config.settings
    folders = [config.repository] if config.repository else []
    if settings.get("PATH"):
        content = Path(settings["PATH"]).resolve()
        folders.append(next((p for p in (content, *content.parents) if (p / ".git").exists()), content))
    if settings.get("OUTPUT_PATH"):
        folders.append(Path(settings["OUTPUT_PATH"]))
    return tuple(folders)


def import_file(config: ServiceConfig, path: Path, *, now: datetime | None = None) -> ImportResult:
    from newsroom.mail.recipients import load

    listing = load(str(path), list(config.settings["THEMEN"]), forbidden=_forbidden(config))
    now = now or datetime.now(BERLIN)
    result = ImportResult(path.name)
    skipped_lines = set(listing.skipped)
    for problem in listing.problems:
        line = problem.split(":", 1)[0].removeprefix("Zeile ")
        (result.skipped if line.isdigit() and int(line) in skipped_lines else result.notes).append(problem)
    version = wording_version(path, now)
    migrate(config.database_url)
    database = Database(config.database_url)
    try:
        with database.session() as session:
            for recipient in listing.recipients:
                outcome = _import_one(session, recipient, version, now)
                if outcome in ("new", "updated", "unchanged"):
                    setattr(result, outcome, getattr(result, outcome) + 1)
                else:
                    result.skipped.append(f"Zeile {recipient.line}: {outcome}; übersprungen.")
    finally:
        database.close()
    return result


def _import_one(session, recipient, version: str, now: datetime) -> str:
    """"new", "updated", "unchanged" or why the line was skipped (German, without the address)."""
    email = recipient.address.casefold()
    name, medium = recipient.name or None, recipient.medium or None
    if len(email) > EMAIL_MAX or len(name or "") > TEXT_MAX or len(medium or "") > TEXT_MAX:
        return f"Adresse, Name oder Medium zu lang (höchstens {EMAIL_MAX}, {TEXT_MAX} und {TEXT_MAX} Zeichen)"
    themen = {ALL} if ALL in recipient.themen else set(recipient.themen)
    person = session.scalars(select(Subscriber).where(Subscriber.email == email)).one_or_none()
    if person is not None and person.kind != PRESS:
        return "die Adresse hat bereits ein Abonnement für Bürgerinnen und Bürger"
    if person is not None and person.status in KEPT:
        return KEPT[person.status]  # the person's own decision stands against an old list
    if person is None:
        person = Subscriber(email=email, key=new_key(), kind=PRESS, frequency=IMMEDIATE, created_at=now,
                            bounces=0, complaints=0)
        session.add(person)
        outcome = "new"
    else:
        chosen = {s.value for s in person.selections if s.dimension == THEMA}
        same = (person.status == ACTIVE and person.confirmed_at is not None and person.name == name
                and person.medium == medium and chosen == themen
                and all(s.dimension == THEMA for s in person.selections))
        if same:
            return "unchanged"
        outcome = "updated"
    person.name, person.medium, person.status, person.changed_at = name, medium, ACTIVE, now
    person.confirmed_at = person.confirmed_at or now
    # Only what differs is changed: a row deleted and added again in one flush would collide on its key.
    for selection in [s for s in person.selections if s.dimension != THEMA or s.value not in themen]:
        person.selections.remove(selection)
    held = {s.value for s in person.selections}
    person.selections += [Selection(dimension=THEMA, value=value) for value in sorted(themen - held)]
    session.flush()
    scope = {"kind": PRESS, "selections": {THEMA: sorted(themen)}, "frequency": person.frequency}
    session.add(Consent(subscriber_ref=subscriber_ref(person.key), at=now, action=IMPORTED,
                        scope=json.dumps(scope, ensure_ascii=False, sort_keys=True), wording_version=version,
                        method=METHOD, client=None))
    return outcome
