"""The only mails the service itself sends: the confirmation of a sign-up, and the manage link
to an address already subscribed. Everything else (stories, digests) leaves from the publish run.

German, text and HTML from theme/templates/subscriptions/mail/, through the relay of
NEWSROOM_SUBSCRIPTIONS_SMTP_* as NEWSROOM_SUBSCRIPTIONS_FROM. Addresses never reach a log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from newsroom.errors import NewsroomError, SendError
from newsroom.mail.addresses import mask_addresses
from newsroom.mail.headers import one_line, parse_address
from newsroom.mail.smtp import Connection, Result, SmtpConfig
from newsroom.mail.templates import mail_templates
from newsroom.subscriptions import bounces
from newsroom.subscriptions.models import Subscriber

LABEL = "Abonnements"
REPO = Path(__file__).resolve().parents[2]
log = logging.getLogger(__name__)


def theme_folder(settings) -> Path:
    theme = Path(settings["THEME"])
    return theme if theme.is_absolute() else REPO / theme


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


def compose(config, template: str, subject: str, **context) -> Mail:
    environment = mail_templates(str(theme_folder(config.settings)), "subscriptions/mail")
    context = {"site": config.settings, "subject": subject, **context}
    return Mail(subject, environment.get_template(f"{template}.txt").render(context),
                environment.get_template(f"{template}.html").render(context))


def sender(config) -> Address:
    value = config.credentials.get("FROM", secret=False)
    if not value:
        raise SendError(f"{LABEL}: {config.credentials.name('FROM')} fehlt (Absender der Bestätigungsmails).")
    return parse_address(value, LABEL, config.credentials.name("FROM"))


def message(config, mail: Mail, recipient: str, ref: str) -> EmailMessage:
    origin = sender(config)
    built = EmailMessage(policy=policy.default)
    built["Subject"] = one_line(mail.subject)
    built["From"] = origin
    built["To"] = Address(addr_spec=recipient)
    built["Date"] = format_datetime(datetime.now(timezone.utc))
    built["Message-ID"] = make_msgid(domain=origin.domain)
    built["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a confirmation
    built[bounces.HEADER] = ref  # a delivery report about this mail finds its subscriber (bounces.py)
    built.set_content(mail.text, charset="utf-8", cte="quoted-printable")
    built.add_alternative(mail.html, subtype="html", charset="utf-8", cte="quoted-printable")
    built["Content-Language"] = "de"
    return built


def send(config, mail: Mail, subscriber: Subscriber) -> bool:
    """One message; False (logged without the address) when it did not go out. The person sees
    the same page either way, so a failure must show in the log for the operator."""
    try:
        recipient = subscriber.email
        built = message(config, mail, recipient, bounces.mail_ref(subscriber.id, subscriber.key))
        connection = Connection(SmtpConfig.from_credentials(config.credentials, config.settings, label=LABEL))
    except NewsroomError as exc:
        log.error("%s: Mail nicht gesendet: %s", LABEL, mask_addresses(str(exc)))
        return False
    try:
        reply = connection.deliver(built["From"].addresses[0].addr_spec, recipient,
                                   built.as_bytes(policy=policy.SMTP))
    except NewsroomError as exc:
        log.error("%s: Mail nicht gesendet: %s", LABEL, mask_addresses(str(exc)))
        return False
    finally:
        connection.close()
    if reply.result is not Result.ACCEPTED:
        log.warning("%s: Der SMTP-Server nahm die Mail nicht an: %s", LABEL, mask_addresses(str(reply)))
    return reply.result is Result.ACCEPTED


def send_confirmation(config, subscriber: Subscriber, url: str, offer: str) -> bool:
    mail = compose(config, "bestaetigen", "Bitte bestätigen Sie Ihr Abonnement", url=url, offer=offer,
                   hours=int(config.settings["SUBSCRIPTIONS_CONFIRM_HOURS"]))
    return send(config, mail, subscriber)


def send_manage_link(config, subscriber: Subscriber, url: str, offer: str) -> bool:
    mail = compose(config, "verwalten", "Ihr Abonnement: Link zum Verwalten", url=url, offer=offer)
    return send(config, mail, subscriber)
