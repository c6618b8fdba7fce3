"""Daily and weekly digests: one send per period, planned and recorded like a story's.

A period ends at its digest's time (SUBSCRIPTIONS_DAILY_AT; SUBSCRIPTIONS_WEEKLY_ON) and starts
where the one before ended, so every moment belongs to exactly one period. Its card falls due at
the end; it lists the stories published in the period (status published, not withdrawn, not
opted out of the channel `buerger`). The record of sends keeps it under `abo-taeglich-2026-12-06`
or `abo-woechentlich-2026-W49` (a file name), the service under `digest:taeglich:2026-12-06`.
Digests go out from SUBSCRIPTIONS_ALERTS_SINCE on, and only periods that ended within the
automatic window (or are next) become cards: older ones are history, not work.

The Pressedienst's journalists who chose a daily or weekly digest get one of their own, a
separate card per period (`abo-presse-taeglich-2026-12-06`, the service's item
`digest:presse:taeglich:2026-12-06`), so its record, its claims and its failures stay apart
from the citizens'. It lists the period's press releases (stories published in the period with
`press` in their channels, not withdrawn), each with its number from the press record once it
has one, and the press appointments (BuildContext.calendar entries with a time of announcement)
announced in the period or taking place in the week after its end; each journalist gets those of
their Themen. A period with neither is no send at all (no record file).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from newsroom.content.story import Contact, Story
from newsroom.dates import BERLIN, german_date, parse_datetime
from newsroom.publishing.channel import Release
from newsroom.site import SiteUrls

CHANNEL = "buerger"
PRESS_CHANNEL = "press"
DAILY, WEEKLY = "taeglich", "woechentlich"
PREFIX = "abo-"
PRESS = "presse"  # the audience of the Pressedienst's digest (newsroom/subscriptions/models.py)
RELEASE, APPOINTMENT = "pressemitteilung", "termin"  # what an entry of the Pressedienst's digest is
EVERYONE = "krise"  # a mail's kind: a message for every citizen subscriber (Release.everyone, alerts.py)
COMING = timedelta(days=7)  # appointments this far after a period's end are listed in its digest
SOURCE = "abonnements"  # not a file: the record names what the digest is made from
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


@dataclass(frozen=True)
class DigestCard:
    """One digest as the publish run plans it (the fields of a story's card it reads)."""

    id: str  # its key in the record of sends
    frequency: str
    period: str  # 2026-12-06 or 2026-W49
    start: float
    ts: float  # when it falls due: the end of its period
    stories: tuple  # the build's cards of the period's stories
    audience: str = ""  # PRESS for the Pressedienst's digest, else the citizens'
    appointments: tuple = ()  # the Pressedienst's: calendar entries
    numbers: tuple[tuple[str, str], ...] = ()  # the Pressedienst's: (story key, press number) from the record
    status: str = "published"
    channels: tuple[str, ...] = (CHANNEL,)
    embargo_ts: float | None = None
    former_ids: tuple[str, ...] = ()
    source: str = SOURCE
    # The stories were approved each on their own; the digest only lists them.
    needs_approval: bool = False

    @property
    def key(self) -> str:
        return self.id

    @property
    def item(self) -> str:
        return f"digest:{self.audience + ':' if self.audience else ''}{self.frequency}:{self.period}"

    @property
    def digest(self) -> str:
        listed = [card.key for card in self.stories] + [f"{e.key}@{e.moment.isoformat()}" for e in self.appointments]
        listed += [f"{key}={number}" for key, number in self.numbers]
        return hashlib.sha256(" ".join(listed).encode()).hexdigest()

    @property
    def title(self) -> str:
        if self.audience == PRESS:
            return press_label(self.frequency, self.period, self.ts)
        return label(self.frequency, self.period, self.ts)

    @property
    def claim_detail(self) -> dict:
        return {}


def label(frequency: str, period: str, end: float) -> str:
    if frequency == DAILY:
        return f"Ihre tägliche Zusammenfassung vom {german_date(datetime.fromtimestamp(end, BERLIN))}"
    year, week = period.split("-W")
    return f"Ihre wöchentliche Zusammenfassung der Kalenderwoche {int(week)}/{year}"


def press_label(frequency: str, period: str, end: float) -> str:
    if frequency == DAILY:
        return f"Pressedienst – Zusammenfassung vom {german_date(datetime.fromtimestamp(end, BERLIN))}"
    year, week = period.split("-W")
    return f"Pressedienst – Zusammenfassung der Kalenderwoche {int(week)}/{year}"


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _at(day, moment: time) -> datetime:
    """A local time on a calendar day (a day of a clock change keeps its own offset)."""
    return datetime.combine(day, moment, BERLIN)


def periods(settings: dict, now: datetime, since: datetime, back_hours: float) -> list[tuple[str, str, datetime,
                                                                                                 datetime]]:
    """(frequency, period, start, end) of every period that ended within `back_hours` before now,
    not before `since`, and of the next one of each frequency."""
    found = []
    earliest = max(since, now - timedelta(hours=back_hours))
    daily = _clock(settings["SUBSCRIPTIONS_DAILY_AT"])
    day = (earliest - timedelta(days=1)).astimezone(BERLIN).date()
    while True:
        end = _at(day, daily)
        if end > now + timedelta(days=1):
            break
        if end >= earliest:
            found.append((DAILY, day.isoformat(), _at(day - timedelta(days=1), daily), end))
        day += timedelta(days=1)
    weekday, at = settings["SUBSCRIPTIONS_WEEKLY_ON"]
    weekly, number = _clock(at), WEEKDAYS.index(weekday)
    day = (earliest - timedelta(days=7)).astimezone(BERLIN).date()
    day += timedelta(days=(number - day.weekday()) % 7)
    while True:
        end = _at(day, weekly)
        if end > now + timedelta(days=7):
            break
        if end >= earliest:
            iso = day.isocalendar()
            found.append((WEEKLY, f"{iso.year}-W{iso.week:02d}", _at(day - timedelta(days=7), weekly), end))
        day += timedelta(days=7)
    return found


class Digests:
    """The digests (BuildContext.offer_sendables): cards for the plan, releases to send."""

    def __init__(self, cards: list, settings: dict, now: datetime, calendar: Callable[[], list] = list):
        self.settings = settings
        self.calendar = calendar  # the build's calendar, read when the publish run asks for cards
        self.now = now
        self.urls = SiteUrls.from_settings(settings)
        # Published stories that go to the channel, oldest first: what a digest may list.
        self.sent_out = sorted((c for c in cards if c.status == "published" and CHANNEL in c.channels),
                               key=lambda c: c.ts)
        # Stories that went to the press: what the Pressedienst's digest may list.
        self.releases = sorted((c for c in cards if c.status == "published" and PRESS_CHANNEL in c.channels),
                               key=lambda c: c.ts)
        since = settings["SUBSCRIPTIONS_ALERTS_SINCE"]
        self.since = since if isinstance(since, datetime) or since in (None, "") else parse_datetime(str(since))

    def cards(self, receipt: Callable, recorded: set[str]) -> list[DigestCard]:
        if self.since is None or CHANNEL not in self.settings["CHANNELS"]:
            return []
        back = self.settings["PUBLISH_WINDOW_HOURS"]
        found = []
        announced = sorted((e for e in self.calendar() if e.key and e.announced is not None),
                           key=lambda e: (e.moment, e.key))
        for frequency, period, start, end in periods(self.settings, self.now, self.since, back):
            start_ts, end_ts = start.timestamp(), end.timestamp()
            stories = tuple(c for c in self.sent_out if start_ts < c.ts <= end_ts)
            found.append(DigestCard(f"{PREFIX}{frequency}-{period}", frequency, period, start_ts, end_ts, stories))
            releases = tuple(c for c in self.releases if start_ts < c.ts <= end_ts)
            # Known by the period's end and still ahead: announced in the period, or coming soon.
            coming = tuple(e for e in announced if e.announced <= end < e.moment
                           and (start < e.announced or e.moment <= end + COMING))
            key = f"{PREFIX}{PRESS}-{frequency}-{period}"
            if releases or coming or key in recorded:  # a period with nothing for the press is no send
                found.append(DigestCard(key, frequency, period, start_ts, end_ts, releases, PRESS, coming,
                                        _numbers(releases, receipt, recorded)))
        return found

    def find(self, name: str, receipt: Callable, recorded: set[str]) -> DigestCard | None:
        return next((c for c in self.cards(receipt, recorded) if c.id == name), None)

    def release(self, card: DigestCard) -> Release:
        """A story-shaped stand-in for the digest; the stories it lists travel in `entries`."""
        story = Story(source=card.source, id=card.id, title=card.title, date=datetime.fromtimestamp(card.ts, BERLIN),
                      status="published", summary=f"{len(card.stories)} Meldungen", category="", department="",
                      districts=(), tags=(), contact=Contact(name=self.settings["SITE_SHORTNAME"]), slug=card.id,
                      content_hash=card.digest, url="")
        if card.audience == PRESS:
            numbers = dict(card.numbers)
            entries = tuple({**self.entry(c), "type": RELEASE, "number": numbers.get(c.key, "")} for c in card.stories)
            entries += tuple(self.appointment(e) for e in card.appointments)
        else:
            entries = tuple(self.entry(c) for c in card.stories)
        return DigestRelease(story, self.urls.absolute(""), "", entries=entries, item=card.item,
                             frequency=card.frequency, audience=card.audience)

    def entry(self, card) -> dict:
        return entry(card, self.urls)

    def appointment(self, found) -> dict:
        """A press appointment (a calendar entry) as the Pressedienst's digest lists it."""
        return {"key": found.key, "type": APPOINTMENT, "title": found.title, "kind": found.kind,
                "summary": " · ".join(found.lines), "url": self.urls.absolute(found.url),
                "date": found.moment.astimezone(BERLIN).isoformat(), "thema": found.topic}


def _numbers(releases: tuple, receipt: Callable, recorded: set[str]) -> tuple[tuple[str, str], ...]:
    """(story key, number) of each release whose press record has its number (plugins/press/numbers.py)."""
    numbers = []
    for card in releases:
        found_receipt = receipt(card.key) if card.key in recorded else None
        record = found_receipt.get(PRESS_CHANNEL) if found_receipt else None
        number = record.detail.get("number") if record else None
        if number:
            numbers.append((card.key, str(number)))
    return tuple(numbers)


def entry(card, urls: SiteUrls) -> dict:
    """What a mail says of one story and what the service matches it by (no body: the site has it)."""
    return {"key": card.key, "title": card.title, "summary": card.summary, "url": urls.absolute(card.url),
            "date": datetime.fromtimestamp(card.ts, BERLIN).isoformat(), "thema": card.category,
            "amt": card.department, "bezirke": list(card.districts)}


@dataclass(frozen=True)
class DigestRelease(Release):
    entries: tuple[dict, ...] = ()
    item: str = ""
    frequency: str = ""
    audience: str = ""
