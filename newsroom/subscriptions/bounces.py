"""Bounces and complaints: delivery reports (RFC 3464) and complaint reports (ARF, RFC 5965).

A relay usually accepts a mail at SMTP time and reports a failure later, by mail to the bounce
mailbox; `invoke subscriptions --bounces` reads that mailbox (a maildir, or IMAP over TLS) and
counts each report once per subscriber (`bounce.report` is unique per subscriber; a message is
marked as read only after its counts are committed, so an interrupted run counts nothing twice).

Who is meant: every mail to a subscriber carries the header `X-Newsroom-Abo: <mail_ref>`
(`mail_ref(id, key)`: the subscriber's id and a hash keyed with the subscriber's own key, so it
names nobody in a report and dies with an erasure; a forged one matches nobody). The senders
(citizen alerts, the Pressedienst) get it from the API with each recipient. A report without it
is matched by the failed address (`Final-Recipient`, `Original-Rcpt-To`).

Policy: a hard bounce (`Action: failed`, `Status: 5.x.x`) and a complaint (`Feedback-Type: abuse`)
count; at SUBSCRIPTIONS_HARD_BOUNCES or SUBSCRIPTIONS_COMPLAINTS the address is `suspended`, with a
consent entry (`gesperrt`, method `bounce`). Soft bounces (4.x.x, `delayed`) are only noted.
Refusals in the SMTP dialogue of the publish run count as hard bounces: `record_refusal`, for the
API to call. The desk's figures: `counts`, committed by `record_counts` (newsroom/desk/subscriptions.py).

Environment, NEWSROOM_SUBSCRIPTIONS_…: BOUNCE_MAILDIR (a maildir's folder), or BOUNCE_IMAP_HOST,
BOUNCE_IMAP_PORT (993), BOUNCE_IMAP_USER, BOUNCE_IMAP_PASSWORD, BOUNCE_IMAP_FOLDER (INBOX),
BOUNCE_IMAP_CA_FILE (a CA of its own). Nothing read from a report is logged with an address in it.
"""

from __future__ import annotations

import email
import email.parser
import hashlib
import hmac
import imaplib
import json
import logging
import os
import re
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from newsroom.desk.subscriptions import DAYS, FILE, SubscriptionCounts
from newsroom.errors import LedgerConflict, MailboxError, ReportUnreadable
from newsroom.mail.addresses import mask_addresses
from newsroom.secrets import Credentials, redact
from newsroom.subscriptions.keys import keyed, subscriber_ref
from newsroom.subscriptions.models import (
    ACTIVE,
    EMAIL_MAX,
    PAUSED,
    SUSPENDED,
    Bounce,
    Consent,
    Subscriber,
)

logger = logging.getLogger("newsroom.subscriptions")

HEADER = "X-Newsroom-Abo"
HARD, SOFT, COMPLAINT = "hard", "soft", "complaint"
# A hard bounce or complaint that names the subscriber only by address: anyone can mail the bounce
# mailbox such a report, so it is noted for the desk and never suspends anyone. Our mails carry the
# keyed X-Newsroom-Abo header, which reports quote (RFC 3464's text/rfc822-headers, ARF's original).
UNVERIFIED = "unverified"
MAX_BYTES = 2 * 1024 * 1024  # a report quotes the original mail; anything larger is not one of ours
MAX_RECIPIENTS = 50  # our mails go to one recipient each; a report naming more is not about them
_REF = re.compile(r"^(\d{1,12})\.([0-9a-f]{24})$")
_STATUS = re.compile(r"^([245])\.\d{1,3}\.\d{1,3}\b")
_CODE = re.compile(r"^(?:smtp;)?\s*([245])\d\d\b", re.IGNORECASE)
_COMPLAINTS = ("abuse", "fraud")  # RFC 5965's types saying the mail was unwanted


