"""The week plan of the desk: per day, every story that is planned, scheduled, under embargo or
published then, with its owner, its approval and each channel's send state.

Only cards whose time falls into the week are looked at (one pass over the archive's cards;
the plan of sends and the approvals only for those), so the desk costs the same at 100,000
stories as at 100.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from newsroom.dates import BERLIN
from newsroom.desk.approvals import NOT_NEEDED, Verdict
from newsroom.desk.gate import DeskGate
from newsroom.desk.roster import Roster, read_roster
from newsroom.desk.worktree import WorkingTreeFiles
from newsroom.errors import ContentError, ContentErrors, PublishError
from newsroom.publishing.overview import language_label
from newsroom.publishing.plan import Entry, make_plan
from newsroom.publishing.records import MANUAL, SENT, ReceiptFolder, parse_receipt

KIND_LABELS = {
    "planned": "in Planung", "draft": "Entwurf", "scheduled": "geplant (erscheint automatisch)",
    "embargo": "Sperrfrist: Pressemitteilung vorab", "published": "online", "withdrawn": "zurückgezogen",
}
DAY_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


@dataclass(frozen=True)
class Item:
    card: object  # newsroom.build.state.Card
    kind: str
    moment: datetime
    entries: tuple[Entry, ...]  # the channels' send states
    verdict: Verdict | None  # None: no channel, nothing to approve
    how: tuple[str, ...] = ()  # how the counting approvals were made (lokal, signiert)
    translated: tuple[Translated, ...] = ()  # the sends of its translations that chose channels

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class Translated:
    """A translation's own sends, shown under its German story (newsroom/languages/sends.py)."""

    card: object  # newsroom.languages.sends.TranslationSendCard
    language: str  # its name in German: „Englisch“
    entries: tuple[Entry, ...]
    verdict: Verdict | None  # its own version is approved (`invoke approve <key>.en`)


@dataclass(frozen=True)
class Day:
    day: date
    on_duty: tuple[str, ...]
    items: tuple[Item, ...]
    events: tuple = ()  # newsroom.build.context.CalendarEntry: press appointments and the like

    @property
    def name(self) -> str:
        return DAY_NAMES[self.day.weekday()]


@dataclass
class Week:
    start: date
    days: list[Day]
    stop: object | None = None  # newsroom.desk.send_stop.SendStop
    notices: list[str] = field(default_factory=list)
    sends: dict = field(default_factory=dict)  # an event's key → its mail's send states

    @property
    def items(self) -> list[Item]:
        return [item for day in self.days for item in day.items]

    def only(self, keep, keep_event=lambda event: False) -> Week:
        """The same week with only the items `keep(card)` and events `keep_event(entry)` accept (the filters)."""
        days = [Day(d.day, d.on_duty, tuple(i for i in d.items if keep(i.card)), tuple(filter(keep_event, d.events)))
                for d in self.days]
        return Week(self.start, days, self.stop, self.notices, self.sends)


def monday_of(moment: datetime) -> date:
    day = moment.astimezone(BERLIN).date()
    return day - timedelta(days=day.weekday())


@dataclass
class DeskSources:
    """What every week of the desk reads, read once per desk: the record of sends, the approvals
    and send stop (the gate), the roster."""

    receipts: ReceiptFolder
    recorded: set[str]
    gate: DeskGate
    roster: Roster
    notices: list[str]
    files: WorkingTreeFiles | None = None

    def confirmed(self, entries) -> tuple[Entry, ...]:
        """The entries with every manual task that the publishing branch, as last fetched, has confirmed
        shown as such: confirmed on the desk, it is done before anyone pulls."""
        return tuple(self._confirmed(entry) if entry.state == MANUAL else entry for entry in entries)

    def _confirmed(self, entry: Entry) -> Entry:
        folder = self.receipts.folder.name
        text = self.files.read_fetched(f"{folder}/{entry.record_key}.yml") if self.files else None
        try:
            record = parse_receipt(text, entry.record_key).get(entry.channel) if text else None
        except PublishError:
            record = None
        return replace(entry, state=SENT, record=record) if record is not None and record.status == SENT else entry


def desk_sources(settings: dict) -> DeskSources:
    content = Path(settings["PATH"])
    receipts = ReceiptFolder(content / settings["PUBLISH_RECEIPTS_DIR"], content.parent)
    files = WorkingTreeFiles(content, settings["PUBLISH_REMOTE"], settings["PUBLISH_BRANCH"], settings["APPROVALS_DIR"])
    gate = DeskGate(files, settings, check_signatures=False)
    roster, notices = _roster(files, settings)
    return DeskSources(receipts, receipts.ids(), gate, roster, notices + gate.problems, files)


