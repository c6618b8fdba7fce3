"""What is due: per story and channel, decided from the build's cards and the record.

A send is due when the story is published, its time has come, it lies within the
automatic window (default 48 hours back) and nothing is recorded for it. Older
unsent stories are counted and listed, never sent by themselves; `--story` asks
for one on purpose. A sent record is final: editing the story changes nothing.
Unclear recipients (records.UNCLEAR) are never mailed by themselves, not even for
`--story`: only `unclear="send"` mails them, and `unclear="checked"` marks them checked.

A withdrawn story sends nothing more: a send still pending (to be retried, failed, left
claimed by a run that died, or never made while the story was due or scheduled) is
cancelled, and the record says so; its corrections and withdrawal are sends of their own
(newsroom/publishing/followups.py). A task the channel cannot do (records.MANUAL) stays
open until `done` marks it done by hand; `done` also records an unknown outcome as sent when an
editor found the post at the channel.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from newsroom.publishing.records import (
    CANCELLED,
    CLAIMED,
    FAILED,
    MANUAL,
    RETRY,
    SENT,
    UNCLEAR,
    UNKNOWN,
    ChannelRecord,
    Receipt,
)

DRAFT, SCHEDULED, DUE, RECOVER, RESEND, IN_FLIGHT, OUTSIDE = (
    "draft", "scheduled", "due", "recover", "resend", "in_flight", "outside")
SEND_UNCLEAR, CHECK_UNCLEAR = "send_unclear", "check_unclear"  # unclear recipients, on purpose
PLANNED = "planned"  # Themenplanung: not yet written
# Held by the desk (newsroom/desk): due, but the send stop holds or no second person approved.
STOPPED, UNAPPROVED = "stopped", "unapproved"
# A withdrawn story: a pending send to cancel, or one never made; a manual task confirmed done.
CANCEL, NEVER, MARK_DONE = "cancel", "never", "mark_done"
UNCLEAR_MODES = {"send": SEND_UNCLEAR, "checked": CHECK_UNCLEAR}
STATE_LABELS = {
    DRAFT: "Entwurf", PLANNED: "in Planung", SCHEDULED: "geplant", DUE: "fällig", RECOVER: "fällig (Lauf abgebrochen, wird geklärt)",
    RESEND: "fällig (auf Anweisung)", IN_FLIGHT: "wird gerade gesendet", OUTSIDE: "nicht gesendet (älter als das "
    "Zeitfenster)", SENT: "gesendet", FAILED: "fehlgeschlagen", RETRY: "erneuter Versuch", UNKNOWN: "unklar – bitte prüfen",
    UNCLEAR: "unklar", SEND_UNCLEAR: "fällig (an die unklaren Empfänger, auf Anweisung)",
    CHECK_UNCLEAR: "unklare Empfänger werden als geprüft eingetragen (auf Anweisung)",
    STOPPED: "angehalten (Sendestopp)", UNAPPROVED: "zurückgehalten: nicht freigegeben",
    CANCEL: "wird abgebrochen (Meldung zurückgezogen)", NEVER: "nie gesendet (Meldung zurückgezogen)",
    MARK_DONE: "wird als von Hand erledigt eingetragen (auf Anweisung)",
    CANCELLED: "abgebrochen (Meldung zurückgezogen)", MANUAL: "von Hand erledigen",
}
SENDING_STATES = (DUE, RECOVER, RESEND, SEND_UNCLEAR, CHECK_UNCLEAR, CANCEL, MARK_DONE)
# Sends that reach nobody, only the record: a cancellation, a manual task entered as done. The desk
# never holds them, and the post is neither validated nor prepared for a claim.
RECORDING_STATES = (CANCEL, MARK_DONE)


def this_run() -> str:
    """Identifies a publish run in its claims: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_is_stale(record: ChannelRecord, lease_seconds: float) -> bool:
    """A claim whose run is gone: its process died on this host, or its lease ran out
    (measured on the real clock: a rehearsal with another `now` must not steal live claims)."""
    host, _, pid = record.run.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
    try:
        claimed = datetime.fromisoformat(record.claimed)
    except ValueError:
        return True
    return (datetime.now(claimed.tzinfo) - claimed).total_seconds() > lease_seconds


@dataclass(frozen=True)
class Entry:
    story_id: str
    source: str
    title: str
    ts: float
    story_status: str
    channel: str
    state: str
    record: ChannelRecord | None = None
    key: str = ""  # the story's key in the record (its first id); the id when empty
    note: str = ""  # what the desk says: why it is held, or that it was approved in a hurry
    priority: bool = False  # a crisis message's: planned and sent before everything else in the run

    @property
    def record_key(self) -> str:
        return self.key or self.story_id

    @property
    def sending(self) -> bool:
        return self.state in SENDING_STATES


@dataclass
class Plan:
    entries: list[Entry] = field(default_factory=list)
    older_unsent: list[tuple[str, str, float]] = field(default_factory=list)  # (story id, source, ts)
    notices: list[str] = field(default_factory=list)  # the desk's: a send stop, unreadable approvals
    # card id → (channel, why) the sendables leave out (a crisis message without image for Instagram)
    left_out: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    @property
    def due(self) -> list[Entry]:
        return [e for e in self.entries if e.sending]

    def by_story(self) -> dict[str, list[Entry]]:
        grouped: dict[str, list[Entry]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.story_id, []).append(entry)
        return grouped


