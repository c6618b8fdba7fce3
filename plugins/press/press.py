"""press: the Pressemitteilung by e-mail to the press distribution list, from the same story.

- render(): the release as text (what the preview shows) and the data the mail is made
  from; no credentials, no network. The number shows as "PM …/2026" until it is assigned.
- prepare_claim(): the number ("PM 123/2026", numbers.py) and the issue time, recorded
  with the claim, so every retry sends the same release.
- send(): the distribution list (recipients.py), one SMTP connection (smtp.py), one
  message per recipient (message.py), progress recorded per batch (delivery.py). With
  `context.unclear` it mails exactly the recipients the record calls uncertain.
- check_unclear(): the uncertain recipients marked checked, nobody mailed.

The press is due from the story's `embargo` time (PUBLISH_AHEAD_CHANNELS); sent before
the public time `date`, the release states that time as its Sperrfrist in the subject
and in its first line.

Environment, NEWSROOM_PRESS_…: SMTP_HOST, SMTP_PORT, SMTP_SECURITY (starttls|tls|none),
SMTP_USER, SMTP_PASSWORD, SMTP_CA_FILE, FROM, REPLY_TO, RECIPIENTS (path or URL of the
list), RECIPIENTS_TOKEN (bearer token for that URL), RECIPIENT_SECRET (key of the hashes
that name recipients in the record).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newsroom.dates import build_now
from newsroom.errors import SendError
from newsroom.publishing.channel import Channel, ClaimFiles, Delivery, Post, Release, SendContext, channel_adapters
from newsroom.secrets import REDACTOR

from . import numbers

if TYPE_CHECKING:
    from email.headerregistry import Address

    from .recipients import RecipientList

# The mail modules (email, smtplib, ssl, csv) load when a release is drawn or sent: every
# build loads this plugin, and most builds draw no release.

logger = logging.getLogger("newsroom.publishing")

LINES_SHOWN = 20


class PressChannel(Channel):
    name = "press"
    label = "Pressemitteilung"
    # Sending again with the same record mails nobody twice (accepted and possibly mailed
    # recipients are skipped), so a run that died is simply continued.
    idempotent = True
    required_env = ("SMTP_HOST", "FROM", "RECIPIENTS", "RECIPIENT_SECRET")
    secret_env = ("SMTP_PASSWORD", "RECIPIENT_SECRET", "RECIPIENTS_TOKEN")

    def missing_credentials(self) -> list[str]:
        # Only the secrets are masked in messages; a masked server name or list path would hide the problem.
        return [self.credentials.name(key) for key in self.required_env
                if not self.credentials.get(key, secret=key in self.secret_env)]

    def number_text(self, number: int | str, year: int) -> str:
        return self.settings["PRESS_NUMBER_FORMAT"].format(number=number, year=year)

    # -- what the release says (no credentials, no network) ---------------------------------

    def render(self, release: Release) -> Post:
        story = release.story
        media = [{"url": link.url, "label": link.label, "credit": link.credit} for link in release.media]
        contact = {"name": story.contact.name, "phone": story.contact.phone or "", "email": story.contact.email or ""}
        payload = {
            "title": story.title, "summary": story.summary, "body_html": release.body_html,
            "thema": story.category, "amt": story.department, "url": release.url, "contact": contact,
            "date": story.date.isoformat(), "embargo": story.embargo.isoformat() if story.embargo else None,
            "note": self.own_text(story) or "", "media": media, "attachment": self._attachment(release),
        }
        if release.link_label:  # not a story (an appointment's invitation): its link says what it leads to
            payload["link_label"] = release.link_label
        from .message import compose

        planned = story.embargo or story.date  # when the press is due
        composed = compose(payload, self.number_text("…", planned.year), planned, self.settings,
                           unsubscribe=self._preview_unsubscribe())
        return Post(self.name, story.id, composed.text, link=release.url, title=composed.subject,
                    media=tuple(item["url"] for item in media), payload=payload)

    def validate(self, post: Post) -> list[str]:
        if not post.payload["body_html"].strip():
            return ["Pressemitteilung: Die Meldung hat keinen Text."]
        return []

    def _attachment(self, release: Release) -> str | None:
        """The lead image as attachment, only when PRESS_ATTACH_IMAGE allows it and it is small enough."""
        path = release.image_file
        if not (self.settings["PRESS_ATTACH_IMAGE"] and path and path.is_file()):
            return None
        if path.stat().st_size > self.settings["PRESS_ATTACHMENT_MAX_BYTES"]:
            return None
        return str(path)

    def _preview_unsubscribe(self) -> str:
        from .message import parse_address, unsubscribe_address

        configured = self.settings["PRESS_UNSUBSCRIBE"]
        if configured:
            return configured
        for key in ("REPLY_TO", "FROM"):
            value = self.credentials.get(key, secret=False)
            if value:
                try:
                    return unsubscribe_address(self.settings, parse_address(value, key), None)
                except SendError:
                    pass
        return "mailto:(Absenderadresse)"

    # -- claiming: the number -----------------------------------------------------------------

    def prepare_claim(self, post: Post, detail, files: ClaimFiles) -> dict:
        if detail.get("number"):
            return {}  # a retry keeps its number and issue time
        issued = build_now(self.settings["BUILD_NOW"])
        number = numbers.assign(files, post.story_id, issued.year)
        return {"number": self.number_text(number, issued.year), "issued": issued.isoformat()}

    # -- sending ------------------------------------------------------------------------------

    def send(self, post: Post, context: SendContext) -> Delivery:
        from newsroom.mail.smtp import SmtpConfig
        from newsroom.progress import Progress

        from .delivery import Dispatch, RecipientState
        from .message import MailFactory, compose, parse_address, unsubscribe_address
        from .recipients import recipient_key

        detail = context.detail
        if not detail.get("number") or not detail.get("issued"):
            raise SendError("Pressemitteilung: Der Eintrag im Versandprotokoll hat keine Nummer; bitte mit "
                            "„invoke publish --story ID --channel press“ erneut anstoßen.")
        number, issued = detail["number"], datetime.fromisoformat(detail["issued"])
        config = SmtpConfig.from_credentials(self.credentials, self.settings)
        sender = parse_address(self.credentials.require("FROM", secret=False), self.credentials.name("FROM"))
        reply_to = self._reply_to(post)
        secret = self.credentials.require("RECIPIENT_SECRET")
        listing = self._recipients()
        for problem in listing.problems:
            logger.warning("Pressemitteilung, Verteilerliste: %s", problem)
        thema = post.payload["thema"]
        chosen = [(r, recipient_key(secret, post.story_id, r.address)) for r in listing.for_thema(thema)]
        if not chosen:
            raise SendError(f"Pressemitteilung: Niemand in der Verteilerliste hat das Thema „{thema}“ oder "
                            "„alle“ abonniert.")
        state = RecipientState(detail)
        if context.unclear:  # on purpose: exactly the recipients whose fate is unknown, once
            todo = [(r, key) for r, key in chosen if key in state.uncertain]
        else:
            todo = [(r, key) for r, key in chosen if not state.finished(key)]
        unsubscribe = unsubscribe_address(self.settings, sender, reply_to)
        composed = compose(post.payload, number, issued, self.settings, unsubscribe=unsubscribe)
        attachment = post.payload.get("attachment")
        factory = MailFactory(composed, sender=sender, reply_to=reply_to, unsubscribe=unsubscribe,
                              list_id=self.settings["PRESS_LIST_ID"], story_id=post.story_id,
                              attachment=Path(attachment) if attachment else None)
        dispatch = Dispatch(config, factory, context, batch=self.settings["PRESS_BATCH"],
                            reconnects=self.settings["PRESS_SMTP_RECONNECTS"],
                            progress=Progress(number, len(chosen), "Empfängern", done=len(chosen) - len(todo)))
        if todo:
            dispatch.run(state, todo)
        return self._result(number, post, chosen, state, dispatch, listing, context)

    def _result(self, number, post, chosen, state, dispatch, listing, context) -> Delivery:
        line = {key: r.line for r, key in chosen}
        accepted = [k for k in state.accepted if k in line]
        refused = [k for k in line if k in state.refused]
        deferred = [k for k in line if k in state.deferred]
        uncertain = [k for k in line if k in state.uncertain]
        detail = {**state.detail(), "recipients": len(chosen)}

        def which(keys) -> str:
            shown = sorted(line[k] for k in keys)
            more = f" und {len(shown) - LINES_SHOWN} weitere" if len(shown) > LINES_SHOWN else ""
            example = next((str(dispatch.replies[k]) for k in keys if k in dispatch.replies), "")
            said = f", z. B. „{example}“" if example else ""
            return f"Zeilen {', '.join(map(str, shown[:LINES_SHOWN]))}{more} der Verteilerliste{said}"

        notes = []
        if refused:
            notes.append(f"{len(refused)} Empfänger dauerhaft abgewiesen (5xx; {which(refused)}).")
        if uncertain:
            notes.append(f"{len(uncertain)} Empfänger unklar: Ob die Mail ankam, ist nicht bekannt (ein Lauf brach "
                         "während ihres Stapels ab, oder die Antwort des Servers ging verloren, RFC 1047); nicht "
                         f"erneut gesendet ({which(uncertain)}).")
        if listing.problems:
            notes.append(f"{len(listing.problems)} Hinweis(e) zur Verteilerliste, siehe Warnungen.")
        summary = f"{number} an {len(accepted)} von {len(chosen)} Empfängern gesendet."
        if deferred:
            context.checkpoint(detail)
            raise SendError(f"{summary} {len(deferred)} vorübergehend abgewiesen (4xx; {which(deferred)}); der "
                            f"nächste Lauf versucht es erneut. {' '.join(notes)}".strip(), retry=True)
        if not accepted and not uncertain:
            context.checkpoint(detail)
            raise SendError(f"Pressemitteilung {number}: Kein Empfänger hat sie angenommen. {' '.join(notes)}")
        return Delivery(number, post.link, detail, note=" ".join([summary, *notes]), unclear=len(uncertain))

    def check_unclear(self, detail) -> dict:
        from .delivery import RecipientState

        state = RecipientState(detail)
        state.check()
        return state.detail()

    def _reply_to(self, post: Post) -> Address | None:
        from email.headerregistry import Address

        from .message import parse_address

        configured = self.credentials.get("REPLY_TO", secret=False)
        if configured:
            return parse_address(configured, self.credentials.name("REPLY_TO"))
        email = post.payload["contact"].get("email")
        try:
            return Address(addr_spec=email) if email else None
        except ValueError:
            return None

    def _recipients(self) -> RecipientList:
        from .recipients import load

        source = self.credentials.require("RECIPIENTS", secret=False)
        parts = urlsplit(source)
        if parts.scheme in ("http", "https") and (parts.query or parts.username or parts.password):
            REDACTOR.add(source)  # an access key in the address stays out of every message
        content = Path(self.settings["PATH"]).resolve()
        repository = next((p for p in (content, *content.parents) if (p / ".git").exists()), content)
        return load(source, list(self.settings["THEMEN"]), forbidden=(repository, Path(self.settings["OUTPUT_PATH"])),
                    token=self.credentials.get("RECIPIENTS_TOKEN"))


def adapters(_sender):
    return PressChannel


def register() -> None:
    channel_adapters.connect(adapters)