def mail_ref(subscriber_id: int, subscriber_key: str) -> str:
    """The value of the X-Newsroom-Abo header of every mail to this subscriber."""
    return f"{subscriber_id}.{keyed(subscriber_key, 'abo-mail', str(subscriber_id), length=24)}"


def subscriber_of_ref(session, value: str | None) -> Subscriber | None:
    match = _REF.match((value or "").strip())
    if not match:
        return None
    subscriber = session.get(Subscriber, int(match[1]))
    if subscriber is None or not hmac.compare_digest(mail_ref(subscriber.id, subscriber.key), match[0]):
        return None  # forged, or of an erased subscriber whose id was given again
    return subscriber


# ----------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Finding:
    """What a report says about one recipient."""

    kind: str  # hard, soft, complaint
    address: str | None  # casefolded; only to find the subscriber, never kept or logged


@dataclass(frozen=True)
class Report:
    key: str  # hash of the report's Message-ID (or of the report): a report read twice counts once
    findings: tuple[Finding, ...]
    ref: str | None  # X-Newsroom-Abo of the original mail


def report_key(message_id: str | None, data: bytes) -> str:
    if message_id and message_id.strip():
        return hashlib.sha256(message_id.strip().encode("utf-8", "replace")).hexdigest()
    return hashlib.sha256(data).hexdigest()


def parse_report(data: bytes) -> Report:
    """A delivery or complaint report; ReportUnreadable (German) for anything else."""
    if len(data) > MAX_BYTES:
        raise ReportUnreadable(f"Nachricht zu groß ({len(data) // 1024} KiB)")
    try:
        message = email.message_from_bytes(data)
        kind = message.get_content_type()
        report_type = str(message.get_param("report-type") or "").lower() if kind == "multipart/report" else ""
        if report_type == "delivery-status":
            findings, original = _delivery_status(message)
        elif report_type == "feedback-report":
            findings, original = _feedback(message)
        else:
            raise ReportUnreadable(f"kein Zustell- oder Beschwerdebericht ({kind[:60]})")
        ref = _header(original, HEADER) if original is not None else None
        key = report_key(_header(message, "Message-ID"), data)
    except ReportUnreadable:
        raise
    except Exception as exc:  # hostile MIME can trip the parser anywhere: skipped, never the end of the run
        raise ReportUnreadable(f"nicht lesbar ({type(exc).__name__})") from None
    if not findings:
        raise ReportUnreadable("kein Empfänger mit Fehlschlag oder Beschwerde darin")
    if len(findings) > MAX_RECIPIENTS:
        raise ReportUnreadable(f"zu viele Empfänger ({len(findings)})")
    return Report(key, tuple(findings), ref)


def _header(message, name: str) -> str | None:
    value = message.get(name)
    return str(value)[:500] if value is not None else None


def _parts(message) -> list:
    payload = message.get_payload()
    if not message.is_multipart() or not isinstance(payload, list):
        raise ReportUnreadable("Bericht ohne lesbare MIME-Teile")
    return payload


def _original(parts: list):
    """The returned mail's headers: message/rfc822 or text/rfc822-headers (RFC 3462, 5965)."""
    for part in parts:
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/rfc822-headers"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                return inner[0]
        if kind == "text/rfc822-headers":
            text = part.get_payload(decode=True) or b""
            return email.parser.BytesHeaderParser().parsebytes(text[:MAX_BYTES])
    return None


def _address(field_value: str | None) -> str | None:
    """`rfc822; someone@example.org` (or a bare address) as the casefolded address."""
    if not field_value:
        return None
    kind, typed, address = str(field_value).partition(";")
    address = (address if typed else kind).strip().strip("<>").strip()
    if typed and kind.strip().lower() not in ("rfc822", ""):
        return None  # X.400 and other address types are none of ours
    if "@" not in address or len(address) > EMAIL_MAX or any(c.isspace() for c in address):
        return None
    return address.casefold()


