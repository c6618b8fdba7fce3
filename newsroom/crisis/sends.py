"""The crisis message on every channel it lists, each exactly once (BuildContext.offer_sendables).

Keys in the record of sends: the first alert `krise-<id>`, each update `krise-<id>.update-<YYYYMMDDHHMM>`
once its date has come, the all-clear (Entwarnung) `krise-<id>.entwarnung` once `end` has passed (the
dot cannot occur in an id, so no key is another's). Every card has `priority`: the plan takes it
whatever its age (no PUBLISH_WINDOW_HOURS) and puts it before every story and appointment of the run
(newsroom/publishing/plan.py); claims, records and the recovery after a crash are the stories' own.

- Instagram only when the message has an `image`, YouTube only with a `video`; otherwise the channel
  is left out and the plan says why (`notices`), nothing is recorded.
- Social channels get a short text (level, title, text, link) fitted to the channel's own count and
  limit (`Channel.count`, `text_limit`); the text is shortened before the link is.
- An update and the all-clear answer the first alert (the CORRECT action of
  newsroom/publishing/channel.py: a reply, a comment, YouTube's description) on the channels whose
  first alert is recorded as sent; the press, the citizens' e-mail alerts and Instagram get a send of
  their own. A channel whose
  first alert is not recorded yet waits for it (the next run). After `end`, an update or a first
  alert never sent is not sent any more.
- The press mails the whole list, whatever Themen each chose: "Krisenmeldung: <Titel>",
  "Aktualisierung der Krisenmeldung: <Titel>", "Entwarnung: <Titel>". The citizens' e-mail alerts
  (`buerger`) mail every active, confirmed subscriber at once with the same subjects, whatever they
  chose and whatever their frequency, exactly once each per send (`Release.everyone`; the service's
  item `alle:<key>`, newsroom/subscriptions/deliveries.py).
- Approval: the version is the sha256 of the crisis file's bytes, approved like a story's version
  (`invoke approve krise-<id> [--urgent "Grund"]`); updates and the all-clear are approved with the
  version that contains them (`approves`).
- Every post links the emergency page (or the story named by `story`) with a fragment of its own key,
  so a lookup never takes another post that links the same page for this one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from html import escape
from pathlib import Path

from newsroom.content.story import ChannelChoice, Contact, Story
from newsroom.crisis.model import Crisis, CrisisUpdate
from newsroom.dates import BERLIN
from newsroom.errors import ContentError, ContentErrors
from newsroom.media.credits import credit_of
from newsroom.publishing.channel import Channel, Post, Release
from newsroom.publishing.followups import original_view
from newsroom.publishing.records import SENT, UNCLEAR, UNKNOWN, Receipt
from newsroom.publishing.text import Reply
from newsroom.site import SiteUrls

PREFIX = "krise-"
UPDATE_MARK, ALL_CLEAR_MARK = ".update-", ".entwarnung"
ALERT, UPDATE, ALL_CLEAR = "alert", "update", "all_clear"
TITLES = {ALERT: "Krisenmeldung", UPDATE: "Aktualisierung der Krisenmeldung", ALL_CLEAR: "Entwarnung"}
EMERGENCY_PAGE = "krise/"
# These answer with a send of their own: the mails, and Instagram, whose API cannot reply (a Story neither).
NEW_POST = ("press", "buerger", "instagram", "instagram_story")
NEEDS = {"instagram": ("image", "ein Bild (Feld image)"), "instagram_story": ("image", "ein Bild (Feld image)"),
         "youtube": ("video", "ein Video (Feld video)")}
# The first alert was recorded as done (or may have been: an editor follows up what is unknown).
CARRIED = (SENT, UNCLEAR, UNKNOWN)


def crisis_key(crisis_id: str) -> str:
    return PREFIX + crisis_id


@dataclass(frozen=True)
class CrisisCard:
    """One send of the crisis message as the publish run plans it (the fields of a story's card it reads)."""

    id: str  # its key in the record of sends
    kind: str  # ALERT, UPDATE, ALL_CLEAR
    source: str
    digest: str  # the crisis file's version
    title: str
    ts: float  # when it falls due
    channels: tuple[str, ...]
    crisis: Crisis
    update: CrisisUpdate | None = None  # for UPDATE
    approves: CrisisCard | None = None  # the first alert's card: its version carries updates and the all-clear
    status: str = "published"
    priority: bool = True
    embargo_ts: float | None = None
    former_ids: tuple[str, ...] = ()
    reason: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> str:
        return self.id

    @property
    def claim_detail(self) -> dict:
        return {"krise": self.crisis.id, "version": self.digest}


class CrisisSends:
    """The crisis message's sends: cards for the plan, and each channel's post (`render`)."""

    priority = True  # the desk shows these first (newsroom/desk/week.py priority_sends)

    def __init__(self, crisis: Crisis, settings: dict, now: datetime, *, media=None,
                 media_pages: Callable[[], object] | None = None):
        self.crisis = crisis
        self.settings = settings
        self.now = now
        self.version = crisis.digest
        self.urls = SiteUrls.from_settings(settings)
        self.media = media
        self.media_pages = media_pages or (lambda: None)
        self.notices: list[str] = []
        self._receipt: Callable[[str], Receipt | None] = lambda key: None
        self._recorded: set[str] = set()
        known = set(settings["CHANNELS"])
        self.channels, skipped = [], []
        for name in crisis.channels:
            needed = NEEDS.get(name)
            if needed and not getattr(crisis, needed[0], None):
                skipped.append((name, f"braucht {needed[1]}"))
            elif name in known:
                self.channels.append(name)
        self.left_out = [f"{name}: {reason}" for name, reason in skipped]
        # The channels left out and why, by the first alert's key: the overviews list them with its sends.
        self.left_out_channels = {crisis_key(crisis.id): tuple(skipped)} if skipped else {}

    @property
    def key(self) -> str:
        return crisis_key(self.crisis.id)

    # -- the plan --------------------------------------------------------------------------------

    def cards(self, receipt: Callable[[str], Receipt | None], recorded: set[str]) -> list[CrisisCard]:
        self._receipt, self._recorded = receipt, recorded
        crisis, base = self.crisis, self.key
        self.notices = [f"Krisenmeldung {base}: nicht an {item}." for item in self.left_out]
        ended = crisis.end is not None and crisis.end <= self.now
        first_receipt = receipt(base) if base in recorded else None
        if ended and first_receipt is None:
            self.notices.append(f"Krisenmeldung {base}: endete, bevor sie gesendet wurde; nichts gesendet.")
            return []
        title = crisis.title
        # Once over, a channel that never got the first alert gets none (its record, if any, stays shown).
        channels = () if ended else tuple(self.channels)
        first = CrisisCard(base, ALERT, crisis.source, self.version, f"{TITLES[ALERT]}: {title}",
                           crisis.start.timestamp(), self._with_recorded(base, channels), crisis)
        found = [first]
        carried = tuple(name for name in self.channels if first_receipt is not None
                        and first_receipt.get(name) is not None and first_receipt.get(name).status in CARRIED)
        waiting = [name for name in self.channels if name not in carried]
        for update in crisis.updates:
            key = f"{base}{UPDATE_MARK}{update.key}"
            if ended and key not in recorded:
                continue  # over: the all-clear says what is left to say
            channels = self._with_recorded(key, carried)
            if channels:
                found.append(CrisisCard(key, UPDATE, crisis.source, self.version, f"{TITLES[UPDATE]}: {title}",
                                        update.date.timestamp(), channels, crisis, update, first))
        if crisis.end is not None:
            key = base + ALL_CLEAR_MARK
            channels = self._with_recorded(key, carried)
            if channels:
                found.append(CrisisCard(key, ALL_CLEAR, crisis.source, self.version, f"{TITLES[ALL_CLEAR]}: {title}",
                                        crisis.end.timestamp(), channels, crisis, approves=first))
        later = [u for u in crisis.updates if u.date <= self.now] or ([crisis.end] if ended else [])
        if waiting and later:
            self.notices.append(f"Krisenmeldung {base}: Aktualisierungen und Entwarnung an "
                                f"{', '.join(waiting)} erst, wenn die erste Meldung dort gesendet ist.")
        return found

    def _with_recorded(self, key: str, channels: tuple[str, ...]) -> tuple[str, ...]:
        """The channels, and those the key's own record names beyond them (a record is never hidden)."""
        found = self._receipt(key) if key in self._recorded else None
        return channels + tuple(name for name in (found.channels if found else {}) if name not in channels)

    def find(self, name: str, receipt, recorded: set[str]) -> CrisisCard | None:
        """`invoke approve krise-<id>` (or any of its keys): the version of the message, i.e. the first card."""
        if name == self.crisis.id or name == self.key or name.startswith(self.key + "."):
            cards = self.cards(receipt, recorded)
            if cards:
                return cards[0]
            return CrisisCard(self.key, ALERT, self.crisis.source, self.version,
                              f"{TITLES[ALERT]}: {self.crisis.title}", self.crisis.start.timestamp(), (), self.crisis)
        return None

    def preview_cards(self, receipt, recorded: set[str]) -> list[tuple[CrisisCard, str]]:
        """Every version of the message with the field of content/krise.yml its text comes from: the
        first alert, each update and the all-clear (when `end` is set), whether due yet or not, on the
        channels each would go to (the channels of the message where the plan has none yet)."""
        crisis, base = self.crisis, self.key
        planned = {card.id: card for card in self.cards(receipt, recorded)}
        channels = tuple(self.channels)
        first = planned.get(base) or CrisisCard(base, ALERT, crisis.source, self.version, f"{TITLES[ALERT]}: "
                                                f"{crisis.title}", crisis.start.timestamp(), channels, crisis)
        found = [(first, "text")]
        for number, update in enumerate(crisis.updates, 1):
            key = f"{base}{UPDATE_MARK}{update.key}"
            found.append((planned.get(key) or CrisisCard(
                key, UPDATE, crisis.source, self.version, f"{TITLES[UPDATE]}: {crisis.title}",
                update.date.timestamp(), channels, crisis, update, first), f"updates[{number}].text"))
        if crisis.end is not None:
            key = base + ALL_CLEAR_MARK
            found.append((planned.get(key) or CrisisCard(
                key, ALL_CLEAR, crisis.source, self.version, f"{TITLES[ALL_CLEAR]}: {crisis.title}",
                crisis.end.timestamp(), channels, crisis, approves=first), "all_clear"))
        return [(card if card.channels else replace(card, channels=channels), name) for card, name in found]

    # -- what each channel gets --------------------------------------------------------------------

    def link(self, card: CrisisCard) -> str:
        """The story with the details, else the emergency page; with the card's key as fragment."""
        crisis = self.crisis
        page = crisis.story_url if crisis.story and crisis.story_url else EMERGENCY_PAGE
        return f"{self.urls.absolute(page)}#{card.id}"

    def message(self, card: CrisisCard) -> str:
        crisis = self.crisis
        if card.kind == UPDATE:
            return card.update.text
        if card.kind == ALL_CLEAR:
            return crisis.all_clear
        return crisis.text

    def release(self, card: CrisisCard, own_text: dict[str, str] | None = None) -> Release:
        """The send as a story-shaped release: what the press mails and the social channels render."""
        crisis = self.crisis
        link, text = self.link(card), self.message(card)
        moment = datetime.fromtimestamp(card.ts, BERLIN)
        body = [f"<p><strong>{escape(crisis.level)}:</strong> {escape(text)}</p>"]
        if card.kind != ALERT:
            body.append(f"<p>Die Krisenmeldung vom {crisis.start.astimezone(BERLIN):%d.%m.%Y, %H:%M} Uhr: "
                        f"{escape(crisis.text)}</p>")
        image, item = crisis.image or None, None
        if image and self.media is not None:
            try:  # a photo whose rights ended is not sent: its replacement, or none
                item = self.media.shown(image, source=crisis.source, line=None, field="image")
            except (ContentError, ContentErrors):
                pass  # the crisis file's own check names it
            else:
                image = item.path if item is not None else None
        story = Story(source=crisis.source, id=card.id, title=f"{crisis.level}: {crisis.title}", date=moment,
                      status="published", summary=text, category="", department="", districts=(), tags=(),
                      contact=Contact(self.settings["PRESS_SENDER"]), slug=crisis.id,
                      image=image,
                      media_refs=(crisis.video,) if crisis.video else (),
                      channels=tuple(ChannelChoice(name, value) for name, value in (own_text or {}).items()),
                      content_hash=card.digest, url=link)
        image_url = image_file = alt = credit = None
        variants = {}
        if story.image:
            image_url = self.urls.absolute(self.urls.media(story.image))
            image_file = Path(self.settings["PATH"]) / self.settings["MEDIA_DIR"] / story.image
            if item is not None:
                alt, credit = item.alt, credit_of(item)
            pages = self.media_pages()
            variants = pages.renditions(story.image) if pages is not None else {}
        return Release(story, link, "\n".join(body), image_url, image_file, alt, credit, variants,
                       link_label="Mehr im Internet", subject=card.title, everyone=True)

    def render(self, adapter: Channel, card: CrisisCard) -> Post:
        """The post for one channel: the first alert, or an update or the all-clear as a reply to it."""
        crisis = self.crisis
        head = f"{crisis.level}: {crisis.title}"
        fits = _fits(adapter)
        link = self.link(card)
        record = self._first_record(adapter.name) if card.kind != ALERT else None
        if card.kind == ALERT or adapter.name in NEW_POST or record is None:
            opening = head if card.kind == ALERT else f"{TITLES[card.kind]} – {head}"
            own = _fitted(opening, self.message(card), link, fits)
            return adapter.render(self.release(card, {adapter.name: own} if adapter.takes_text else None))
        moment = datetime.fromtimestamp(card.ts, BERLIN)
        marker = f"{'Aktualisierung' if card.kind == UPDATE else 'Entwarnung'} vom {moment:%d.%m.%Y, %H:%M} Uhr"
        texts = _candidates(f"{marker} – {head}", self.message(card), link, fits)
        texts += (f"{marker}\n\n{link}",)
        return adapter.render_correction(self.release(card), Reply(moment, marker, texts), original_view(record))

    def _first_record(self, channel: str):
        receipt = self._receipt(self.key) if self.key in self._recorded else None
        record = receipt.get(channel) if receipt else None
        return record if record is not None and record.status in CARRIED else None


def _fits(adapter: Channel) -> Callable[[str], bool] | None:
    limit = adapter.text_limit()
    return None if limit is None else (lambda text: adapter.count(text) <= limit.maximum)


def _candidates(head: str, text: str, link: str, fits) -> tuple[str, ...]:
    """Head, text and link; the text cut at a word with "…" until it fits; head and link alone."""
    full = f"{head}\n\n{text}\n\n{link}"
    if fits is None or fits(full):
        return (full,)
    words = text.split()
    for count in range(len(words) - 1, 0, -1):
        shorter = f"{head}\n\n{' '.join(words[:count])} …\n\n{link}"
        if fits(shorter):
            return (shorter,)
    return (f"{head}\n\n{link}",)


def _fitted(head: str, text: str, link: str, fits) -> str:
    return _candidates(head, text, link, fits)[0]


__all__ = ["ALERT", "ALL_CLEAR", "UPDATE", "CrisisCard", "CrisisSends", "crisis_key"]
