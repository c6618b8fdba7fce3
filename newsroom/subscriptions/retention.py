"""How long the service keeps an address (the Löschfristen of docs/datenschutz-abonnements.md).

- Never confirmed: deleted SUBSCRIPTIONS_PENDING_DAYS after the sign-up (or its repetition).
- Unsubscribed or suspended: deleted SUBSCRIPTIONS_RETENTION_DAYS after the last change. Until
  then the person can still come back through the manage link, and a suspended address gets no
  new confirmation mail; afterwards both would have to sign up again.
- Used single-use links: forgotten once they have expired (they can no longer be presented).

Deleting a subscriber deletes every row of the person with it (cascade) and the person's key;
the consent rows stay, linked to nobody. `purge` runs when the service starts and with every
bounce run (`invoke subscriptions --bounces`, every 15 minutes from its timer), so no
separate scheduler can be forgotten; several instances running it at once delete the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from newsroom.subscriptions.models import PENDING, SUSPENDED, UNSUBSCRIBED, Subscriber, UsedToken


@dataclass(frozen=True)
class Purged:
    pending: int
    ended: int
    tokens: int

    def summary(self) -> str:
        return (f"Gelöscht: {self.pending} nie bestätigte Anmeldung(en), {self.ended} abgemeldete oder gesperrte "
                f"Adresse(n), {self.tokens} abgelaufene Einmal-Link(s).")


def purge(database, settings: Mapping, now: datetime | None = None) -> Purged:
    now = now or datetime.now(UTC)
    pending_cutoff = now - timedelta(days=int(settings["SUBSCRIPTIONS_PENDING_DAYS"]))
    ended_cutoff = now - timedelta(days=int(settings["SUBSCRIPTIONS_RETENTION_DAYS"]))
    with database.session() as session:
        pending = session.execute(delete(Subscriber).where(
            Subscriber.status == PENDING, Subscriber.changed_at < pending_cutoff)).rowcount
        ended = session.execute(delete(Subscriber).where(
            Subscriber.status.in_((UNSUBSCRIBED, SUSPENDED)), Subscriber.changed_at < ended_cutoff)).rowcount
        tokens = session.execute(delete(UsedToken).where(UsedToken.expires_at < now)).rowcount
    return Purged(pending, ended, tokens)
