"""buerger: citizen alerts by e-mail – each story, and the daily and weekly digests, once per subscriber.

Which stories: those that choose the channel in `channels:`, and from SUBSCRIPTIONS_ALERTS_SINCE on
every published story unless it says `buerger: false` (the reader decides this in one place:
StoryVocabulary.implicit). Who: the subscription service's active, confirmed citizen subscribers
whose Themen, Ämter or Stadtbezirke match (newsroom/subscriptions/deliveries.py). A release for
everyone (`Release.everyone`: the crisis message's sends, newsroom/crisis/sends.py) goes to every
active, confirmed citizen subscriber at once, whatever they chose and whatever their frequency,
as the service's item `alle:<key>`, with the release's own subject.

- render(): the mail as text (what the preview shows), no credentials, no network.
- send(): asks the service (HTTPS, token) for a batch of recipients, which it records as `sending`
  before they are mailed; mails them over one SMTP connection; reports each result; and so on
  until nobody is left. The per-person state lives in the service's database, the record of sends
  gets only the counts. A run that dies leaves its batch `sending`: the next run turns it into
  uncertain (never mailed again by itself) and fails loudly with the count until
  `--send-unclear` or `--unclear-checked`. 4xx refusals are tried again by a later run.
- Digests (digests.py) are sends of their own, due at their time, listing each subscriber's
  matching stories of the period; a subscriber with none gets nothing. The Pressedienst's
  journalists who chose a daily or weekly digest get theirs through this channel too (its own
  card and item per period, its own templates): the period's press releases and appointments.
- A correction or withdrawal mails nobody: the alert only links the story, whose page shows the
  correction or the withdrawal notice; a withdrawn story's pending alert is cancelled by the plan.

Environment, NEWSROOM_SUBSCRIPTIONS_…: API_TOKEN, API_URL (optional; else SUBSCRIPTIONS_URL),
FROM, SMTP_HOST, SMTP_PORT, SMTP_SECURITY, SMTP_USER, SMTP_PASSWORD, SMTP_CA_FILE.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING

from pelican import signals
from pelican.generators import Generator

from newsroom.build.context import of
from newsroom.errors import Disconnected, SendError
from newsroom.publishing.channel import Channel, Delivery, Post, Release, SendContext, channel_adapters
from newsroom.publishing.plan import this_run
from newsroom.secrets import Credentials
from newsroom.site import SiteUrls

from .digests import EVERYONE, PRESS, RELEASE, DigestRelease, Digests, entry

if TYPE_CHECKING:
    from collections.abc import Mapping

logger = logging.getLogger("newsroom.publishing")

IMMEDIATE = "sofort"
LABEL = "E-Mail-Benachrichtigungen"


class CitizenAlerts(Channel):
    name = "buerger"
    label = LABEL
    # The service keeps who was served: sending again with the same item mails nobody twice.
    idempotent = True
    correction_idempotent = True
    required_env = ("API_TOKEN", "FROM", "SMTP_HOST")

    def __init__(self, settings: dict, urls: SiteUrls, environ: Mapping[str, str] | None = None):
        super().__init__(settings, urls, environ)
        self.credentials = Credentials("subscriptions", environ)  # NEWSROOM_SUBSCRIPTIONS_…, shared with the service
        # The service tells runs apart by this: a process id alone may come back on another runner.
        self.run = f"{this_run()}:{secrets.token_hex(4)}"

    def missing_credentials(self) -> list[str]:
        return self.credentials.missing(self.required_env)

    # -- what the mail says (no credentials, no network) ------------------------------------

    def render(self, release: Release) -> Post:
        from .message import compose

        if isinstance(release, DigestRelease):
            # The Pressedienst's digest: its own mail, made by the same code (message.py).
            payload = {"kind": PRESS if release.audience == PRESS else "digest", "item": release.item,
                       "frequency": release.frequency, "label": release.story.title,
                       "stories": list(release.entries)}
        elif release.everyone:
            story = release.story
            shown = entry(story_card(story), self.urls)
            payload = {"kind": EVERYONE, "item": f"alle:{story.id}", "frequency": IMMEDIATE,
                       "subject": release.subject or story.title, "stories": [{**shown, "url": release.url}]}
        else:
            story = release.story
            shown = entry(story_card(story), self.urls)
            payload = {"kind": "story", "frequency": IMMEDIATE, "stories": [{**shown, "url": release.url}]}
        composed = compose(payload, self.settings)
        return Post(self.name, release.story.id, composed.text, link=release.url, title=composed.subject,
                    payload=payload)

    def prepare_claim(self, post: Post, detail, files) -> dict:
        return {"item": item_of(post)}

    # -- sending ------------------------------------------------------------------------------

    def send(self, post: Post, context: SendContext) -> Delivery:
        from newsroom.mail.smtp import SmtpConfig

        from .message import compose, message, parse_address
        from .service import AlertService

        item, stories = item_of(post), post.payload["stories"]
        if not stories:
            return Delivery(item, None, {"item": item, **listed(post), "recipients": 0},
                            note="Keine Meldungen in diesem Zeitraum; niemandem gesendet.")
        service = AlertService(self.credentials, self.settings, context.client)
        sender = parse_address(self.credentials.require("FROM", secret=False), self.credentials.name("FROM"))
        config = SmtpConfig.from_credentials(self.credentials, self.settings, label=LABEL)
        service.begin(item, self.run)
        composed = {}  # a digest's mail per set of stories: most subscribers share a few sets

        def mail_for(recipient: dict) -> bytes:
            chosen = tuple(recipient["stories"]) if post.payload["kind"] not in ("story", EVERYONE) else (0,)
            if chosen not in composed:
                composed[chosen] = compose(post.payload, self.settings, [stories[n] for n in chosen])
            return message(composed[chosen], recipient, item=item, sender=sender,
                           list_id=self.settings["SUBSCRIPTIONS_LIST_ID"])

        dispatch = Dispatch(config, sender.addr_spec, context, self.settings["PRESS_SMTP_RECONNECTS"])
        try:
            while batch := service.claim(item, self.run, post.payload["frequency"], stories,
                                         self.settings["SUBSCRIPTIONS_BATCH"], unclear=context.unclear):
                results = dispatch.run(batch, mail_for)
                service.report(item, self.run, results)
                if dispatch.broken:
                    raise SendError(f"{LABEL}: {dispatch.broken}. Gesendet bis hier ist beim Abonnement-Dienst "
                                    "verzeichnet; der nächste Lauf sendet den Rest.", retry=True)
        finally:
            dispatch.close()
        return self._result(item, post, service.counts(item, self.run))

    def _result(self, item: str, post: Post, counts: dict) -> Delivery:
        sent, refused, deferred = counts["sent"], counts["refused"], counts["deferred"]
        uncertain, checked = counts["uncertain"], counts["checked"]
        detail = {"item": item, **listed(post), "recipients": sent, "refused": refused, "deferred": deferred,
                  "uncertain": uncertain, "checked": checked}
        notes = [f"An {sent} Abonnentinnen und Abonnenten gesendet."]
        if refused:
            notes.append(f"{refused} dauerhaft abgewiesen (5xx).")
        if uncertain:
            notes.append(f"{uncertain} unklar: Ob die Mail ankam, ist nicht bekannt (ein Lauf brach während ihres "
                         "Stapels ab, oder die Antwort des Servers ging verloren); nicht erneut gesendet.")
        if deferred:
            raise SendError(" ".join([*notes, f"{deferred} vorübergehend abgewiesen (4xx); der nächste Lauf "
                                               "versucht es erneut."]), retry=True)
        return Delivery(item, post.link, detail, note=" ".join(notes), unclear=uncertain)

    def check_unclear(self, detail) -> dict:
        """The uncertain recipients marked checked at the service; nobody is mailed."""
        from newsroom.publishing.http import HttpClient  # requests: only a publish run loads it

        from .service import AlertService

        client = HttpClient(LABEL, deadline=float(self.settings["PUBLISH_RETRY_SECONDS"]),
                            timeout=tuple(self.settings["PUBLISH_HTTP_TIMEOUT"]))
        counts = AlertService(self.credentials, self.settings, client).checked(detail["item"], self.run)
        return {**detail, "uncertain": counts["uncertain"], "checked": counts["checked"]}

    # -- after the first send -----------------------------------------------------------------

    def correct(self, post: Post, context: SendContext) -> Delivery:
        return Delivery(item_of(post), post.link, note="Keine Mail: Die Benachrichtigung verlinkt die Meldung, "
                                                       "deren Seite die Berichtigung zeigt.")

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        return Delivery(item_of(post), post.link, note="Keine Mail: Die Benachrichtigung verlinkt die Meldung, "
                                                       "deren Seite den Hinweis auf die Rücknahme zeigt.")


def item_of(post: Post) -> str:
    """The send as the service knows it: a digest's own name, else the story's key in the record."""
    return post.payload.get("item") or f"story:{post.story_id.split('.', 1)[0]}"


def listed(post: Post) -> dict[str, int]:
    """What a send lists, counted for the record (never who got it)."""
    stories = post.payload["stories"]
    if post.payload["kind"] != PRESS:
        return {"stories": len(stories)}
    releases = sum(1 for s in stories if s.get("type") == RELEASE)
    return {"stories": len(stories), "releases": releases, "appointments": len(stories) - releases}


def story_card(story):
    """The fields of a build card that a mail's entry reads, from a whole story."""
    from types import SimpleNamespace

    return SimpleNamespace(key=story.id, title=story.title, summary=story.summary, url=story.url,
                           ts=story.date.timestamp(), category=story.category, department=story.department,
                           districts=story.districts)


