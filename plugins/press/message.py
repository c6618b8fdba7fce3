"""The press release as a mail: text and HTML from the templates, headers under the default policy.

`compose()` fills theme/templates/press/message.txt and message.html once per release,
`compose_follow_up()` followup.txt and followup.html for its correction or withdrawal;
`MailFactory.data()` wraps either into one message per recipient; a recipient from the
subscription service gets its own List-Unsubscribe (RFC 8058 one-click) and a footer that
links its own manage page. Every header value
passes `one_line()` and is then set through Python's email package with
`policy.default`, which refuses a line break in a header: a title that tries to add
"Bcc:" stays text in the Subject and can never become a header of its own.
"""

from __future__ import annotations

import html
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email import policy, quoprimime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup

from newsroom.dates import BERLIN, german_date, short_german_date
from newsroom.mail.headers import one_line
from newsroom.mail.headers import parse_address as parse_header_address
from newsroom.mail.templates import mail_templates

from .plaintext import html_to_text
from .recipients import Recipient

SMTP_POLICY = policy.SMTP  # policy.default with CRLF line ends, as SMTP wants them
# List-Unsubscribe holds URLs that cannot be folded; at 78 characters the policy would turn
# them into encoded words no client reads as a link. RFC 5322 allows lines of 998.
LONG_LINES = SMTP_POLICY.clone(max_line_length=998)
ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058
MANAGE_LINK = "NewsroomManageLink7c1e"  # stands for each person's manage page until the mail is made


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


def footer(settings: dict, unsubscribe: str, manage: str | None = None) -> dict:
    """The footer's view: PRESS_FOOTER with the way off the list, which for a subscriber of the
    service is the person's manage page (`manage`; linked in the HTML)."""
    text = settings["PRESS_FOOTER"].format(unsubscribe=manage or unsubscribe_label(unsubscribe))
    if manage and manage not in text:
        text = f"{text} Abonnement verwalten oder abmelden: {manage}"
    before, _, after = text.partition(manage) if manage else (text, "", "")
    return {"footer": text, "manage": manage, "footer_before": before, "footer_after": after}


def compose(payload: dict, number: str, issued: datetime, settings: dict, *, unsubscribe: str,
            manage: str | None = None) -> Composed:
    """Subject, text and HTML of one release (`payload` as PressChannel.render made it)."""
    stated = sperrfrist(payload, issued)
    subject = payload.get("subject") or f"{number}: {payload['title']}"
    if stated:
        subject = f"Sperrfrist: {stated} – {subject}"
    view = {
        "number": number, "subject": one_line(subject), "sperrfrist": stated,
        "sender": settings["PRESS_SENDER"], "place": settings["PRESS_PLACE"],
        "issued": german_date(issued.astimezone(BERLIN)), "title": payload["title"], "summary": payload["summary"],
        "contact": payload["contact"], "url": payload["url"], "media": payload["media"], "note": payload.get("note"),
        "link_label": payload.get("link_label") or "Die Meldung im Internet",
        **footer(settings, unsubscribe, manage),
    }
    env = mail_templates(settings["THEME"], "press")
    text = env.get_template("message.txt").render(view, body=html_to_text(payload["body_html"]))
    html = env.get_template("message.html").render(view, body_html=Markup(payload["body_html"]))
    return Composed(number, view["subject"], text, html)


FOLLOW_UP_LABELS = {"correction": "Berichtigung zu {number}", "withdrawal": "Rücknahme der {number}"}


def follow_up_label(kind: str, number: str) -> str:
    """"Berichtigung zu PM 123/2026", "Rücknahme der PM 123/2026": the subject's start, and how runs name it."""
    return FOLLOW_UP_LABELS[kind].format(number=number)


def compose_follow_up(payload: dict, settings: dict, *, unsubscribe: str, manage: str | None = None) -> Composed:
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
        **footer(settings, unsubscribe, manage),
    }
    env = mail_templates(settings["THEME"], "press")
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
    return parse_header_address(value, "Pressemitteilung", what)


