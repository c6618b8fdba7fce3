"""The person on duty is told by mail when a send failed or ended unclear, once per attempt.

Who is on duty today comes from `content/desk/roster.yml` (handles) and their addresses from
`approvers.yml`; without a roster entry, NEWSROOM_ALERT_TO. The mail goes through the press
release's SMTP server (NEWSROOM_PRESS_SMTP_*), from NEWSROOM_ALERT_FROM.

Exactly once, as for every send: each alert is claimed in the record of sends
(`receipts/alerts/<key>.yml`, committed and pushed) before it is mailed, and marked sent after.
A run that dies in between leaves it claimed: it is never mailed again, and `invoke status`
lists it as unclear. A second run finds the claim and mails nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid

import yaml

from newsroom.dates import BERLIN
from newsroom.desk.approvers import read_approvers
from newsroom.desk.roster import read_roster
from newsroom.errors import ContentError, ContentErrors, Disconnected, LedgerConflict, NewsroomError, SendError
from newsroom.secrets import Credentials, redact

logger = logging.getLogger("newsroom.desk")

FOLDER = "alerts"  # below the receipts folder
WORDS = {"failed": "fehlgeschlagen", "unknown": "unklar – bitte beim Kanal prüfen",
         "unclear": "unklar: einige Empfänger bekamen die Mail vielleicht nicht",
         "manual": "von Hand erledigen: die Schnittstelle des Kanals kann es nicht",
         "expiring": "Zugangsdaten laufen bald ab"}
CLAIMED, SENT, FAILED = "claimed", "sent", "failed"


@dataclass(frozen=True)
class Alert:
    story_id: str
    title: str
    channel: str
    status: str
    attempt: str  # the send attempt's key: one alert per attempt and outcome
    message: str

    @property
    def key(self) -> str:
        return re.sub(r"[^a-z0-9-]+", "-", f"{self.attempt}-{self.status}".lower()).strip("-")


def alerts_of(report, titles: dict[str, str]) -> list[Alert]:
    found = [Alert(o.story_id, titles.get(o.story_id, o.story_id), o.channel, o.status, o.attempt, redact(o.message))
             for o in report.outcomes if o.status in WORDS and o.attempt]
    for channel, expires in sorted(report.expiring.items()):  # once per channel and expiry date
        when = f"{expires:%d.%m.%Y, %H:%M} Uhr"
        found.append(Alert("", f"Zugangsdaten {channel}", channel, "expiring", f"credentials-{channel}-{expires:%Y%m%d}",
                           f"Die Zugangsdaten laufen am {when} ab. Bitte rechtzeitig erneuern und als "
                           f"NEWSROOM_{channel.upper()}_… hinterlegen."))
    return found


def on_duty_addresses(ledger, settings: dict, today, environ) -> list[str]:
    try:
        handles = read_roster(ledger, settings).on_duty(today)
        approvers = read_approvers(ledger, settings) if handles else None
        found = [sorted(approvers.by_handle[h].emails)[0] for h in handles if h in approvers] if approvers else []
        if found:
            return found
    except ContentError:
        pass  # no approvers.yml: nobody on the roster has an address; the fallback below
    except ContentErrors as exc:
        logger.error("Dienstplan oder approvers.yml nicht lesbar: %s", exc)
    fallback = Credentials("ALERT", environ).get("TO", secret=False)
    return [address.strip() for address in (fallback or "").split(",") if address.strip()]


def notify(report, settings: dict, ledger, titles: dict[str, str], *, environ=None, now: datetime | None = None,
           deliver=None) -> list[str]:
    """Mail every new alert of this run to whoever is on duty; returns lines for the terminal."""
    alerts = alerts_of(report, titles)
    if not alerts:
        return []
    now = now or datetime.now(BERLIN)
    recipients = on_duty_addresses(ledger, settings, now.date(), environ)
    if not recipients:
        return [f"ACHTUNG: {len(alerts)} Versandproblem(e), aber niemand ist für heute im Dienstplan eingetragen "
                "und NEWSROOM_ALERT_TO ist leer: niemand wurde per Mail benachrichtigt."]
    lines = []
    for alert in alerts:
        name = f"{FOLDER}/{alert.key}.yml"
        if not _claim(ledger, name, alert, now):
            continue  # another run claimed it: it mails (or mailed) this alert
        try:
            (deliver or _deliver)(settings, environ, recipients, _message(alert, settings))
        except (SendError, Disconnected, OSError) as exc:
            _record(ledger, name, alert, FAILED, now, redact(str(exc)))
            lines.append(f"ACHTUNG: Benachrichtigung zu {alert.story_id}/{alert.channel} nicht gesendet: "
                         f"{redact(str(exc))}")
            continue
        _record(ledger, name, alert, SENT, now)
        what = f"{alert.story_id}/{alert.channel}" if alert.story_id else alert.channel
        lines.append(f"Dienst benachrichtigt ({len(recipients)} Empfänger): {what} {WORDS[alert.status]}.")
    return lines


def stuck_alerts(ledger) -> list[str]:
    """Alerts claimed by a run that did not record them as mailed, or that failed: said loudly.
    Only those files are read (the folder keeps every alert ever sent)."""
    lines = []
    for path in ledger.matching(f"^status: ({CLAIMED}|{FAILED})$", f"{FOLDER}/*.yml"):
        name = path.rsplit("/", 1)[-1]
        try:
            data = yaml.safe_load(ledger.read(path) or "") or {}
        except yaml.YAMLError:
            data = {}
        if data.get("status") == CLAIMED:
            lines.append(f"ACHTUNG: Unklar, ob der Dienst zu {data.get('story')}/{data.get('channel')} benachrichtigt "
                         f"wurde (ein Lauf brach ab, {data.get('at')}); sie wird nicht wiederholt. Bitte selbst "
                         "informieren und dann receipts/alerts/" + name + " löschen.")
        elif data.get("status") == FAILED:
            lines.append(f"ACHTUNG: Benachrichtigung zu {data.get('story')}/{data.get('channel')} nicht gesendet: "
                         f"{data.get('error')}. Bitte selbst informieren und dann receipts/alerts/{name} löschen.")
    return lines


def _claim(ledger, name: str, alert: Alert, now: datetime) -> bool:
    """Record the alert as claimed before it is mailed; False when another run claimed it first."""
    for _ in range(5):
        ledger.sync()
        if ledger.read(name) is not None:
            return False
        try:
            ledger.write([], f"alert: {CLAIMED} {alert.key}", {name: _entry(alert, CLAIMED, now)})
            return True
        except LedgerConflict:
            continue
    return False


def _record(ledger, name: str, alert: Alert, status: str, now: datetime, error: str | None = None) -> None:
    """The outcome of a claimed alert; if it cannot be recorded, the claim stays (and is reported)."""
    for _ in range(5):
        try:
            ledger.write([], f"alert: {status} {alert.key}", {name: _entry(alert, status, now, error)})
            return
        except LedgerConflict:
            ledger.sync()
        except NewsroomError as exc:
            logger.error("Benachrichtigung %s: Stand nicht gespeichert (%s); sie bleibt beansprucht.", alert.key, exc)
            return


def _entry(alert: Alert, status: str, now: datetime, error: str | None = None) -> str:
    data = {"status": status, "story": alert.story_id, "channel": alert.channel, "outcome": alert.status,
            "at": now.replace(microsecond=0).isoformat()}
    if error:
        data["error"] = error
    return "# Benachrichtigung des Dienstes – geführt von „invoke publish“.\n" + yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False)


def _message(alert: Alert, settings: dict) -> EmailMessage:
    message = EmailMessage(policy=policy.default)
    message["Message-ID"] = make_msgid(idstring=alert.key, domain="newsroom.invalid")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
    if alert.status == "expiring":
        message["Subject"] = f"Newsroom: {alert.channel} – {WORDS[alert.status]}"
        message.set_content(f"Kanal: {alert.channel}\n{alert.message}\n\nLaufen sie ab, sendet dieser Kanal nichts "
                            "mehr; „invoke status“ zeigt es dann als fehlgeschlagen.\n")
        return message
    message["Subject"] = f"Newsroom: {alert.channel} {WORDS[alert.status]} – {alert.title}"
    message.set_content(
        f"Meldung: {alert.title} (id {alert.story_id})\n"
        f"Kanal: {alert.channel}\n"
        f"Stand: {WORDS[alert.status]}\n"
        f"Meldung des Kanals: {alert.message or '–'}\n\n"
        "Was zu tun ist: „invoke status“ zeigt den Stand aller Sendungen; der Desk (preview/desk/) ebenso.\n"
        "Nichts wird automatisch noch einmal gesendet, was unklar ist.\n")
    return message


def _deliver(settings: dict, environ, recipients: list[str], message: EmailMessage) -> None:
    from newsroom.mail.smtp import Connection, Result, SmtpConfig

    credentials = Credentials("PRESS", environ)
    sender = Credentials("ALERT", environ).get("FROM", secret=False) or credentials.require("FROM", secret=False)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    config = SmtpConfig.from_credentials(credentials, settings, label="Benachrichtigung")
    connection = Connection(config)
    try:
        data = message.as_bytes(policy=policy.SMTP)
        refused = [r for r in recipients if connection.deliver(sender, r, data).result is not Result.ACCEPTED]
    finally:
        connection.close()
    if refused:
        raise SendError(f"Der SMTP-Server nahm die Benachrichtigung für {len(refused)} Empfänger nicht an.")
