"""A citizen alert or digest, or the Pressedienst's digest, as a mail: text and HTML from
theme/templates/alerts (alert.* and presse.*), safe headers.

The templates are filled once per send with markers where each recipient's links go; per
recipient only the links, To, Date and Message-ID differ. Every header value passes
`one_line()` and is set through Python's email package with `policy.default`, which refuses a
line break in a header: a title that tries to add "Bcc:" stays text in the Subject.
List-Unsubscribe names the recipient's https link, and List-Unsubscribe-Post asks for
RFC 8058's one-click POST (the relay's DKIM signature must cover both headers).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from newsroom.dates import BERLIN, german_date
from newsroom.errors import SendError
from newsroom.mail.headers import one_line
from newsroom.mail.headers import parse_address as parse_header_address
from newsroom.mail.templates import mail_templates

from .digests import APPOINTMENT, EVERYONE, PRESS  # a payload's kind "presse": the Pressedienst's digest

SMTP_POLICY = policy.SMTP
# Stand-ins for each recipient's links: plain ASCII that neither escaping nor the templates change.
MANAGE, UNSUBSCRIBE = "ABO-LINK-VERWALTEN-7c1e", "ABO-LINK-ABMELDEN-7c1e"
LABEL = "E-Mail-Benachrichtigungen"


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def when(entry: dict) -> str:
    moment = datetime.fromisoformat(entry["date"]).astimezone(BERLIN)
    return f"{german_date(moment)}, {moment:%H:%M} Uhr"


def subject_of(payload: dict, count: int | None = None) -> str:
    """The subject: the story's title; for a digest its period and how many stories it lists."""
    if payload["kind"] == "story":
        return one_line(payload["stories"][0]["title"])
    if payload["kind"] == EVERYONE:
        return one_line(payload["subject"])
    if payload["kind"] == PRESS:
        return one_line(f"{payload['label']}: {_press_counts(payload['stories'])}")
    count = len(payload["stories"]) if count is None else count
    stories = "1 neue Meldung" if count == 1 else f"{count} neue Meldungen"
    return one_line(f"{payload['label']}: {stories}")


def _press_counts(entries: list[dict]) -> str:
    releases = sum(1 for entry in entries if entry.get("type") != APPOINTMENT)
    appointments = len(entries) - releases
    return ", ".join([f"{releases} Pressemitteilung" + ("" if releases == 1 else "en"),
                      f"{appointments} Medientermin" + ("" if appointments == 1 else "e")])


def compose(payload: dict, settings: dict, entries: list[dict] | None = None) -> Composed:
    """Subject, text and HTML with link markers; `entries`: the stories this recipient gets
    (a digest lists only those matching the recipient's selections)."""
    entries = payload["stories"] if entries is None else entries
    shown = [{**entry, "when": when(entry)} for entry in entries]
    if payload["kind"] == PRESS:
        return _compose_press(payload, settings, shown)
    subject = subject_of(payload, len(entries))
    if payload["kind"] == "story":
        heading = "Neu auf duesseldorf.de"
        reason = ("Sie erhalten diese Nachricht, weil Sie E-Mail-Benachrichtigungen der Landeshauptstadt "
                  "Düsseldorf zu diesem Thema, Amt oder Stadtbezirk abonniert haben.")
    elif payload["kind"] == EVERYONE:
        heading = subject
        reason = ("Sie erhalten diese Krisenmeldung, weil Sie E-Mail-Benachrichtigungen der Landeshauptstadt "
                  "Düsseldorf abonniert haben. Krisenmeldungen gehen sofort an alle Abonnentinnen und Abonnenten, "
                  "unabhängig von Themen, Ämtern, Stadtbezirken und Häufigkeit.")
    else:
        heading = payload["label"]
        reason = (f"Sie erhalten diese {payload['label'].lower().removeprefix('ihre ')}, weil Sie "
                  "E-Mail-Benachrichtigungen der Landeshauptstadt Düsseldorf abonniert haben; sie nennt die "
                  "Meldungen zu Ihren Themen, Ämtern und Stadtbezirken.")
    view = {"subject": subject, "heading": heading, "entries": shown, "reason": reason,
            "sender": settings["SITE_SHORTNAME"], "manage": MANAGE, "unsubscribe": UNSUBSCRIBE}
    env = mail_templates(settings["THEME"], "alerts")
    return Composed(subject, env.get_template("alert.txt").render(view), env.get_template("alert.html").render(view))


def _compose_press(payload: dict, settings: dict, shown: list[dict]) -> Composed:
    """The Pressedienst's digest: the press releases, then the appointments, of the journalist's Themen."""
    subject = subject_of({**payload, "stories": shown})
    period = "tägliche" if payload["frequency"] == "taeglich" else "wöchentliche"
    reason = (f"Sie erhalten diese {period} Zusammenfassung, weil Sie den Pressedienst der "
              f"{settings['SITE_SHORTNAME']} abonniert haben; sie nennt die Pressemitteilungen und Medientermine "
              "zu Ihren Themen.")
    view = {"subject": subject, "heading": payload["label"], "reason": reason, "sender": settings["SITE_SHORTNAME"],
            "releases": [e for e in shown if e.get("type") != APPOINTMENT],
            "appointments": [e for e in shown if e.get("type") == APPOINTMENT],
            "manage": MANAGE, "unsubscribe": UNSUBSCRIBE}
    env = mail_templates(settings["THEME"], "alerts")
    return Composed(subject, env.get_template("presse.txt").render(view), env.get_template("presse.html").render(view))


def parse_address(value: str, what: str) -> Address:
    return parse_header_address(value, LABEL, what)


def message_id(item: str, subscriber: int, domain: str) -> str:
    """Stable per mail and recipient: a copy that went out twice (RFC 1047) is recognisably the same."""
    stem = hashlib.sha256(item.encode()).hexdigest()[:16]
    return f"<abo.{stem}.{subscriber}@{domain}>"


def message(composed: Composed, recipient: dict, *, item: str, sender: Address, list_id: str,
            now: datetime | None = None) -> bytes:
    """One recipient's mail as SMTP carries it (CRLF line ends, 7-bit safe)."""
    manage, leave = recipient["manage_url"], recipient["unsubscribe_url"]
    if not leave.startswith("https://"):
        # RFC 8058 one-click needs https; a plain-http link would leak the token.
        raise SendError(f"{LABEL}: Der Abmeldelink des Dienstes ist keine https-Adresse (SUBSCRIPTIONS_URL prüfen).")
    mail = EmailMessage(policy=policy.default)
    mail["Subject"] = composed.subject
    mail["From"] = sender
    mail["To"] = Address(addr_spec=one_line(recipient["address"]))
    mail["Date"] = format_datetime((now or datetime.now(BERLIN)).astimezone(BERLIN))
    mail["Message-ID"] = message_id(item, recipient["id"], sender.domain)
    mail["List-Id"] = one_line(list_id)
    mail["List-Unsubscribe"] = f"<{one_line(leave)}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail["X-Newsroom-Abo"] = one_line(recipient["ref"])  # names the subscriber in a bounce report, not the address
    # Quoted-printable keeps the message 7-bit: no server needs 8BITMIME for the umlauts.
    mail.set_content(composed.text.replace(MANAGE, manage).replace(UNSUBSCRIBE, leave), charset="utf-8",
                     cte="quoted-printable")
    mail.add_alternative(composed.html.replace(MANAGE, manage).replace(UNSUBSCRIBE, leave), subtype="html",
                         charset="utf-8", cte="quoted-printable")
    mail["Content-Language"] = "de"
    return mail.as_bytes(policy=SMTP_POLICY)