def note_sendables(plan: Plan, sendables) -> Plan:
    """What the sendables say beside their cards (read after their `cards`): notices, and the
    channels they leave out with the reason, which the overviews list with the sends."""
    for group in sendables:
        plan.notices.extend(getattr(group, "notices", ()))
        plan.left_out.update(getattr(group, "left_out_channels", {}))
    return plan


def overview_start(now: float, window_hours: float, overview_days: float) -> float:
    """From when a plan looks at stories: the automatic window or the overview period, the earlier."""
    return min(now - window_hours * 3600, now - overview_days * 86400)


def make_plan(cards: Iterable, receipts: Callable[[str], Receipt | None], recorded: set[str], now: datetime, *,
              window_hours: float, lease_seconds: float, overview_days: float = 0, story: str | None = None,
              channel: str | None = None, ahead: tuple[str, ...] = (), unclear: str | None = None,
              always: set[str] = frozenset(), done: bool = False) -> Plan:
    """Cards: the build's story cards (id, source, title, ts, status, channels, embargo_ts).

    `done` (with `story`): its manual tasks (records.MANUAL) are entered as done by hand, and its
    unknown outcomes (records.UNKNOWN) as sent, once an editor found the post at the channel.
    A card with `priority` (a crisis message's, newsroom/crisis/sends.py) is due at once whatever its
    age (no window) and comes first, oldest first, before every other send of the run.

    `unclear` ("send" or "checked", with `story`): what to do with that story's unclear
    recipients; its other sends are then planned as without `story`. Records named in `always`
    (those with unclear recipients) are planned however old they are.

    Channels in `ahead` (the press) are due from the story's `embargo` time, if it has
    one: the release goes out early, stating the Sperrfrist; every other channel waits
    for the public time."""
    plan = Plan()
    moment = now.timestamp()
    window_start = moment - window_hours * 3600
    looked_at = overview_start(moment, window_hours, overview_days)
    for card in cards:
        if not card.channels or (story and card.id != story):
            continue
        explicit = story is not None
        priority = getattr(card, "priority", False)
        in_window = (priority or window_start <= card.ts) and card.ts <= moment
        early = card.embargo_ts is not None and card.embargo_ts <= moment < card.ts
        key = card.key  # a renamed story's record stays under its first id
        if not (explicit or priority or card.ts >= looked_at or key in always):
            if card.status == "published" and key not in recorded:
                plan.older_unsent.append((card.id, card.source, card.ts))
            continue
        receipt = receipts(key) if key in recorded else None
        for name in card.channels:
            if channel and name != channel:
                continue
            record = receipt.get(name) if receipt else None
            if card.status == "withdrawn":
                state = _withdrawn_state(record, card.ts >= window_start, explicit, lease_seconds)
            else:
                state = _state(card, record, moment, in_window or (early and name in ahead),
                               explicit and not (unclear or done), lease_seconds, early=early and name in ahead)
            if unclear and explicit and state == UNCLEAR:
                state = UNCLEAR_MODES[unclear]
            elif done and explicit and state in (MANUAL, UNKNOWN):
                state = MARK_DONE
            plan.entries.append(Entry(card.id, card.source, card.title, card.ts, card.status, name, state, record,
                                      key if key != card.id else "", priority=priority))
    plan.entries.sort(key=lambda e: (0, e.ts, e.story_id) if e.priority else (1, -e.ts, e.story_id))
    plan.older_unsent.sort(key=lambda item: -item[2])
    return plan


def _state(card, record: ChannelRecord | None, moment: float, in_window: bool, explicit: bool,
           lease_seconds: float, early: bool = False) -> str:
    if card.status != "published":
        return PLANNED if card.status == PLANNED else DRAFT
    if card.ts > moment and not early:
        return SCHEDULED
    if record is None:
        return DUE if in_window or explicit else OUTSIDE
    if record.status == CLAIMED:
        return RECOVER if claim_is_stale(record, lease_seconds) else IN_FLIGHT
    if record.status == RETRY:
        return DUE if in_window or explicit else OUTSIDE
    if record.status in (FAILED, UNKNOWN):
        return RESEND if explicit else record.status
    if record.status == UNCLEAR:
        return UNCLEAR  # at most once: mailed again only on purpose (make_plan's `unclear`)
    if record.status == CANCELLED:
        return RESEND if explicit else CANCELLED  # withdrawn, then published again: sent only on purpose
    if record.status == MANUAL:
        return MANUAL
    return SENT


def _withdrawn_state(record: ChannelRecord | None, recent: bool, explicit: bool, lease_seconds: float) -> str:
    """A withdrawn story: what was sent stays (its withdrawal takes it back), what is pending is cancelled."""
    if record is None:
        return CANCEL if recent or explicit else NEVER  # was due or scheduled: the record says why it never went
    if record.status == CLAIMED:
        # A live run finishes; a dead one's claim is cancelled after asking the channel whether it arrived.
        return CANCEL if claim_is_stale(record, lease_seconds) else IN_FLIGHT
    if record.status in (RETRY, FAILED):
        return CANCEL
    return record.status  # SENT, UNCLEAR, UNKNOWN, MANUAL, CANCELLED
