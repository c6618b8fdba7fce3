"""The press release as a mail: text and HTML from the templates, headers under the default policy.

`compose()` fills theme/templates/press/message.txt and message.html once per release,
`compose_follow_up()` followup.txt and followup.html for its correction or withdrawal;
`MailFactory.data()` wraps either into one message per recipient. Every header value
passes `one_line()` and is then set through Python's email package with
`policy.default`, which refuses a line break in a header: a title that tries to add
"Bcc:" stays text in the Subject and can never become a header of its own.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from newsroom.dates import BERLIN, german_date, short_german_date
from newsroom.errors import SendError

from .plaintext import html_to_text
from .recipients import Recipient

SMTP_POLICY = policy.SMTP  # policy.default with CRLF line ends, as SMTP wants them
_CONTROL = dict.fromkeys(list(range(32)) + [127], " ")


def one_line(value: object) -> str:
    """A header value: control characters (CR, LF, tabs …) become spaces, runs of space one."""
    return " ".join(str(value).translate(_CONTROL).split())


def sperrfrist_text(moment: datetime) -> str:
    """'30.11.2026, 10:00 Uhr'."""
    moment = moment.astimezone(BERLIN)
    return f"{short_german_date(moment)}, {moment:%H:%M} Uhr"


def sperrfrist(payload: dict, issued: datetime) -> str | None:
    """The Sperrfrist to state: the public time, when a story with an embargo goes out before it."""
    public = datetime.fromisoformat(payload["date"])
    if payload.get("embargo") and issued < public:
        return sperrfrist_text(public)
    return None


@dataclass(frozen=True)
class Composed:
    number: str
    subject: str
    text: str
    html: str


_ENVIRONMENTS: dict[str, Environment] = {}


def _templates(theme: str) -> Environment:
    if theme not in _ENVIRONMENTS:
        _ENVIRONMENTS[theme] = Environment(
            loader=FileSystemLoader(str(Path(theme) / "templates" / "press")),
            autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True)
    return _ENVIRONMENTS[theme]


def compose(payload: dict, number: str, issued: datetime, settings: dict, *, unsubscribe: str) -> Composed:
    """Subject, text and HTML of one release (`payload` as PressChannel.render made it)."""
    stated = sperrfrist(payload, issued)
    subject = f"{number}: {payload['title']}"
    if stated:
        subject = f"Sperrfrist: {stated} – {subject}"
    view = {
        "number": number, "subject": one_line(subject), "sperrfrist": stated,
        "sender": settings["PRESS_SENDER"], "place": settings["PRESS_PLACE"],
        "issued": german_date(issued.astimezone(BERLIN)), "title": payload["title"], "summary": payload["summary"],
        "contact": payload["contact"], "url": payload["url"], "media": payload["media"], "note": payload.get("note"),
        "link_label": payload.get("link_label") or "Die Meldung im Internet",
        "footer": settings["PRESS_FOOTER"].format(unsubscribe=unsubscribe_label(unsubscribe)),
    }
    env = _templates(settings["THEME"])
    text = env.get_template("message.txt").render(view, body=html_to_text(payload["body_html"]))
    html = env.get_template("message.html").render(view, body_html=Markup(payload["body_html"]))
    return Composed(number, view["subject"], text, html)


FOLLOW_UP_LABELS = {"correction": "Berichtigung zu {number}", "withdrawal": "Rücknahme der {number}"}


def follow_up_label(kind: str, number: str) -> str:
    """"Berichtigung zu PM 123/2026", "Rücknahme der PM 123/2026": the subject's start, and how runs name it."""
    return FOLLOW_UP_LABELS[kind].format(number=number)


def compose_follow_up(payload: dict, settings: dict, *, unsubscribe: str) -> Composed:
    """Subject, text and HTML of a correction or withdrawal of the release `payload["number"]`
    (`payload` as PressChannel.render_correction or render_withdrawal made it)."""
    number = payload["number"]
    subject = f"{follow_up_label(payload['kind'], number)}: {payload['title']}"
    first = payload.get("issued")
    view = {
        "kind": payload["kind"], "number": number, "subject": one_line(subject),
        "sender": settings["PRESS_SENDER"], "place": settings["PRESS_PLACE"],
        "issued": german_date(datetime.fromisoformat(payload["date"]).astimezone(BERLIN)),
        "original_issued": german_date(datetime.fromisoformat(first).astimezone(BERLIN)) if first else None,
        "title": payload["title"], "wrong": payload.get("wrong"), "right": payload.get("right"),
        "reason": payload.get("reason"), "url": payload.get("url"), "contact": payload["contact"],
        "footer": settings["PRESS_FOOTER"].format(unsubscribe=unsubscribe_label(unsubscribe)),
    }
    env = _templates(settings["THEME"])
    text = env.get_template("followup.txt").render(view)
    html = env.get_template("followup.html").render(view)
    return Composed(number, view["subject"], text, html)