def week_plan(cards: list, settings: dict, start: date, now: datetime, sources: DeskSources, events=(),
              sends: dict | None = None, translated=()) -> Week:
    """The seven days from `start` (a Monday); `events` are dated entries besides the stories, and
    `sends` their mails' send states by key (`event_sends`); `translated`: the translations' send cards,
    shown under their stories."""
    begin = datetime.combine(start, time(0), BERLIN).timestamp()
    end = datetime.combine(start + timedelta(days=7), time(0), BERLIN).timestamp()
    moments: list[tuple[float, str, object]] = []
    for card in cards:
        if begin <= card.ts < end:
            moments.append((card.ts, _kind(card, now.timestamp()), card))
        if card.embargo_ts is not None and begin <= card.embargo_ts < end and card.status == "published":
            moments.append((card.embargo_ts, "embargo", card))
    in_week = list({id(c): c for _ts, _kind_, c in moments}.values())
    by_original: dict[str, list] = {}
    for item in translated:
        by_original.setdefault(item.original.id, []).append(item)
    also = [t for c in in_week for t in by_original.get(c.id, ())]
    plan = make_plan([c for c in in_week if c.channels] + also, sources.receipts.receipt, sources.recorded, now,
                     window_hours=settings["PUBLISH_WINDOW_HOURS"],
                     lease_seconds=settings["PUBLISH_CLAIM_LEASE_MINUTES"] * 60, overview_days=10_000,
                     ahead=tuple(settings["PUBLISH_AHEAD_CHANNELS"]))
    entries = plan.by_story()
    verdicts = {c.id: _verdict(sources.gate, c) for c in [*in_week, *also]
                if c.channels and c.status in ("published", "withdrawn")}
    by_day: dict[date, list[Item]] = {}
    for ts, kind, card in sorted(moments, key=lambda m: (m[0], m[2].id, m[1])):
        moment = datetime.fromtimestamp(ts, BERLIN)
        verdict, how = verdicts.get(card.id, (None, ()))
        languages = () if kind == "embargo" else tuple(
            Translated(t, language_label(t.id), sources.confirmed(entries.get(t.id, ())),
                       verdicts.get(t.id, (None,))[0]) for t in by_original.get(card.id, ()))
        by_day.setdefault(moment.date(), []).append(
            Item(card, kind, moment, sources.confirmed(entries.get(card.id, ())), verdict, how, languages))
    on_day: dict[date, list] = {}
    for event in sorted(events, key=lambda e: (e.moment, e.title)):
        if begin <= event.moment.timestamp() < end:
            on_day.setdefault(event.moment.astimezone(BERLIN).date(), []).append(event)
    days = [Day(d, sources.roster.on_duty(d), tuple(by_day.get(d, ())), tuple(on_day.get(d, ())))
            for d in (start + timedelta(n) for n in range(7))]
    return Week(start, days, sources.gate.stop, sources.notices, sends or {})


def event_sends(sendables, sources: DeskSources, settings: dict, now: datetime) -> dict[str, tuple]:
    """Event key → the send states of its current mail (what the publish run would do now)."""
    receipt, recorded = sources.receipts.receipt, sources.recorded
    cards = [card for group in sendables for card in group.cards(receipt, recorded)]
    if not cards:
        return {}
    plan = make_plan(cards, receipt, recorded, now, window_hours=settings["PUBLISH_WINDOW_HOURS"],
                     lease_seconds=settings["PUBLISH_CLAIM_LEASE_MINUTES"] * 60, overview_days=10_000)
    by_card = plan.by_story()
    return {card.appointment.id: tuple(by_card.get(card.id, ())) for card in cards if hasattr(card, "appointment")}


def _kind(card, now: float) -> str:
    if card.status in ("planned", "draft", "withdrawn"):
        return card.status
    return "scheduled" if card.ts > now else "published"


def _verdict(gate: DeskGate, card, due: float | None = None) -> tuple[Verdict, tuple[str, ...]]:
    if due is None:
        due = card.embargo_ts if card.embargo_ts is not None else card.ts
    verdict = gate.verdict(card, due)
    if verdict.status == NOT_NEEDED:
        return verdict, ()
    return verdict, tuple(sorted({a.how for a in verdict.approvals}))


