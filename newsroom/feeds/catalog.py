"""Which feeds exist: all news, press releases, one per Thema, Amt and Stadtbezirk, plus
any a later plugin adds (the media portal will: see FEED_MEDIA_PORTAL).

A feed lives in `feeds/<key>/` as rss.xml, atom.xml and feed.json; the key of a list's
feed is the list's own address (`themen/verkehr`), so a list page finds its feed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, NamedTuple

from newsroom.build.state import Card
from newsroom.content.slugs import slugify
from newsroom.feeds.formats import FORMATS, FeedItem

ALL, PRESS = "alle", "pressemitteilungen"


@dataclass
class FeedSource:
    """One feed, in every format. Another plugin may offer these (BuildContext.offer_feed)."""

    key: str  # folder below feeds/, e.g. "themen/verkehr"
    name: str  # short German name, e.g. "Thema Verkehr"
    description: str
    link: str  # site path of the matching HTML page
    group: str  # heading on the feeds page
    signature: str  # changes whenever an entry (or the feed's own text) would change
    items: Callable[[], list[FeedItem]]  # newest first; called only when the feed is drawn
    note: str = ""  # shown under the name on the feeds page, e.g. a district's places
    cards: tuple = ()  # a story feed's cards: the full stories of all feeds drawn are fetched at once


class Retraction(NamedTuple):
    """A withdrawn story's own entry in the press-release feed (newsroom/feeds/items.py, StoryItems.retraction)."""

    card: Card

    @property
    def ts(self) -> float:
        return self.card.withdrawn_ts


def feed_path(key: str, fmt: str) -> str:
    return f"feeds/{key}/{FORMATS[fmt][0]}"


def list_key(base: str) -> str:
    """A list's feed key from its address: 'themen/verkehr/' → 'themen/verkehr'."""
    return base.strip("/")


def story_sources(visible: list[Card], settings: dict, items, withdrawn: list[Card] = ()) -> list[FeedSource]:
    """The story feeds, each with at most FEED_ENTRIES of the visible stories, newest first.

    One pass over the visible cards (already newest first) that looks only at feeds still
    open and ends once all are full; a Thema or Amt without a visible story has no list
    page and so no feed. A withdrawn story is in none of them; the press releases announce its
    withdrawal in an entry of its own (`Retraction`), placed by the date it was withdrawn.
    """
    limit = settings["FEED_ENTRIES"]
    press_channel = settings["FEED_PRESS_CHANNEL"]
    city = settings["SITE_SHORTNAME"]
    everything = visible[:limit]
    press: list[Card] = []
    themen: dict[str, list[Card]] = {name: [] for name in settings["THEMEN"]}
    aemter: dict[str, list[Card]] = {name: [] for name in settings["AEMTER"]}
    bezirke: dict[int, list[Card]] = {number: [] for number in sorted(settings["STADTBEZIRKE"])}
    open_themen, open_aemter, open_bezirke = dict(themen), dict(aemter), dict(bezirke)
    open_press = bool(press_channel)
    for card in visible:
        if open_themen:
            _take(open_themen, card.category, card, limit)
        if open_aemter:
            _take(open_aemter, card.department, card, limit)
        if open_bezirke:
            for number in card.districts:
                _take(open_bezirke, number, card, limit)
        if open_press and press_channel in card.channels:
            press.append(card)
            open_press = len(press) < limit
        if not (open_themen or open_aemter or open_bezirke or open_press):
            break

    if press_channel:
        retractions = [Retraction(c) for c in withdrawn if press_channel in c.channels]
        if retractions:
            press = sorted([*press, *retractions], key=lambda e: (e.ts, e.card.id if isinstance(e, Retraction)
                                                                    else e.id), reverse=True)[:limit]
    sources = [_source(ALL, "Alle Meldungen", settings["SITE_DESCRIPTION"], "", "Allgemein", everything, items,
                       note="Jede Meldung der Stadt, aus allen Themen, Ämtern und Stadtbezirken.")]
    if press_channel:
        sources.append(_source(
            PRESS, "Pressemitteilungen",
            f"Pressemitteilungen der {city}: alle Meldungen, die als Pressemitteilung verschickt werden.",
            "", "Allgemein", press, items,
            note="Nur die Meldungen, die auch als Pressemitteilung an die Redaktionen gehen."))
    for name, cards in themen.items():
        if cards:
            base = f"themen/{slugify(name)}/"
            sources.append(_source(list_key(base), f"Thema {name}",
                                   f"Meldungen der {city} zum Thema {name}.", base, "Themen", cards, items))
    for name, cards in aemter.items():
        if cards:
            base = f"aemter/{slugify(name)}/"
            sources.append(_source(list_key(base), name, f"Meldungen der {city}: {name}.", base, "Ämter",
                                   cards, items))
    for number, cards in bezirke.items():
        base = f"stadtbezirke/{number}/"
        places = settings["STADTBEZIRKE"][number]
        sources.append(_source(
            list_key(base), f"Stadtbezirk {number}", f"Meldungen der {city} für den Stadtbezirk {number} ({places}).",
            base, "Stadtbezirke", cards, items, note=places))
    return sources


def _take(open_feeds: dict, key, card: Card, limit: int) -> None:
    feed = open_feeds.get(key)
    if feed is not None:
        feed.append(card)
        if len(feed) >= limit:
            del open_feeds[key]


def _source(key, name, description, link, group, cards, items, note="") -> FeedSource:
    digest = hashlib.sha256(repr((key, name, description, link)).encode())
    for card in cards:
        digest.update(repr(items.signature(card)).encode())
    return FeedSource(key, name, description, link, group, digest.hexdigest(),
                      lambda cards=cards: items.items(cards), note,
                      tuple(c.card if isinstance(c, Retraction) else c for c in cards))