class MailFactory:
    """One release's message, made once; per recipient only To, Date, Message-ID and
    List-Unsubscribe are added.

    The common part is serialised once; each recipient's headers are made by the same policy
    and put in front of its body, so 5,000 recipients cost 5,000 small header blocks rather
    than 5,000 copies of the whole message. A correction or withdrawal adds In-Reply-To and
    References (`in_reply_to`: recipient key → the release's Message-ID), so mail clients show
    it with the release it is about.

    Recipients from the subscription service carry their own links (recipients.py). Their
    List-Unsubscribe names their one-click URL (with List-Unsubscribe-Post when it is https,
    RFC 8058) before the list's mailto:; their footer links their manage page. That body is
    `personal` (composed with MANAGE_LINK for the link), also serialised once: each recipient
    costs only its link, put in where the stand-in was, quoted-printable as around it."""

    def __init__(self, composed: Composed, *, sender: Address, reply_to: Address | None, list_id: str,
                 unsubscribe: str, story_id: str, attachment: Path | None = None,
                 in_reply_to: Mapping[str, str] | None = None, personal: Composed | None = None):
        self.composed = composed
        self.sender = sender
        self.reply_to = reply_to
        self.list_id = list_id
        self.unsubscribe = one_line(unsubscribe)
        self.attachment = attachment
        self.story_id = story_id
        self.in_reply_to = in_reply_to or {}
        self.headers, self.body = self._serialise(composed.text, composed.html)
        self.personal: tuple[bytes, list[bytes | str]] | None = None
        if personal is not None:
            headers, body = self._serialise(personal.text.replace(MANAGE_LINK, _TEXT_LINK),
                                            personal.html.replace(MANAGE_LINK, _HTML_LINK))
            self.personal = (headers, _pieces(body))

    def _serialise(self, text: str, html_text: str) -> tuple[bytes, bytes]:
        base = EmailMessage(policy=policy.default)
        base["Subject"] = self.composed.subject
        base["From"] = self.sender
        if self.reply_to is not None:
            base["Reply-To"] = self.reply_to
        base["List-Id"] = one_line(self.list_id)
        # Quoted-printable keeps the message 7-bit: no server needs 8BITMIME for the umlauts.
        base.set_content(text, charset="utf-8", cte="quoted-printable")
        base.add_alternative(html_text, subtype="html", charset="utf-8", cte="quoted-printable")
        base["Content-Language"] = "de"  # after the parts: making them moves Content-* headers into the first
        if self.attachment is not None:
            kind = mimetypes.guess_type(self.attachment.name)[0] or "application/octet-stream"
            maintype, subtype = kind.split("/", 1)
            base.add_attachment(self.attachment.read_bytes(), maintype=maintype, subtype=subtype,
                                filename=self.attachment.name)
        headers, body = base.as_bytes(policy=SMTP_POLICY).split(b"\r\n\r\n", 1)
        return headers, body

    def message_id(self, key: str) -> str:
        return message_id(self.composed.number, self.story_id, key, self.sender.domain)

    def list_headers(self, recipient: Recipient) -> bytes:
        """List-Unsubscribe (and List-Unsubscribe-Post) for one recipient, unfolded."""
        own = EmailMessage(policy=policy.default)
        if recipient.unsubscribe:
            # The mailto: stays as a second way for clients without one-click; a web page does not.
            second = f", <{self.unsubscribe}>" if self.unsubscribe.startswith("mailto:") else ""
            own["List-Unsubscribe"] = f"<{recipient.unsubscribe}>{second}"
            if recipient.unsubscribe.startswith("https://"):  # RFC 8058 allows one-click only over https
                own["List-Unsubscribe-Post"] = ONE_CLICK
        else:
            own["List-Unsubscribe"] = f"<{self.unsubscribe}>"
        return own.as_bytes(policy=LONG_LINES)[:-2]

    def data(self, recipient: Recipient, key: str, now: datetime | None = None) -> bytes:
        """The message to one recipient as SMTP carries it (CRLF line ends, 7-bit safe)."""
        own = EmailMessage(policy=policy.default)
        own["To"] = Address(display_name=one_line(recipient.name), addr_spec=recipient.address)
        own["Date"] = format_datetime((now or datetime.now(BERLIN)).astimezone(BERLIN))
        own["Message-ID"] = self.message_id(key)
        if key in self.in_reply_to:
            own["In-Reply-To"] = own["References"] = self.in_reply_to[key]
        if recipient.abo:  # how a bounce report names the subscriber to the service, without the address
            own["X-Newsroom-Abo"] = recipient.abo
        headers, body = self.headers, self.body
        if recipient.manage and self.personal is not None:
            headers, pieces = self.personal
            body = _fill(pieces, recipient.manage)
        return (headers + b"\r\n" + own.as_bytes(policy=SMTP_POLICY)[:-2] + self.list_headers(recipient)
                + b"\r\n" + body)


# In the serialised personal body the stand-in appears as the text part wrote it or as the HTML
# part did; quoted-printable may have broken it over lines with soft breaks ("=" CRLF).
_TEXT_LINK, _HTML_LINK = MANAGE_LINK + "Text", MANAGE_LINK + "Html"
_STAND_INS = re.compile(b"|".join(
    b"(" + b"(?:=\r\n)?".join(re.escape(bytes([c])) for c in mark.encode("ascii")) + b")"
    for mark in (_TEXT_LINK, _HTML_LINK)))


def _pieces(body: bytes) -> list[bytes | str]:
    """The body split at each stand-in: bytes as they are, "text" or "html" where a link goes."""
    pieces: list[bytes | str] = []
    start = 0
    for found in _STAND_INS.finditer(body):
        pieces += [body[start:found.start()], "text" if found.group(1) else "html"]
        start = found.end()
    return [*pieces, body[start:]]


def _fill(pieces: list[bytes | str], link: str) -> bytes:
    """The personal body with `link` in place: on lines of its own, joined to the text around it
    by soft breaks, so no line grows past the limit and the decoded text is unchanged around it."""
    encoded = {kind: b"=\r\n" + quoprimime.body_encode(value, 76, "\r\n").encode("ascii") + b"=\r\n"
               for kind, value in (("text", link), ("html", html.escape(link)))}
    return b"".join(piece if isinstance(piece, bytes) else encoded[piece] for piece in pieces)


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