def _roster(files: WorkingTreeFiles, settings: dict) -> tuple[Roster, list[str]]:
    try:
        return read_roster(files, settings), []
    except ContentError as exc:
        return Roster({}, {}), [f"Dienstplan nicht lesbar: {exc}"]
    except ContentErrors as exc:
        return Roster({}, {}), [f"Dienstplan nicht lesbar: {'; '.join(map(str, exc.errors))}"]


@dataclass(frozen=True)
class FollowUpItem:
    """A correction or withdrawal on the desk: its channels' states and the story version's approval."""

    card: object  # newsroom.publishing.followups.FollowUpCard
    moment: datetime
    entries: tuple[Entry, ...]
    verdict: Verdict | None
    how: tuple[str, ...] = ()

    @property
    def open(self) -> bool:
        return any(e.state not in ("sent", "cancelled", "never") for e in self.entries)

    @property
    def label(self) -> str:
        """„Berichtigung“, „Rücknahme“; for a translation's posts with its language: „Rücknahme (Englisch)“."""
        kind = self.card.title.split(":", 1)[0]
        language = language_label(self.card.id)
        return f"{kind} ({language})" if language else kind


def follow_ups(archive, settings: dict, now: datetime, sources: DeskSources, days: int = 14) -> list[FollowUpItem]:
    """Corrections and withdrawals of the last `days` days, and older ones with something still open
    (a manual task, an unclear outcome, a send held or due), newest first."""
    from newsroom.publishing.followups import StoryFollowUps, is_follow_up

    since = now.timestamp() - days * 86400
    # Older ones can be open only when they have a record of their own: the rest stay unread.
    recorded = {key for key in sources.recorded if is_follow_up(key)}
    cards = StoryFollowUps(archive, None, since=since, keep=recorded).cards(sources.receipts.receipt,
                                                                            sources.recorded)
    if not cards:
        return []
    plan = make_plan(cards, sources.receipts.receipt, sources.recorded, now,
                     window_hours=settings["PUBLISH_WINDOW_HOURS"],
                     lease_seconds=settings["PUBLISH_CLAIM_LEASE_MINUTES"] * 60, overview_days=10_000)
    entries = plan.by_story()
    items = []
    for card in sorted(cards, key=lambda c: (-c.ts, c.id)):
        verdict, how = _verdict(sources.gate, card.approves, card.ts)
        item = FollowUpItem(card, datetime.fromtimestamp(card.ts, BERLIN), sources.confirmed(entries.get(card.id, ())),
                            verdict, how)
        if card.ts >= since or item.open:
            items.append(item)
    return items


@dataclass(frozen=True)
class PriorityItem:
    """A send that goes before everything else (the crisis message's alert, update, all-clear) at the
    top of the desk: its channels' states, held ones marked as waiting for approval, and the verdict."""

    card: object  # newsroom.crisis.sends.CrisisCard
    moment: datetime
    entries: tuple[Entry, ...]
    verdict: Verdict | None
    how: tuple[str, ...] = ()


def priority_sends(sendables, sources: DeskSources, settings: dict, now: datetime) -> tuple[list, list[str]]:
    """The sendables' priority cards with what the publish run would do now, and their notices."""
    from newsroom.publishing.plan import DUE, RESEND, UNAPPROVED

    receipt, recorded = sources.receipts.receipt, sources.recorded
    groups = [group for group in sendables if getattr(group, "priority", False)]
    cards = [card for group in groups for card in group.cards(receipt, recorded)]
    notices = [notice for group in groups for notice in getattr(group, "notices", ())]
    if not cards:
        return [], notices
    plan = make_plan(cards, receipt, recorded, now, window_hours=settings["PUBLISH_WINDOW_HOURS"],
                     lease_seconds=settings["PUBLISH_CLAIM_LEASE_MINUTES"] * 60, overview_days=10_000)
    by_card = plan.by_story()
    items = []
    for card in cards:
        verdict, how = _verdict(sources.gate, getattr(card, "approves", None) or card, card.ts)
        entries = tuple(replace(entry, state=UNAPPROVED, note="wartet auf Freigabe")
                        if entry.state in (DUE, RESEND) and not verdict.sendable else entry
                        for entry in by_card.get(card.id, ()))
        items.append(PriorityItem(card, datetime.fromtimestamp(card.ts, BERLIN), entries, verdict, how))
    return items, notices
