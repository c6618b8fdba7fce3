"""What a Chef vom Dienst does from the terminal or the desk: approve a story, set or lift the send
stop, confirm a manual task (a post the channel's API cannot make) as done by hand.

Each is one commit on the publishing branch, made on a private index (the editor's checkout
and staged work stay as they are) and pushed; a push that loses a race is tried again on the
new tip. The commit's author is the person's own git identity, not the newsroom's.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime

from newsroom.dates import BERLIN
from newsroom.desk.approvals import LOCAL, SIGNED, Approval
from newsroom.desk.approvers import FILE as APPROVERS_FILE
from newsroom.desk.approvers import Approvers, read_approvers
from newsroom.desk.send_stop import FILE, SendStop
from newsroom.errors import AccessRefused, ContentError, ContentErrors, LedgerConflict, PublishError
from newsroom.publishing.records import MANUAL, SENT, ChannelRecord

ATTEMPTS = 5


def _identity(ledger) -> tuple[str, str]:
    reader = ledger.repo.config_reader()
    name = reader.get_value("user", "name", "")
    email = str(reader.get_value("user", "email", "")).strip().lower()
    if not email:
        raise AccessRefused("Keine Git-Identität: „git config user.email“ ist nicht gesetzt.")
    return str(name) or email, email


def _approvers(ledger, settings: dict) -> Approvers:
    try:
        return read_approvers(ledger, settings)
    except ContentError as exc:
        raise AccessRefused(str(exc)) from None
    except ContentErrors as exc:
        raise AccessRefused(f"approvers.yml ist fehlerhaft:\n{exc}") from None


def _now() -> str:
    return datetime.now(BERLIN).replace(microsecond=0).isoformat()


def _commit(ledger, make, message: str, author: tuple[str, str], sign: bool = False):
    """Sync, build the files from the current tip (`make()` → files or None for nothing to do), commit."""
    for _ in range(ATTEMPTS):
        ledger.sync()
        files = make()
        if files is None:
            return False
        try:
            ledger.commit_content(files, message, author=author, sign=sign)
            return True
        except LedgerConflict:
            continue
    raise PublishError(f"{ledger.where} wurde immer wieder von anderen geändert; bitte erneut versuchen.")


def approve(build, settings: dict, ledger, story_id: str, *, urgent: str | None = None,
            version: str | None = None) -> tuple[Approval, bool]:
    """Approve the version of the story `story_id` that the publishing branch has; returns the
    approval and whether it was new. Refuses one's own text unless `urgent` names a reason.
    `story_id` may name an appointment (or its mail's key): its mail due now is approved."""
    card = build.archive.by_id.get(story_id) if build.archive else None
    if card is None:  # an appointment's mail: approved is the mail that is due now, under its own key
        ledger.sync()
        card = next((found for sendables in build.sendables
                     for found in [sendables.find(story_id, ledger.receipt, ledger.story_ids())] if found), None)
    if card is None:
        raise AccessRefused(f"Keine Meldung hat die id „{story_id}“.")
    if version is not None and card.digest != version:
        raise AccessRefused(f"{card.source} wurde geändert, seit der Desk sie zeigte. Bitte neu laden, die neue "
                            "Fassung lesen und dann freigeben.")
    if card.status not in ("published", "withdrawn"):  # a withdrawal is approved like a correction
        raise AccessRefused(f"{card.source}: Entwürfe werden nicht freigegeben. Erst „status: published“ (mit "
                            "Zeitpunkt) setzen, committen und pushen, dann diese Fassung freigeben.")
    urgent = " ".join(urgent.split()) if urgent else None
    name, email = _identity(ledger)
    ledger.sync()
    approvers = _approvers(ledger, settings)
    handle = approvers.handle_of(email)
    if handle is None:
        raise AccessRefused(f"{email} steht nicht in {settings['DESK_DIR']}/{APPROVERS_FILE}: nur die dort "
                            "Genannten geben frei.")
    relative = card.source.split("/", 1)[1] if "/" in card.source else card.source
    pushed = ledger.read_content(relative)
    if pushed is None or hashlib.sha256(pushed.encode("utf-8")).hexdigest() != card.digest:
        raise AccessRefused(f"{card.source}: diese Fassung ist nicht die auf {ledger.where}. Erst committen und "
                            "pushen (oder „git pull“), dann freigeben – freigegeben wird genau das, was gesendet wird.")
    author = ledger.last_author(card.source, ledger.base)
    if approvers.wrote(handle, author) and not urgent:
        raise AccessRefused(f"{card.source}: die letzte Änderung ist von Ihnen ({handle}); eine zweite Person gibt "
                            f"frei. Nur in Eile: invoke approve {story_id} --eilig \"Grund\" (der Desk zeigt das rot, "
                            "bis eine zweite Person nachträglich freigibt).")
    signed = settings["APPROVAL_REQUIRE_SIGNED"]
    approval = Approval(card.key, card.source, card.digest, handle, _now(), SIGNED if signed else LOCAL, urgent)
    folder = f"{settings['APPROVALS_DIR']}/{card.key}"

    def files():
        existing = ledger.list_content(folder)
        return None if approval.file_name in existing else {f"{folder}/{approval.file_name}": approval.dumps()}

    made = _commit(ledger, files, f"approve: {card.id} ({handle}{', eilig' if urgent else ''})", (name, email),
                   sign=signed)
    return approval, made


def set_send_stop(settings: dict, ledger, reason: str) -> SendStop:
    """Anyone may stop every send; the stop names the approver's handle, or that it was someone else."""
    reason = " ".join(reason.split())
    if not reason:
        raise AccessRefused("Bitte einen Grund für den Sendestopp angeben.")
    name, email = _identity(ledger)
    ledger.sync()
    try:
        by = _approvers(ledger, settings).handle_of(email) or "nicht in approvers.yml"
    except AccessRefused:
        by = "nicht in approvers.yml"
    stop = SendStop(reason, by, _now())
    path = f"{settings['DESK_DIR']}/{FILE}"
    _commit(ledger, lambda: {path: stop.dumps()}, f"send stop: {reason}", (name, email))
    return stop


def lift_send_stop(settings: dict, ledger) -> bool:
    """Only an approver lifts the stop; returns False when none was set."""
    name, email = _identity(ledger)
    ledger.sync()
    if _approvers(ledger, settings).handle_of(email) is None:
        raise AccessRefused(f"{email} steht nicht in {settings['DESK_DIR']}/{APPROVERS_FILE}: nur die dort "
                            "Genannten heben den Sendestopp auf.")
    path = f"{settings['DESK_DIR']}/{FILE}"
    return _commit(ledger, lambda: {path: None} if ledger.read_content(path) is not None else None,
                   "send stop lifted", (name, email))


def confirm_manual(settings: dict, ledger, story_key: str, channel: str) -> tuple[ChannelRecord, bool]:
    """Enter a manual task (records.MANUAL) of `story_key` (the record's key: a story's first id, or a
    correction's or withdrawal's) as done by hand: one commit with the person's git identity. Returns the
    record and whether this call entered it: confirming a task already confirmed, twice or by two people
    at once, commits nothing (the second sees the first's commit on the fresh tip)."""
    name, email = _identity(ledger)
    path = f"{settings['PUBLISH_RECEIPTS_DIR']}/{story_key}.yml"
    found: list[ChannelRecord] = []

    def files():
        receipt = ledger.receipt(story_key)
        record = receipt.get(channel) if receipt else None
        if record is None or record.status not in (MANUAL, SENT):
            raise AccessRefused(f"{story_key}/{channel}: keine Aufgabe von Hand offen; nichts eingetragen.")
        if record.status == SENT:
            found.append(record)
            return None
        done = replace(record, status=SENT, finished=_now(), error=None,
                       detail={**record.detail, "by_hand": True})
        found.append(done)
        return {path: receipt.with_record(channel, done).dumps()}

    made = _commit(ledger, files, f"publish: {channel} done by hand for {story_key} ({name})", (name, email))
    return found[-1], made
