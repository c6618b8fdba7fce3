"""The publish run: plan, claim, send, record – every due send exactly once.

1. Fetch the record of sends and plan (plan.py).
2. Claim every due send in one commit and push it. A rejected push means another run
   was faster: fetch, plan again, never send blindly.
3. Send each claim on its own (one failing channel never blocks another) and record the
   receipt in its own commit: sent with the remote's id and address, failed, retry later.
4. A claim left without receipt (the run died) is recovered by the next run: looked up
   at the channel first, or re-sent with the same idempotency key; otherwise it is
   marked unknown for the Chef vom Dienst, never sent twice.
5. A send that finished with recipients of unknown fate (records.UNCLEAR) makes every
   run fail until the Chef vom Dienst sends to exactly them (`unclear="send"`) or marks
   them checked (`unclear="checked"`).
6. Corrections and withdrawals (followups.py) go through the same steps; a pending send of
   a withdrawn story is cancelled (recorded, nothing sent), and what a channel's API cannot
   do is recorded as a manual task (records.MANUAL) until `done` enters it as done by hand.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from newsroom.dates import BERLIN
from newsroom.desk.alerts import notify, stuck_alerts
from newsroom.desk.approvals import URGENT
from newsroom.desk.expiry import record_expiries
from newsroom.desk.gate import DeskGate
from newsroom.errors import LedgerConflict, ManualTask, OutcomeUnknown, PublishError, SendError
from newsroom.publishing.channel import PUBLISH, Channel, ClaimFiles, Delivery, Post, SendContext, channel_classes
from newsroom.publishing.followups import FollowUpCard, StoryFollowUps
from newsroom.publishing.http import HttpClient
from newsroom.publishing.ledger import Ledger
from newsroom.publishing.lineage import vanished_ids
from newsroom.publishing.overview import unknown_hint
from newsroom.publishing.plan import (
    CANCEL,
    CHECK_UNCLEAR,
    DUE,
    MARK_DONE,
    RECORDING_STATES,
    RECOVER,
    RESEND,
    SEND_UNCLEAR,
    STOPPED,
    UNAPPROVED,
    UNCLEAR_MODES,
    Entry,
    Plan,
    make_plan,
    note_sendables,
    overview_start,
    this_run,
)
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
from newsroom.publishing.release import release_maker
from newsroom.secrets import redact
from newsroom.site import SiteUrls

if TYPE_CHECKING:
    from newsroom.build.context import BuildContext

logger = logging.getLogger("newsroom.publishing")

BLOCKED = "blocked"  # not claimed: no adapter, no credentials, or a post the channel would refuse
HELD = "held"  # not claimed: the desk holds it (send stop, no approval); waits, not an error
MAX_CONFLICTS = 10


def _now() -> str:
    return datetime.now(BERLIN).replace(microsecond=0).isoformat()


@dataclass
class Outcome:
    story_id: str
    channel: str
    status: str  # SENT, UNCLEAR, FAILED, RETRY, UNKNOWN or BLOCKED; "ready" in a dry run
    message: str = ""
    delivery: Delivery | None = None
    post: Post | None = None
    attempt: str = ""  # the claim's idempotency key: what an alert to the person on duty is about
    number: str | None = None  # the press release's number its record carries ("PM 123/2026")


@dataclass
class Job:
    entry: Entry
    adapter: Channel
    post: Post
    record: ChannelRecord | None = None  # the claim, once made

    @property
    def reuses_key(self) -> bool:
        """A claim or retry of an earlier run: that run may have reached the channel."""
        previous = self.entry.record
        return previous is not None and self.entry.state != RESEND


@dataclass
class PublishReport:
    plan: Plan
    where: str
    dry_run: bool = False
    outcomes: list[Outcome] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)  # what the person on duty was told (newsroom/desk/alerts.py)
    expiring: dict = field(default_factory=dict)  # channel → when its credentials stop working (soon)
    revision: str | None = None  # the record of sends after this run (a git commit)

    @property
    def numbered(self) -> list[str]:
        """Keys of the releases that went out with a number in this run: their pages show it."""
        return [o.story_id for o in self.outcomes if o.number and o.status in (SENT, UNCLEAR)]

    @property
    def ok(self) -> bool:
        return all(o.status in (SENT, "ready", HELD, CANCELLED, MANUAL) for o in self.outcomes) and not self.unclear

    @property
    def unclear(self) -> list[tuple[str, str, int]]:
        """(story id, channel, count) of every send with unclear recipients after this run."""
        done = {(o.story_id, o.channel) for o in self.outcomes}
        found = [(o.story_id, o.channel, o.delivery.unclear) for o in self.outcomes
                 if o.status == UNCLEAR and o.delivery is not None]
        found += [(e.story_id, e.channel, e.record.unclear or 0) for e in self.plan.entries
                  if e.state == UNCLEAR and (e.story_id, e.channel) not in done]
        return found


def ledger_from_settings(settings: dict) -> Ledger:
    name, email = settings["PUBLISH_GIT_AUTHOR"]
    return Ledger(Path(settings["PATH"]), settings["PUBLISH_RECEIPTS_DIR"], remote=settings["PUBLISH_REMOTE"],
                  branch=settings["PUBLISH_BRANCH"], author=(name, email))


class Publisher:
    def __init__(self, settings: dict, build: BuildContext, *, environ=None, dry_run: bool = False,
                 story: str | None = None, channel: str | None = None, unclear: str | None = None,
                 done: bool = False):
        self.settings = settings
        self.stories = self.cards = build.all_stories
        self.story_ids = self.by_id = build.archive.by_id
        self.sendables = build.sendables  # e.g. the press appointments' mails, planned with the stories
        self.release = release_maker(build, settings)
        self.releases: dict[str, object] = {}  # card id → its Release maker, for the sendables' cards
        # card id → the sendables that draw each channel's post themselves (`render(adapter, card)`)
        self.renderers: dict[str, object] = {}
        self.dry_run, self.story, self.channel, self.unclear, self.done = dry_run, story, channel, unclear, done
        self.followups = StoryFollowUps(build.archive, self.release)
        self.ledger = ledger_from_settings(settings)
        urls = SiteUrls.from_settings(settings)
        self.adapters = {name: cls(settings, urls, environ) for name, cls in channel_classes().items()}
        self.environ = environ
        self.run_id = this_run()
        if done and not (story and channel):
            raise PublishError("Eine Aufgabe von Hand wird für einen Versand auf einmal eingetragen: "
                               "„invoke publish --story ID --channel NAME --done“.")
        if channel and channel not in settings["CHANNELS"]:
            raise PublishError(f"Unbekannter Kanal „{channel}“. Bekannt: {', '.join(settings['CHANNELS'])}.")
        if unclear and (unclear not in UNCLEAR_MODES or not story):
            raise PublishError("Unklare Empfänger werden nur für eine Meldung auf einmal geklärt: "
                               "„invoke publish --story ID --channel press --send-unclear“ oder „… --unclear-checked“.")

    def plan(self) -> Plan:
        self.ledger.sync()
        settings = self.settings
        self._follow_ups_since(settings)
        self._add_sendables()
        if self.story and self.story not in self.by_id:
            raise PublishError(f"Keine Meldung und kein Termin hat die id „{self.story}“.")
        self._check_lineage()
        plan = make_plan(self.cards, self.ledger.receipt, self.ledger.story_ids(), settings["BUILD_NOW"],
                         window_hours=settings["PUBLISH_WINDOW_HOURS"],
                         lease_seconds=settings["PUBLISH_CLAIM_LEASE_MINUTES"] * 60,
                         overview_days=settings["PUBLISH_OVERVIEW_DAYS"], story=self.story, channel=self.channel,
                         ahead=tuple(settings["PUBLISH_AHEAD_CHANNELS"]), unclear=self.unclear,
                         always=self.ledger.unclear_ids(), done=self.done)
        return self._held_by_desk(note_sendables(plan, self.sendables))

    def _follow_ups_since(self, settings: dict) -> None:
        """Only follow-ups the plan will look at have their first sends read from the record: at
        100,000 stories the corrected and withdrawn ones of past years stay unread."""
        since = overview_start(settings["BUILD_NOW"].timestamp(), settings["PUBLISH_WINDOW_HOURS"],
                               settings["PUBLISH_OVERVIEW_DAYS"])
        self.followups.since = None if self.story else since
        self.followups.keep = self.ledger.unclear_ids()

    def _add_sendables(self) -> None:
        """The sendables' cards as the record now stands (which mail is due depends on what was sent)."""
        self.cards, self.by_id, self.releases, self.renderers = self.stories, self.story_ids, {}, {}
        extra = []
        for sendables in [*self.sendables, self.followups]:
            for card in sendables.cards(self.ledger.receipt, self.ledger.story_ids()):
                extra.append(card)
                self.releases[card.id] = sendables.release
                if hasattr(sendables, "render") and sendables is not self.followups:
                    self.renderers[card.id] = sendables
        if extra:
            self.cards = [*self.stories, *extra]
            self.by_id = {**self.story_ids, **{card.id: card for card in extra}}

    def _held_by_desk(self, plan: Plan) -> Plan:
        """The send stop holds every send; a first send (or one asked for) of a story that falls
        due after APPROVAL_SINCE needs its version approved by a second person."""
        gate = DeskGate(self.ledger, self.settings)
        if gate.stop is not None:
            plan.notices.append(gate.stop.label)
        ahead = set(self.settings["PUBLISH_AHEAD_CHANNELS"])
        verdicts = {}
        entries = []
        for entry in plan.entries:
            if entry.sending and entry.state not in RECORDING_STATES and gate.stop is not None:
                entry = replace(entry, state=STOPPED, note=gate.stop.label)
            elif entry.state in (DUE, RESEND) and getattr(self.by_id[entry.story_id], "needs_approval", True):
                # A correction or withdrawal is approved with the story's version that contains it;
                # a card that only lists approved stories (a digest) needs no approval of its own.
                planned = self.by_id[entry.story_id]
                card = getattr(planned, "approves", None) or planned
                early = entry.channel in ahead and planned.embargo_ts is not None and planned.embargo_ts < planned.ts
                due = planned.embargo_ts if early else planned.ts
                verdict = verdicts.get((card.id, due)) or verdicts.setdefault((card.id, due), gate.verdict(card, due))
                if not verdict.sendable:
                    entry = replace(entry, state=UNAPPROVED, note=f"{verdict.label}. Eine zweite Person gibt frei: "
                                                                   f"„invoke approve {card.id}“")
                elif verdict.status == URGENT:
                    entry = replace(entry, note=verdict.label)
            entries.append(entry)
        plan.entries = entries
        plan.notices.extend(gate.problems)
        plan.notices.extend(stuck_alerts(self.ledger))
        return plan

    def _check_lineage(self) -> None:
        """The build checked the checkout's record; the pushed one may know more sends."""
        content = Path(self.settings["PATH"])
        problems = vanished_ids(self.stories, self.ledger.story_ids(), self.ledger.receipt,
                                receipts_dir=content / self.settings["PUBLISH_RECEIPTS_DIR"],
                                stories_dir=content / self.settings["STORIES_DIR"], display_root=content.parent,
                                rev=self.ledger.base or "HEAD")
        if problems:
            raise PublishError("\n".join(str(p) for p in problems) + "\nNichts gesendet.")

    def run(self) -> PublishReport:
        report, jobs = self._pass()
        if not self.dry_run and not self.story and any(job.entry.priority for job in jobs):
            # A crisis message's first alert went out: its updates and all-clear, which answer it and so
            # waited for it, are planned once more and sent in this run rather than the next.
            again, more = self._pass(follow_up=True)
            done = {(o.story_id, o.channel) for o in report.outcomes}
            report.outcomes.extend(o for o in again.outcomes if (o.story_id, o.channel) not in done)
            jobs += more
        return report if self.dry_run else self._finish(report, jobs)

    def _pass(self, follow_up: bool = False) -> tuple[PublishReport, list[Job]]:
        """Plan, claim and send once. `follow_up`: only priority sends never tried before (see run)."""
        for _ in range(MAX_CONFLICTS):
            plan = self.plan()
            if self.unclear and not any(e.state in (SEND_UNCLEAR, CHECK_UNCLEAR) for e in plan.entries):
                raise PublishError(f"Meldung „{self.story}“: keine unklaren Empfänger"
                                   f"{f' im Kanal „{self.channel}“' if self.channel else ''}; nichts gesendet.")
            report = PublishReport(plan, self.ledger.where, self.dry_run)
            report.outcomes.extend(Outcome(e.story_id, e.channel, HELD, e.note) for e in plan.entries
                                   if e.state in (STOPPED, UNAPPROVED) and (e.priority or not follow_up))
            due = [e for e in plan.due if e.priority and e.record is None] if follow_up else plan.due
            jobs = self._prepare(due, report)
            if self.dry_run or not jobs:
                return report, jobs
            try:
                self._claim(jobs)
            except LedgerConflict as exc:
                logger.info("%s Neu planen.", exc)
                time.sleep(random.uniform(0.05, 0.5))
                continue
            break
        else:
            raise PublishError(f"Versandprotokoll {self.ledger.where}: nach {MAX_CONFLICTS} Versuchen immer noch "
                               "von anderen Läufen geändert; nichts gesendet.")
        for job in jobs:
            outcome = self._send(job)
            outcome.post, outcome.attempt = job.post, job.record.key
            report.outcomes.append(outcome)
            self._record(job, outcome)
            outcome.number = job.record.detail.get("number") if job.post.action == PUBLISH else None
        return report, jobs

    def _finish(self, report: PublishReport, jobs: list[Job]) -> PublishReport:
        """Tell the person on duty what went wrong and which credentials run out soon."""
        report.expiring = self._expiring()
        report.revision = self.ledger.base
        titles = {job.entry.story_id: job.entry.title for job in jobs}
        report.alerts = notify(report, self.settings, self.ledger, titles, environ=self.environ,
                               now=self.settings["BUILD_NOW"])
        return report

    def _expiring(self) -> dict:
        """Channels whose platform says their credentials stop working within PUBLISH_CREDENTIALS_WARN_DAYS.
        Every date the platforms name goes into the record for the desk (newsroom/desk/expiry.py)."""
        now, days = self.settings["BUILD_NOW"], self.settings["PUBLISH_CREDENTIALS_WARN_DAYS"]
        found, known, unasked = {}, {}, set()
        for name in self.settings["CHANNELS"]:
            adapter = self.adapters.get(name)
            if adapter is None or adapter.missing_credentials():
                continue
            client = HttpClient(adapter.label, deadline=float(self.settings["PUBLISH_RETRY_SECONDS"]),
                                timeout=tuple(self.settings["PUBLISH_HTTP_TIMEOUT"]))
            try:
                expires = adapter.credential_expiry(client)
            except (SendError, ValueError, OSError) as exc:
                logger.warning("%s: Ablauf der Zugangsdaten nicht abfragbar: %s", adapter.label, redact(str(exc)))
                unasked.add(name)
                continue
            if expires is not None:
                known[name] = expires
            if expires is not None and (expires - now).total_seconds() <= days * 86400:
                found[name] = expires
        record_expiries(self.ledger, known, unasked)
        return found

    def _prepare(self, due: list[Entry], report: PublishReport) -> list[Job]:
        """Render and validate every due post; only sendable ones are claimed."""
        jobs = []
        for entry in due:
            adapter = self.adapters.get(entry.channel)
            card = self.by_id[entry.story_id]
            original = self.followups.original(card, entry.channel) if isinstance(card, FollowUpCard) else None
            blocked = None
            if adapter is None:
                blocked = "Für diesen Kanal ist kein Adapter geladen (Plugin in PLUGINS?)."
            elif (not self.dry_run and entry.state not in (CHECK_UNCLEAR, *RECORDING_STATES)
                  and adapter.missing_credentials()):
                blocked = f"Zugangsdaten fehlen: {', '.join(adapter.missing_credentials())}."
            elif isinstance(card, FollowUpCard) and original is None:
                blocked = "Die erste Sendung ist im Versandprotokoll nicht zu finden."
            post = None
            if adapter is not None and blocked is None:
                if isinstance(card, FollowUpCard):
                    post = self.followups.render(adapter, card, original)
                elif entry.story_id in self.renderers:
                    post = self.renderers[entry.story_id].render(adapter, card)
                else:
                    make = self.releases.get(entry.story_id, self.release)
                    post = adapter.render(make(card))
                # Channels know the story by its key: a renamed story keeps its numbers, hashes, Message-IDs.
                post = replace(post, story_id=entry.record_key)
                problems = adapter.validate(post) if entry.state not in RECORDING_STATES else []
                if problems:
                    blocked = " ".join(problems)
            if blocked:
                report.outcomes.append(Outcome(entry.story_id, entry.channel, BLOCKED, blocked))
            elif self.dry_run:
                report.outcomes.append(Outcome(entry.story_id, entry.channel, "ready", post=post))
            else:
                jobs.append(Job(entry, adapter, post))
        return jobs

    def _claim(self, jobs: list[Job]) -> None:
        """One commit claims every job; pushed before anything is sent."""
        receipts: dict[str, Receipt] = {}
        files = ClaimFiles(self.ledger.read)
        claimed = _now()
        for job in jobs:
            story_id, previous = job.entry.record_key, job.entry.record
            receipt = receipts.get(story_id) or self.ledger.receipt(story_id) or Receipt(story_id)
            receipt = replace(receipt, source=job.entry.source)
            attempts = previous.attempts + 1 if previous else 1
            key = previous.key if job.reuses_key else f"{story_id}-{job.entry.channel}-{attempts}"
            detail = dict(previous.detail) if previous else {}
            detail.update(self.by_id[job.entry.story_id].claim_detail)
            if job.entry.state not in RECORDING_STATES:
                detail.update(job.adapter.prepare_claim(job.post, detail, files))
            job.record = ChannelRecord(CLAIMED, key, self.run_id, claimed, attempts, post=job.post.digest(),
                                       detail=detail)
            receipts[story_id] = receipt.with_record(job.entry.channel, job.record)
        names = ", ".join(f"{j.entry.story_id}/{j.entry.channel}" for j in jobs)
        self.ledger.write(list(receipts.values()), f"publish: claim {names}", files.changed)

    def _send(self, job: Job) -> Outcome:
        adapter, post, entry = job.adapter, job.post, job.entry
        client = HttpClient(adapter.label, deadline=float(self.settings["PUBLISH_RETRY_SECONDS"]),
                            timeout=tuple(self.settings["PUBLISH_HTTP_TIMEOUT"]))
        context = SendContext(job.record.key, client, dict(job.record.detail),
                              checkpoint=lambda detail: self._checkpoint(job, detail),
                              unclear=entry.state == SEND_UNCLEAR)

        def outcome(status: str, message: str = "", delivery: Delivery | None = None) -> Outcome:
            return Outcome(entry.story_id, entry.channel, status, redact(message), delivery)

        looks_up, idempotent = adapter.looks_up(post.action), adapter.idempotent_for(post.action)
        try:
            if entry.state == CHECK_UNCLEAR:  # nobody is mailed: the record says they were checked
                previous = entry.record
                delivery = Delivery(previous.remote_id or "", previous.url, adapter.check_unclear(context.detail),
                                    note=f"{previous.unclear or 0} unklare Empfänger als geprüft eingetragen; "
                                         "nichts gesendet.")
                return outcome(SENT, delivery.note, delivery)
            if entry.state == MARK_DONE:
                done = "beim Kanal geprüft: angekommen" if entry.record.status == UNKNOWN else "von Hand erledigt"
                return outcome(SENT, f"{done} (eingetragen auf Anweisung); nichts gesendet.",
                               Delivery(entry.record.remote_id or "", entry.record.url))
            if entry.state == CANCEL:
                return self._cancel(job, context, outcome)
            if post.action != PUBLISH and post.original.get("status") == UNKNOWN:
                return outcome(MANUAL, "Ob die erste Sendung ankam, ist unklar; bitte beim Kanal prüfen und von "
                                       f"Hand erledigen: {post.text}")
            # Looking first also covers a lost or deleted record: what exists is never posted again.
            if looks_up:
                found = adapter.find(post, context)
                if found:
                    return outcome(SENT, "beim Kanal gefunden (früher gesendet)", found)
            elif (job.reuses_key and not idempotent and entry.state == RECOVER
                  and adapter.may_have_sent(context.detail, context.key)):
                return outcome(UNKNOWN, "Ein Lauf brach beim Senden ab, und dieser Kanal kann nicht nachsehen, "
                                        f"ob der Beitrag ankam. Bitte beim Kanal prüfen. "
                                        f"{unknown_hint(entry.story_id, entry.channel)}")
            attempt = 0
            while True:
                try:
                    delivery = adapter.deliver(post, context)
                    return outcome(UNCLEAR if delivery.unclear else SENT, delivery.note, delivery)
                except OutcomeUnknown as exc:
                    if looks_up:
                        found = adapter.find(post, context)
                        if found:
                            return outcome(SENT, "nach verlorener Antwort beim Kanal gefunden", found)
                    elif not idempotent:
                        return outcome(UNKNOWN, f"{exc} Bitte beim Kanal prüfen. "
                                                f"{unknown_hint(entry.story_id, entry.channel)}")
                    client.pause(attempt, str(exc))
                    attempt += 1
        except ManualTask as exc:
            return outcome(MANUAL, str(exc))
        except SendError as exc:
            return outcome(RETRY if exc.retry else FAILED, str(exc))
        except Exception as exc:  # noqa: BLE001 – a bug in an adapter: the send may have happened
            logger.exception("Kanal %s: interner Fehler", entry.channel)
            return outcome(UNKNOWN, f"Interner Fehler im Kanal-Adapter: {type(exc).__name__}: {exc}")

    def _cancel(self, job: Job, context: SendContext, outcome) -> Outcome:
        """A pending send of a withdrawn story: recorded as cancelled. A claim left by a run that
        died may have reached the channel: asked first where it can be, else left for an editor."""
        adapter, previous = job.adapter, job.entry.record
        if previous is None or previous.status != CLAIMED:
            return outcome(CANCELLED, "Meldung zurückgezogen: nicht gesendet.")
        if not adapter.may_have_sent(previous.detail, previous.key):
            return outcome(CANCELLED, "Meldung zurückgezogen; der abgebrochene Lauf hatte nicht zu senden begonnen.")
        if adapter.looks_up(job.post.action) and not adapter.missing_credentials():
            found = adapter.find(job.post, context)
            if found:
                return outcome(SENT, "beim Kanal gefunden (vor der Rücknahme gesendet); die Rücknahme folgt.", found)
            # A thread cut off half-way: what is out counts as sent, so the withdrawal deletes it.
            part = adapter.sent_so_far(job.post, context)
            if part:
                return outcome(SENT, f"{len(part.detail['thread'])} Teil(e) des Threads waren vor der Rücknahme "
                                     "gesendet; die Rücknahme löscht sie.", part)
            return outcome(CANCELLED, "Meldung zurückgezogen; beim Kanal nicht gefunden, also nicht gesendet.")
        return outcome(UNKNOWN, "Meldung zurückgezogen, aber ein abgebrochener Lauf hat sie vielleicht schon "
                                "gesendet, und dieser Kanal kann das nicht nachsehen. Bitte beim Kanal prüfen und "
                                "den Beitrag gegebenenfalls von Hand löschen.")

    def _record(self, job: Job, outcome: Outcome) -> None:
        delivery = outcome.delivery
        final = replace(job.record, status=outcome.status, finished=_now(), error=(outcome.message or None) if outcome.status != SENT else None,
                        remote_id=delivery.remote_id if delivery else None, url=delivery.url if delivery else None,
                        unclear=(delivery.unclear or None) if delivery else None,
                        detail={**job.record.detail, **(dict(delivery.detail) if delivery else {})})
        job.record = final
        self._write(job, f"publish: {job.entry.channel} {outcome.status} for {job.entry.story_id}", outcome)

    def _checkpoint(self, job: Job, detail: dict) -> None:
        """Progress of a long send (e.g. recipients served), recorded while still claimed."""
        job.record = replace(job.record, detail={**job.record.detail, **detail})
        if not self._write(job, f"publish: {job.entry.channel} progress for {job.entry.story_id}"):
            raise SendError(f"Fortschritt nicht im Versandprotokoll gespeichert ({self.ledger.where}); Versand "
                            "angehalten, der nächste Lauf setzt fort.", retry=True)

    def _write(self, job: Job, message: str, outcome: Outcome | None = None) -> bool:
        story_id, channel = job.entry.record_key, job.entry.channel
        for attempt in range(MAX_CONFLICTS):
            try:
                if attempt:
                    self.ledger.sync()
                receipt = replace(self.ledger.receipt(story_id) or Receipt(story_id), source=job.entry.source)
                current = receipt.get(channel)
                if current is not None and current.run != job.record.run:
                    logger.warning("%s/%s: Eintrag gehört inzwischen Lauf %s; dieser Lauf (%s) trägt trotzdem "
                                   "sein Ergebnis ein.", story_id, channel, current.run, job.record.run)
                self.ledger.write([receipt.with_record(channel, job.record)], message)
                return True
            except LedgerConflict:
                continue
            except PublishError as exc:  # the remote is unreachable: the claim stands for the next run
                logger.error("%s", exc)
                break
        problem = (f"Ergebnis nicht im Versandprotokoll gespeichert ({self.ledger.where}); der nächste Lauf "
                   "klärt es beim Kanal.")
        logger.error("%s/%s: %s", story_id, channel, problem)
        if outcome is not None:
            outcome.message = f"{outcome.message} {problem}".strip()
            if outcome.status == SENT:
                outcome.status = UNKNOWN
        return False


__all__ = ["BLOCKED", "FAILED", "HELD", "Outcome", "PublishReport", "Publisher", "RETRY", "SENT", "UNCLEAR", "UNKNOWN"]