def _delivery_status(message) -> tuple[list[Finding], object]:
    parts = _parts(message)
    status = next((p for p in parts if p.get_content_type() == "message/delivery-status"), None)
    if status is None:
        raise ReportUnreadable("Zustellbericht ohne message/delivery-status")
    blocks = status.get_payload()
    if not isinstance(blocks, list) or len(blocks) < 2:
        raise ReportUnreadable("Zustellbericht ohne Angaben je Empfänger")
    findings = []
    for block in blocks[1:]:  # the first block is about the message, the others one recipient each
        kind = _delivery_kind(block)
        if kind is None:
            continue
        address = _address(block.get("Final-Recipient")) or _address(block.get("Original-Recipient"))
        findings.append(Finding(kind, address))
    return findings, _original(parts)


def _delivery_kind(block) -> str | None:
    action = str(block.get("Action") or "").strip().lower()
    if action == "delayed":
        return SOFT
    if action != "failed":
        return None  # delivered, relayed, expanded: nothing to count
    status = _STATUS.match(str(block.get("Status") or "").strip())
    digit = status[1] if status else None
    if digit is None:  # no usable Status: the server's own reply may still say it
        code = _CODE.match(str(block.get("Diagnostic-Code") or "").strip())
        digit = code[1] if code else None
    return HARD if digit == "5" else SOFT  # in doubt soft: a suspension needs a certain failure


def _feedback(message) -> tuple[list[Finding], object]:
    parts = _parts(message)
    report = next((p for p in parts if p.get_content_type() == "message/feedback-report"), None)
    if report is None:
        raise ReportUnreadable("Beschwerdebericht ohne message/feedback-report")
    fields = report.get_payload()
    fields = fields[0] if isinstance(fields, list) and fields else None
    if fields is None or not hasattr(fields, "get"):
        raise ReportUnreadable("Beschwerdebericht ohne Felder")
    feedback_type = str(fields.get("Feedback-Type") or "").strip().lower()
    if feedback_type not in _COMPLAINTS:
        raise ReportUnreadable(f"Rückmeldung der Art „{feedback_type[:30] or 'ohne Art'}“ ist keine Beschwerde")
    return [Finding(COMPLAINT, _address(fields.get("Original-Rcpt-To")))], _original(parts)


# ------------------------------------------------------------------------------------------ policy


@dataclass
class Tally:
    """What a run did; counts only."""

    read: int = 0
    hard: int = 0
    soft: int = 0
    complaints: int = 0
    unverified: int = 0  # hard bounces and complaints naming only an address: noted, never suspending
    again: int = 0  # reports already counted (read twice, or a run interrupted after counting)
    suspended: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        line = (f"Rückmeldungen gelesen: {self.read}; gezählt: {self.hard} unzustellbar, {self.soft} vorübergehend "
                f"unzustellbar, {self.complaints} Beschwerden, {self.unverified} ohne Nachweis (nur Adresse, "
                f"sperrt nicht); schon gezählt: {self.again}; übersprungen: "
                f"{self.skipped}; gesperrt: {self.suspended}.")
        return line


def _utc(now: datetime | None) -> datetime:
    # SQLite keeps no time zone: every time the service stores is UTC
    return (now or datetime.now(UTC)).astimezone(UTC)