def id_stem(number: str) -> str:
    """"PM 123/2026" → "pm-123-2026": the release's part of its Message-IDs."""
    return "-".join("".join(c if c.isalnum() else " " for c in number).lower().split())


def message_id(number: str, story_id: str, key: str, domain: str) -> str:
    """Stable per release (or follow-up, by its record key) and recipient, so a copy that went
    out twice (RFC 1047) is recognisably the same message, and a follow-up can name the release."""
    return f"<{id_stem(number)}.{story_id}.{key}@{domain}>"


def parse_address(value: str, what: str) -> Address:
    """One address as a header gives it ('Presse <presse@duesseldorf.de>'), or a SendError."""
    header = policy.default.header_factory("from", one_line(value))
    addresses = getattr(header, "addresses", ())
    if len(addresses) != 1 or header.defects or "@" not in addresses[0].addr_spec:
        raise SendError(f"Pressemitteilung: {what} „{one_line(value)}“ ist keine gültige Adresse "
                        "(Form: Name <adresse@domain.de>).")
    return addresses[0]


class MailFactory:
    """One release's message, made once; per recipient only To, Date and Message-ID are added.

    The common part is serialised once; each recipient's three headers are made by the
    same policy and put in front of its body, so 5,000 recipients cost 5,000 small header
    blocks rather than 5,000 copies of the whole message. A correction or withdrawal adds
    In-Reply-To and References (`in_reply_to`: recipient key → the release's Message-ID), so
    mail clients show it with the release it is about."""

    def __init__(self, composed: Composed, *, sender: Address, reply_to: Address | None, list_id: str,
                 unsubscribe: str, story_id: str, attachment: Path | None = None,
                 in_reply_to: Mapping[str, str] | None = None):
        self.composed = composed
        self.sender = sender
        self.story_id = story_id
        self.in_reply_to = in_reply_to or {}
        base = EmailMessage(policy=policy.default)
        base["Subject"] = composed.subject
        base["From"] = sender
        if reply_to is not None:
            base["Reply-To"] = reply_to
        base["List-Id"] = one_line(list_id)
        base["List-Unsubscribe"] = f"<{one_line(unsubscribe)}>"
        # Quoted-printable keeps the message 7-bit: no server needs 8BITMIME for the umlauts.
        base.set_content(composed.text, charset="utf-8", cte="quoted-printable")
        base.add_alternative(composed.html, subtype="html", charset="utf-8", cte="quoted-printable")
        base["Content-Language"] = "de"  # after the parts: making them moves Content-* headers into the first
        if attachment is not None:
            kind = mimetypes.guess_type(attachment.name)[0] or "application/octet-stream"
            maintype, subtype = kind.split("/", 1)
            base.add_attachment(attachment.read_bytes(), maintype=maintype, subtype=subtype,
                                filename=attachment.name)
        self.headers, self.body = base.as_bytes(policy=SMTP_POLICY).split(b"\r\n\r\n", 1)

    def message_id(self, key: str) -> str:
        return message_id(self.composed.number, self.story_id, key, self.sender.domain)

    def data(self, recipient: Recipient, key: str, now: datetime | None = None) -> bytes:
        """The message to one recipient as SMTP carries it (CRLF line ends, 7-bit safe)."""
        own = EmailMessage(policy=policy.default)
        own["To"] = Address(display_name=one_line(recipient.name), addr_spec=recipient.address)
        own["Date"] = format_datetime((now or datetime.now(BERLIN)).astimezone(BERLIN))
        own["Message-ID"] = self.message_id(key)
        if key in self.in_reply_to:
            own["In-Reply-To"] = own["References"] = self.in_reply_to[key]
        return self.headers + b"\r\n" + own.as_bytes(policy=SMTP_POLICY)[:-2] + b"\r\n" + self.body


def unsubscribe_address(settings: dict, sender: Address, reply_to: Address | None) -> str:
    """PRESS_UNSUBSCRIBE, else a mail to the press office asking to be taken off the list."""
    configured = settings["PRESS_UNSUBSCRIBE"]
    if configured:
        return configured
    target = reply_to or sender
    return f"mailto:{target.addr_spec}?subject={quote('Abmelden vom Presseverteiler')}"


def unsubscribe_label(uri: str) -> str:
    """How the footer names the way off the list: the address of a mailto:, else the URL."""
    if uri.startswith("mailto:"):
        return uri[len("mailto:"):].split("?", 1)[0]
    return uri
