"""press: the Pressemitteilung by e-mail to the press distribution list, from the same story.

- render(): the release as text (what the preview shows) and the data the mail is made
  from; no credentials, no network. The number shows as "PM …/2026" until it is assigned.
- prepare_claim(): the number ("PM 123/2026", numbers.py) and the issue time, recorded
  with the claim, so every retry sends the same release.
- send(): the distribution list (recipients.py), one SMTP connection (smtp.py), one
  message per recipient (message.py), progress recorded per batch (delivery.py). With
  `context.unclear` it mails exactly the recipients the record calls uncertain.
- check_unclear(): the uncertain recipients marked checked, nobody mailed.
- correct() / withdraw(): "Berichtigung zu PM 123/2026: …" or "Rücknahme der PM 123/2026: …"
  (theme/templates/press/followup.*), no new number, to the recipients of the release:
  those its record names as accepted, uncertain (including a `sending` batch never settled)
  or `checked`, since a person who checked by hand left them as possibly mailed; whoever
  may have the release must hear that it is wrong. They are found by their keyed hashes
  (recipient_key over the release's record key and every address of the current list), so
  NEWSROOM_PRESS_RECIPIENT_SECRET must stay the same while records of sends are kept. Being
  still on the list is enough; the Thema is not asked again, as the subscriptions may have
  changed since. Nobody else gets it: neither who joined the list later nor who left it.
  The follow-up's own record tracks its recipients exactly as a first send does (keys over
  its own record key), so batches, crashes and `--send-unclear` / `--unclear-checked` work
  the same; each mail refers to the release's Message-ID (In-Reply-To, References).

A crisis message (newsroom/crisis/sends.py) sets its own subject ("Krisenmeldung: <Titel>") and goes
to everyone on the list, whatever Themen each chose (`Release.subject`, `Release.everyone`).

The press is due from the story's `embargo` time (PUBLISH_AHEAD_CHANNELS); sent before
the public time `date`, the release states that time as its Sperrfrist in the subject
and in its first line.

Environment, NEWSROOM_PRESS_…: SMTP_HOST, SMTP_PORT, SMTP_SECURITY (starttls|tls|none),
SMTP_USER, SMTP_PASSWORD, SMTP_CA_FILE, FROM, REPLY_TO, RECIPIENTS (path or URL of the
list, e.g. the subscription service's <SUBSCRIPTIONS_URL>api/presse/verteiler.csv),
RECIPIENTS_TOKEN (bearer token for that URL), RECIPIENT_SECRET (key of the hashes that name
recipients in the record).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newsroom.dates import build_now
from newsroom.errors import PublishError, SendError
from newsroom.publishing.channel import (
    CORRECT,
    PUBLISH,
    WITHDRAW,
    Channel,
    ClaimFiles,
    Delivery,
    Post,
    Release,
    SendContext,
    channel_adapters,
)
from newsroom.publishing.followups import CORRECTION, WITHDRAWAL, story_key_of
from newsroom.secrets import REDACTOR

from . import numbers

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from email.headerregistry import Address

    from newsroom.content.amendments import Correction, Withdrawal

    from .message import Composed
    from .recipients import Recipient, RecipientList

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
    correction_idempotent = True  # the same holds for a correction's record; a withdrawal always is
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
        if release.subject:  # a crisis message: "Krisenmeldung: …", to the whole list
            payload["subject"] = release.subject
        if release.everyone:
            payload["everyone"] = True
        from .message import compose

        planned = story.embargo or story.date  # when the press is due
        composed = compose(payload, self.number_text("…", planned.year), planned, self.settings,
                           unsubscribe=self._preview_unsubscribe())
        return Post(self.name, story.id, composed.text, link=release.url, title=composed.subject,
                    media=tuple(item["url"] for item in media), payload=payload)

    def render_correction(self, release: Release, correction: Correction, original: Mapping) -> Post:
        return self._follow_up_post(release, original, CORRECT, {
            "kind": CORRECTION, "date": correction.date.isoformat(), "wrong": correction.wrong,
            "right": correction.right})

    def render_withdrawal(self, release: Release, withdrawal: Withdrawal, original: Mapping) -> Post:
        # A page taken down for legal reasons (`gone`) answers 410: no link to it.
        return self._follow_up_post(release, original, WITHDRAW, {
            "kind": WITHDRAWAL, "date": withdrawal.date.isoformat(), "reason": withdrawal.reason,
            **({"url": None} if withdrawal.gone else {})})

    def _follow_up_post(self, release: Release, original: Mapping, action: str, fields: dict) -> Post:
        """A correction or withdrawal of the release the original record names (its number, its day)."""
        from .message import compose_follow_up

        story, first = release.story, original.get("detail") or {}
        contact = {"name": story.contact.name, "phone": story.contact.phone or "", "email": story.contact.email or ""}
        payload = {"title": story.title, "url": release.url, "contact": contact,
                   "number": first.get("number"), "issued": first.get("issued"), **fields}
        shown = {**payload, "number": payload["number"] or self.number_text("…", story.date.year)}
        composed = compose_follow_up(shown, self.settings, unsubscribe=self._preview_unsubscribe())
        return Post(self.name, story.id, composed.text, link=release.url, title=composed.subject, payload=payload,
                    action=action, original=original)

    def validate(self, post: Post) -> list[str]:
        if post.action != PUBLISH:
            if not post.payload.get("number"):
                return ["Pressemitteilung: Die erste Sendung hat im Versandprotokoll keine Nummer; "
                        "Berichtigung oder Rücknahme bitte von Hand an den Verteiler senden."]
            return []
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
        if post.action != PUBLISH:  # no number of its own: it names the release it is about
            return {"release": post.payload["number"]} if post.payload.get("number") else {}
        if detail.get("number"):
            return {}  # a retry keeps its number and issue time
        issued = build_now(self.settings["BUILD_NOW"])
        number = numbers.assign(files, post.story_id, issued.year)
        return {"number": self.number_text(number, issued.year), "issued": issued.isoformat()}

    # -- sending ------------------------------------------------------------------------------

    def send(self, post: Post, context: SendContext) -> Delivery:
        from .message import compose
        from .recipients import recipient_key

        detail = context.detail
        if not detail.get("number") or not detail.get("issued"):
            raise SendError("Pressemitteilung: Der Eintrag im Versandprotokoll hat keine Nummer; bitte mit "
                            "„invoke publish --story ID --channel press“ erneut anstoßen.")
        number, issued = detail["number"], datetime.fromisoformat(detail["issued"])
        secret = self.credentials.require("RECIPIENT_SECRET")
        listing = self._recipients()
        thema = post.payload["thema"]
        wanted = listing.recipients if post.payload.get("everyone") else listing.for_thema(thema)
        chosen = [(r, recipient_key(secret, post.story_id, identity(r))) for r in wanted]
        if not chosen:
            raise SendError(f"Pressemitteilung: Niemand in der Verteilerliste hat das Thema „{thema}“ oder "
                            "„alle“ abonniert.")
        attachment = post.payload.get("attachment")
        return self._mail(post, context, listing, chosen, number, f"Pressemitteilung {number}",
                          lambda unsubscribe, manage=None: compose(post.payload, number, issued, self.settings,
                                                                   unsubscribe=unsubscribe, manage=manage),
                          attachment=Path(attachment) if attachment else None)

    def correct(self, post: Post, context: SendContext) -> Delivery:
        return self._follow_up(post, context)

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        return self._follow_up(post, context)

    def _follow_up(self, post: Post, context: SendContext) -> Delivery:
        """The correction or withdrawal to every recipient of the release still on the list (module docstring)."""
        from .delivery import RecipientState
        from .message import compose_follow_up, follow_up_label, message_id
        from .recipients import recipient_key

        number = post.payload.get("number")
        if not number:
            raise SendError(self.validate(post)[0])
        label = follow_up_label(post.payload["kind"], number)
        secret = self.credentials.require("RECIPIENT_SECRET")
        listing = self._recipients()
        # The release's record key: what its recipients' hashes (and Message-IDs) were made with.
        story = context.detail.get("story") or story_key_of(post.story_id)
        first = RecipientState(post.original.get("detail") or {})
        reached = first.accepted | first.uncertain | first.checked
        domain = self._sender().domain
        chosen, replies = [], {}
        for recipient in listing.recipients:
            # Sent as a subscriber of the service, or from a file list before that: either proves receipt.
            earlier = next((k for k in (recipient_key(secret, story, identity(recipient)),
                                        recipient_key(secret, story, recipient.address)) if k in reached), None)
            if earlier is not None:
                key = recipient_key(secret, post.story_id, identity(recipient))
                chosen.append((recipient, key))
                replies[key] = message_id(number, story, earlier, domain)
        if not chosen:
            # Also what a changed NEWSROOM_PRESS_RECIPIENT_SECRET looks like: stop, never record it as sent.
            raise SendError(f"{label}: Keiner der {len(reached)} Empfänger der {number} steht noch in der "
                            "Verteilerliste (oder NEWSROOM_PRESS_RECIPIENT_SECRET wurde seit dem Versand geändert); "
                            "nichts gesendet. Bitte prüfen und die Berichtigung oder Rücknahme gegebenenfalls von "
                            "Hand senden.")
        return self._mail(post, context, listing, chosen, label, label,
                          lambda unsubscribe, manage=None: compose_follow_up(post.payload, self.settings,
                                                                             unsubscribe=unsubscribe, manage=manage),
                          in_reply_to=replies)

    def _sender(self) -> Address:
        from .message import parse_address

        return parse_address(self.credentials.require("FROM", secret=False), self.credentials.name("FROM"))

    def _mail(self, post: Post, context: SendContext, listing: RecipientList, chosen: list[tuple[Recipient, str]],
              remote_id: str, label: str, make: Callable[..., Composed], *, attachment: Path | None = None,
              in_reply_to: Mapping[str, str] | None = None) -> Delivery:
        """One message to each chosen recipient not yet served, progress recorded per batch (delivery.py)."""
        from newsroom.mail.smtp import SmtpConfig
        from newsroom.progress import Progress

        from .delivery import Dispatch, RecipientState
        from .message import MANAGE_LINK, MailFactory, unsubscribe_address

        config = SmtpConfig.from_credentials(self.credentials, self.settings)
        sender = self._sender()
        reply_to = self._reply_to(post)
        state = RecipientState(context.detail)
        if context.unclear:  # on purpose: exactly the recipients whose fate is unknown, once
            todo = [(r, key) for r, key in chosen if key in state.uncertain]
        else:
            todo = [(r, key) for r, key in chosen if not state.finished(key)]
        unsubscribe = unsubscribe_address(self.settings, sender, reply_to)
        # Subscribers of the service get a footer with their own manage page (message.MailFactory).
        personal = make(unsubscribe, manage=MANAGE_LINK) if any(r.manage for r, _ in todo) else None
        factory = MailFactory(make(unsubscribe), sender=sender, reply_to=reply_to, unsubscribe=unsubscribe,
                              list_id=self.settings["PRESS_LIST_ID"], story_id=post.story_id, attachment=attachment,
                              in_reply_to=in_reply_to, personal=personal)
        dispatch = Dispatch(config, factory, context, batch=self.settings["PRESS_BATCH"],
                            reconnects=self.settings["PRESS_SMTP_RECONNECTS"],
                            progress=Progress(remote_id, len(chosen), "Empfängern", done=len(chosen) - len(todo)))
        try:
            if todo:
                dispatch.run(state, todo)
        finally:
            self._report_refusals(post, todo, dispatch, context)
        return self._result(remote_id, label, post, chosen, state, dispatch, listing, context)

    def _report_refusals(self, post: Post, todo, dispatch, context: SendContext) -> None:
        """Refusals in the SMTP dialogue of subscribers from the subscription service count as their
        bounces there (a relay reports nothing later about a mail it refused). Best effort: the
        release is sent either way, and the service counts each refusal once, so a re-run may repeat."""
        from newsroom.mail.smtp import Result

        from .recipients import refusals_url

        url = refusals_url(self.credentials.get("RECIPIENTS", secret=False) or "")
        kinds = {Result.REFUSED: "hard", Result.DEFERRED: "soft"}
        refusals = [{"abo": recipient.abo, "kind": kinds[dispatch.replies[key].result]} for recipient, key in todo
                    if recipient.abo and key in dispatch.replies and dispatch.replies[key].result in kinds]
        if not url or not refusals:
            return
        try:
            context.client.request("POST", url, idempotent=True, json={"item": f"press:{post.story_id}",
                                                                      "refusals": refusals},
                                   headers={"Authorization": f"Bearer {self.credentials.require('RECIPIENTS_TOKEN')}"})
        except (SendError, PublishError) as exc:
            logger.warning("Pressemitteilung: Abweisungen nicht an den Abonnement-Dienst gemeldet: %s", exc)

    def _result(self, number, label, post, chosen, state, dispatch, listing, context) -> Delivery:
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
            raise SendError(f"{label}: Kein Empfänger hat sie angenommen. {' '.join(notes)}")
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
        listing = load(source, list(self.settings["THEMEN"]),
                       forbidden=(repository, Path(self.settings["OUTPUT_PATH"])),
                       token=self.credentials.get("RECIPIENTS_TOKEN"))
        for problem in listing.problems:
            logger.warning("Pressemitteilung, Verteilerliste: %s", problem)
        return listing


def identity(recipient: Recipient) -> str:
    """What a recipient's hash in the record is made of: a subscriber of the service by its
    X-Newsroom-Abo value (keyed with the person's own key, so an erasure makes every record in git
    unlinkable), someone from a file list by the address."""
    return recipient.abo or recipient.address


def adapters(_sender):
    return PressChannel


def register() -> None:
    channel_adapters.connect(adapters)