def count(session, settings: Mapping, subscriber: Subscriber, kind: str, key: str, now: datetime) -> str:
    """Count one report about one subscriber: "again" when counted before, "suspended" when this one
    reached the limit, else "counted". Atomic updates: several runs may count at once."""
    insert = (postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(Bounce)
    added = session.execute(insert.values(subscriber_id=subscriber.id, kind=kind, at=now, report=key)
                            .on_conflict_do_nothing(index_elements=["subscriber_id", "report"])
                            .returning(Bounce.id)).scalar()
    if added is None:  # counted before, by this run or another one (the unique constraint decides)
        return "again"
    column = {HARD: Subscriber.bounces, COMPLAINT: Subscriber.complaints}.get(kind)
    if column is None:
        return "counted"  # soft: noted for the desk, never a reason to suspend
    session.execute(update(Subscriber).where(Subscriber.id == subscriber.id).values({column: column + 1}))
    reached = (Subscriber.bounces >= int(settings["SUBSCRIPTIONS_HARD_BOUNCES"])) | (
        Subscriber.complaints >= int(settings["SUBSCRIPTIONS_COMPLAINTS"]))
    suspended = session.execute(update(Subscriber).where(
        Subscriber.id == subscriber.id, Subscriber.status.in_((ACTIVE, PAUSED)), reached,
    ).values(status=SUSPENDED, changed_at=now)).rowcount
    session.refresh(subscriber)
    if not suspended:
        return "counted"
    session.add(Consent(subscriber_ref=subscriber_ref(subscriber.key), at=now, action="gesperrt",
                        scope=_scope(subscriber), wording_version=str(settings["SUBSCRIPTIONS_CONSENT_VERSION"]),
                        method="bounce", client=None))
    return "suspended"


def _scope(subscriber: Subscriber) -> str:
    return json.dumps({"kind": subscriber.kind, "frequency": subscriber.frequency,
                       "selections": [[s.dimension, s.value] for s in subscriber.selections]},
                      ensure_ascii=False, sort_keys=True)


def _find(session, report: Report, finding: Finding) -> tuple[Subscriber | None, bool]:
    """The subscriber a finding is about, and whether the report proves it (our keyed header)."""
    if len(report.findings) == 1:  # the header names the one recipient the report is about
        found = subscriber_of_ref(session, report.ref)
        if found is not None:
            return found, True
    if finding.address:
        return session.scalar(select(Subscriber).where(Subscriber.email == finding.address)), False
    return None, False


def apply(database, settings: Mapping, report: Report, tally: Tally, now: datetime | None = None) -> bool:
    """Count a report in one transaction; False when it names no subscriber."""
    now = _utc(now)
    named = False
    with database.session() as session:
        for finding in report.findings:
            subscriber, proven = _find(session, report, finding)
            if subscriber is None:
                continue
            named = True
            kind = finding.kind if proven or finding.kind == SOFT else UNVERIFIED
            outcome = count(session, settings, subscriber, kind, report.key, now)
            if outcome == "again":
                tally.again += 1
                continue
            attribute = {HARD: "hard", SOFT: "soft", COMPLAINT: "complaints", UNVERIFIED: "unverified"}[kind]
            setattr(tally, attribute, getattr(tally, attribute) + 1)
            tally.suspended += outcome == "suspended"
    return named


def record_refusal(database, settings: Mapping, ref: str, item: str, kind: str = HARD, *,
                   now: datetime | None = None) -> str:
    """A refusal in the SMTP dialogue of the publish run (5xx: HARD, 4xx: SOFT) for the mail `item`
    (`story:<key>`, `digest:…`) to the subscriber of `ref` (the X-Newsroom-Abo value). The API calls
    this; a re-run reporting the same refusal counts once. Returns "counted", "again", "suspended" or
    "unknown" (no such subscriber)."""
    if kind not in (HARD, SOFT):
        raise ValueError(kind)
    now = _utc(now)
    with database.session() as session:
        subscriber = subscriber_of_ref(session, ref)
        if subscriber is None:
            return "unknown"
        key = hashlib.sha256(f"smtp\0{kind}\0{item}".encode()).hexdigest()  # a deferral, then a refusal: both
        return count(session, settings, subscriber, kind, key, now)


def counts(database, now: datetime | None = None) -> SubscriptionCounts:
    """The desk's figures: addresses active and suspended now, and with reports in the last DAYS days."""
    now = _utc(now)
    since = now - timedelta(days=DAYS)
    with database.session() as session:
        by_status = dict(session.execute(select(Subscriber.status, func.count()).group_by(Subscriber.status)).all())
        by_kind = dict(session.execute(select(Bounce.kind, func.count(func.distinct(Bounce.subscriber_id)))
                                       .where(Bounce.at >= since).group_by(Bounce.kind)).all())
    return SubscriptionCounts(now.date(), by_status.get(ACTIVE, 0), by_status.get(SUSPENDED, 0),
                              by_kind.get(HARD, 0), by_kind.get(SOFT, 0), by_kind.get(COMPLAINT, 0))


def record_counts(ledger, figures: SubscriptionCounts) -> bool:
    """Commit the figures to the record of sends (receipts/abonnements/stand.yml) when they changed."""
    text = figures.dumps()
    for _ in range(5):
        ledger.sync()
        if ledger.read(FILE) == text:
            return False
        try:
            ledger.write([], "subscriptions: counts for the desk", {FILE: text})
            return True
        except LedgerConflict:
            continue
    return False


# ----------------------------------------------------------------------------------------- sources


class MaildirSource:
    """Unread messages of a maildir (new/, and cur/ without the S flag); once counted, a message is
    moved to cur/ with S (seen), and F (flagged) too when skipped, so a person can look at it.
    Renamed by hand: Python 3.11's mailbox.Maildir changes flags only by rewriting the message."""

    def __init__(self, path: Path):
        import mailbox

        self.path = Path(path)
        try:
            mailbox.Maildir(self.path, create=False)
        except mailbox.NoSuchMailboxError:
            raise MailboxError(f"Maildir {self.path} gibt es nicht (NEWSROOM_SUBSCRIPTIONS_BOUNCE_MAILDIR).") from None
        self._paths: dict[str, Path] = {}

    def messages(self) -> Iterator[tuple[str, bytes | None]]:
        for sub in ("new", "cur"):
            try:
                entries = sorted(os.scandir(self.path / sub), key=lambda e: e.name)
            except FileNotFoundError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_file():
                    continue
                name, _, info = entry.name.partition(":")
                flags = info[2:] if info.startswith("2,") else ""
                if "S" in flags or "T" in flags:
                    continue
                self._paths[name] = Path(entry.path)
                if entry.stat().st_size > MAX_BYTES:
                    yield name, None
                    continue
                try:
                    yield name, Path(entry.path).read_bytes()
                except FileNotFoundError:
                    continue  # taken by another run meanwhile

    def done(self, key: str, *, skipped: bool = False) -> None:
        path = self._paths.pop(key)
        _name, _, info = path.name.partition(":")
        flags = set(info[2:]) if info.startswith("2,") else set()
        flags |= {"S", "F"} if skipped else {"S"}
        try:
            os.replace(path, self.path / "cur" / f"{key}:2,{''.join(sorted(flags))}")
        except FileNotFoundError:
            pass  # another run marked it

    def close(self) -> None:
        pass


class ImapSource:
    """Unseen messages of an IMAP folder over TLS, fetched with BODY.PEEK (not marked by reading);
    \\Seen is set once counted, \\Seen \\Flagged when skipped."""

    def __init__(self, host: str, user: str, password: str, folder: str = "INBOX", port: int = 993,
                 ca_file: str | None = None, timeout: float = 60):
        context = ssl.create_default_context(cafile=ca_file or None)
        where = f"{host}:{port}"
        try:
            self.imap = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"IMAP-Server {where} nicht erreichbar: {redact(exc)}") from None
        try:
            self.imap.login(user, password)
            kind, _ = self.imap.select(_quoted(folder))
            if kind != "OK":
                raise MailboxError(f"IMAP-Ordner „{folder}“ auf {where} nicht gefunden.")
        except (OSError, imaplib.IMAP4.error) as exc:
            self.close()
            raise MailboxError(f"IMAP-Anmeldung bei {where} fehlgeschlagen: {redact(exc)}") from None

    def messages(self) -> Iterator[tuple[str, bytes | None]]:
        try:
            kind, data = self.imap.uid("SEARCH", None, "UNSEEN")
            uids = data[0].split() if kind == "OK" and data and data[0] else []
            for uid in uids:
                uid = uid.decode("ascii")
                kind, data = self.imap.uid("FETCH", uid, "(RFC822.SIZE)")
                size = re.search(rb"RFC822\.SIZE (\d+)", data[0] or b"") if kind == "OK" and data else None
                if size is None or int(size[1]) > MAX_BYTES:
                    yield uid, None  # too large (or not said): not downloaded
                    continue
                kind, data = self.imap.uid("FETCH", uid, "(BODY.PEEK[])")
                body = next((part[1] for part in data or () if isinstance(part, tuple)), None)
                if kind != "OK" or body is None:
                    continue  # gone meanwhile (expunged by another client)
                yield uid, body
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"IMAP-Ordner nicht lesbar: {redact(exc)}") from None

    def done(self, uid: str, *, skipped: bool = False) -> None:
        try:
            self.imap.uid("STORE", uid, "+FLAGS", r"(\Seen \Flagged)" if skipped else r"(\Seen)")
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"IMAP: Nachricht nicht als gelesen markiert: {redact(exc)}") from None

    def close(self) -> None:
        try:
            self.imap.close()
        except (OSError, imaplib.IMAP4.error):
            pass
        try:
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def source_from_environment(credentials: Credentials):
    """The bounce mailbox the environment names: IMAP if BOUNCE_IMAP_HOST is set, else BOUNCE_MAILDIR."""
    host = credentials.get("BOUNCE_IMAP_HOST", secret=False)
    if host:
        port = credentials.get("BOUNCE_IMAP_PORT", "993", secret=False)
        if not port.isdigit():
            raise MailboxError(f"{credentials.name('BOUNCE_IMAP_PORT')} ist keine Portnummer.")
        missing = [credentials.name(n) for n in ("BOUNCE_IMAP_USER", "BOUNCE_IMAP_PASSWORD") if not credentials.get(n)]
        if missing:
            raise MailboxError(f"Für das Bounce-Postfach fehlen {', '.join(missing)}.")
        return ImapSource(host, credentials.get("BOUNCE_IMAP_USER"), credentials.get("BOUNCE_IMAP_PASSWORD"),
                          credentials.get("BOUNCE_IMAP_FOLDER", "INBOX", secret=False), int(port),
                          credentials.get("BOUNCE_IMAP_CA_FILE", secret=False))
    folder = credentials.get("BOUNCE_MAILDIR", secret=False)
    if not folder:
        raise MailboxError(f"Kein Bounce-Postfach angegeben: {credentials.name('BOUNCE_MAILDIR')} (ein Maildir) oder "
                           f"{credentials.name('BOUNCE_IMAP_HOST')} mit _USER, _PASSWORD (IMAP über TLS).")
    return MaildirSource(Path(folder))


def process(database, settings: Mapping, source, *, now: datetime | None = None) -> Tally:
    """Read every unread report of `source`, count it, then mark it read. A malformed or hostile
    report is skipped with a warning (no address in it) and marked, so it is not read again."""
    tally = Tally()
    try:
        for key, data in source.messages():
            tally.read += 1
            try:
                if data is None:
                    raise ReportUnreadable(f"Nachricht größer als {MAX_BYTES // 1024 // 1024} MiB")
                report = parse_report(data)
                if not apply(database, settings, report, tally, now):
                    raise ReportUnreadable("nennt keinen Abonnenten")
            except ReportUnreadable as exc:
                tally.skipped += 1
                # Named by its key in the mailbox: an operator finds it, and equal reasons stay separate lines.
                problem = f"Rückmeldung {key} übersprungen: {mask_addresses(str(exc))}"
                tally.problems.append(problem)
                logger.warning("%s", problem)
                source.done(key, skipped=True)
                continue
            source.done(key)  # after the commit: a run stopped in between finds it again, counted once
    finally:
        source.close()
    return tally