class Dispatch:
    """One SMTP connection for a send; a dropped one is opened again a few times."""

    def __init__(self, config, sender: str, context: SendContext, reconnects: int):
        self.config, self.sender, self.context, self.reconnects_left = config, sender, context, reconnects
        self.connection = None
        self.reconnects = 0
        self.broken = ""  # why the connection could not be kept: the rest waits for a later run

    def run(self, batch: list[dict], mail_for) -> dict[str, list[int]]:
        """Each recipient's result; those not reached (the connection lost for good) count as deferred:
        surely not mailed, so a later run sends to them."""
        from newsroom.mail.smtp import Result

        results = {"sent": [], "refused": [], "deferred": [], "uncertain": []}
        names = {Result.ACCEPTED: "sent", Result.REFUSED: "refused", Result.DEFERRED: "deferred",
                 Result.UNCERTAIN: "uncertain"}
        for recipient in batch:
            if self.broken:
                results["deferred"].append(recipient["id"])
                continue
            try:
                data = mail_for(recipient)
            except ValueError:  # an address the mail cannot carry: refused, never retried
                results["refused"].append(recipient["id"])
                continue
            reply = self._deliver(recipient["address"], data)
            results["deferred" if reply is None else names[reply.result]].append(recipient["id"])
        return results

    def _deliver(self, address: str, data: bytes):
        from newsroom.mail.smtp import Connection

        while True:
            try:
                if self.connection is None or not self.connection.open:
                    self.connection = Connection(self.config)
                return self.connection.deliver(self.sender, address, data)
            except Disconnected as exc:
                self.close()
                if self.reconnects >= self.reconnects_left:
                    self.broken = str(exc)
                    return None
                try:
                    self.context.client.pause(self.reconnects, f"SMTP: {exc}")
                except SendError:
                    self.broken = str(exc)
                    return None
                self.reconnects += 1

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class AlertsGenerator(Generator):
    """Offers the digests to the publish run; draws no page."""

    def generate_context(self) -> None:
        build = of(self.context)
        build.offer_sendables(Digests(build.all_stories, self.settings, build.now, lambda: build.calendar))

    def generate_output(self, writer) -> None:
        pass


def get_generators(_pelican):
    return AlertsGenerator


def adapters(_sender):
    return CitizenAlerts


def register() -> None:
    channel_adapters.connect(adapters)
    signals.get_generators.connect(get_generators)
