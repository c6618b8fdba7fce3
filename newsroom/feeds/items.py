"""Stories as feed items: absolute links everywhere, ids from the story's stable `id`.

A feed entry's id is a tag URI (RFC 4151) made of a fixed authority and date (settings)
and the story's `id`; never of its title, slug or address, which editors may change.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from datetime import datetime
from html import escape
from pathlib import Path
from urllib.parse import urljoin

from newsroom.build.context import BuildContext
from newsroom.build.state import Card
from newsroom.content.links import resolve_links
from newsroom.content.reader import StoryVocabulary
from newsroom.content.slugs import slugify
from newsroom.content.story import Story, shown_update_time
from newsroom.dates import BERLIN, german_date, german_datetime
from newsroom.feeds.catalog import Retraction
from newsroom.feeds.formats import Category, Enclosure, FeedItem
from newsroom.media.credits import credit_of
from newsroom.media.library import IMAGE_SUFFIXES, MediaItem
from newsroom.media.originals import published_size, stamps
from newsroom.site import SiteUrls

# Fixed here rather than from the system's mimetypes tables, which differ between machines.
MIME_TYPES = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
    ".gif": "image/gif", ".tif": "image/tiff", ".tiff": "image/tiff", ".svg": "image/svg+xml",
    ".pdf": "application/pdf", ".mp3": "audio/mpeg", ".mp4": "video/mp4",
}
_LINK = re.compile(r'(href|src)="([^"]*)"')


def tag_uri(settings: dict, specific: str) -> str:
    """'tag:duesseldorf.de,2022:story/3f9c2e17b4da' (FEED_ID_AUTHORITY, FEED_ID_DATE)."""
    return f"tag:{settings['FEED_ID_AUTHORITY']},{settings['FEED_ID_DATE']}:{specific}"


def absolute_links(html: str, base: str) -> str:
    """Every href and src made absolute against the page's own address (#anchors included)."""
    return _LINK.sub(lambda m: f'{m.group(1)}="{urljoin(base, m.group(2))}"', html)


def amendments_html(story: Story) -> str:
    """Corrections and change notes, newest first, as the story page shows them above the text."""
    lines = [f"<p><strong>Berichtigung vom {german_date(c.date)}:</strong> Falsch war: „{escape(c.wrong)}“ "
             f"Richtig ist: „{escape(c.right)}“</p>" for c in reversed(story.corrections)]
    lines += [f"<p><strong>Aktualisiert am {german_datetime(n.date)}:</strong> {escape(n.note)}</p>"
              for n in story.changes]
    return "".join(line + "\n" for line in lines)


def _moment(timestamp: float) -> datetime:
    return datetime.fromtimestamp(int(timestamp), BERLIN)


class StoryItems:
    """Feed items of stories, each made at most once per build.

    Cheap facts (the card, git dates, the lead image's file) give a story's signature;
    the full story comes from the parse cache only when a feed with it is drawn.
    """

    def __init__(self, build: BuildContext, settings: dict, urls: SiteUrls):
        self.build = build
        self.settings = settings
        self.urls = urls
        self.git = build.archive.git  # source → (created, updated, editors, commits)
        self.media = build.media
        self.media_root = Path(settings["PATH"]) / settings["MEDIA_DIR"]
        self._by_id: dict[str, Card] | None = None
        self._images: dict[str, tuple[MediaItem, int] | None] = {}
        self._items: dict[str, FeedItem] = {}
        self._stories: dict[str, Story] = {}  # source → full story fetched by preload
        self._vocabulary: str | None = None

    def url_of(self, story_id: str) -> str:
        if self._by_id is None:
            self._by_id = self.build.archive.by_id
        return self._by_id[story_id].url

    def updated(self, card: Card) -> float:
        """Story.updated from the card: the later of the git update shown and the newest change
        note or correction."""
        dates = self.git.get(card.source)
        shown = (shown_update_time(card.ts, dates[1], dates[3]) if dates else None) or card.ts
        return card.noted_ts if card.noted_ts is not None and card.noted_ts > shown else shown

    def image(self, card: Card) -> tuple[MediaItem, int] | None:
        """The lead image shown on the build's day (its replacement once its rights ended, or none: see
        MediaLibrary.shown), with its size in bytes (each file looked at once per build)."""
        if not card.image or self.media is None:
            return None
        if card.image not in self._images:
            item = self.media.shown(card.image, source=card.source, line=None, field="image")
            size = self._size(item) if item else None
            self._images[card.image] = (item, size) if item else None
        return self._images[card.image]

    def _size(self, item: MediaItem) -> int:
        """The bytes of the file the enclosure names: a JPEG original as handed out (newsroom/media/originals.py)."""
        if item.facts is None or not stamps(item):
            return os.stat(self.media_root / item.path).st_size
        pages = self.build.media_pages
        page = pages.page(item.path) if pages is not None else None
        return published_size(item, self.urls.absolute(page) if page else None)

    def signature(self, card: Card | Retraction) -> tuple:
        """Everything a story's entry is made of; equal signatures give equal entries (the lead
        image's item holds the credit its enclosure carries and the alt text of its figure)."""
        if isinstance(card, Retraction):
            card = card.card  # its file says all of it: title, reason, date, department, terms
            return ("withdrawal", card.id, card.digest, card.url, card.withdrawn_ts)
        refs = tuple(self.url_of(ref) for ref in card.story_refs) if card.story_refs else ()
        # The media its text shows on the build's day: a picture whose rights ended leaves the entry.
        media = tuple(self.media.shown_path(ref, card.source) for ref, _line, _field in card.media_checks) \
            if self.media is not None and card.media_checks else ()
        return (card.id, card.digest, card.url, card.ts, self.updated(card), self.image(card), refs, media)

    def items(self, cards: list[Card | Retraction]) -> list[FeedItem]:
        self.preload([c.card if isinstance(c, Retraction) else c for c in cards])
        return [self.retraction(c.card) if isinstance(c, Retraction) else self.item(c) for c in cards]

    def retraction(self, card: Card) -> FeedItem:
        """The entry announcing that a story was withdrawn: an entry of its own (its own id, dated
        when it was withdrawn) beside the story's, which leaves every feed; its text is the reason."""
        story = self._stories.get(card.source) or self.build.archive.full_story(card)
        withdrawal = story.withdrawal
        content = f"<p>{escape(withdrawal.reason)}</p>" if self.settings["FEED_FULL_CONTENT"] else None
        return FeedItem(
            id=tag_uri(self.settings, f"withdrawal/{story.key}"),
            title=f"Rücknahme: {story.title}",
            url=self.urls.absolute(story.url),
            published=_moment(card.withdrawn_ts),
            updated=_moment(card.withdrawn_ts),
            summary=withdrawal.reason,
            content_html=content,
            author=story.department,
            author_url=self.urls.absolute(f"aemter/{slugify(story.department)}/"),
            source=story.source,
        )

    def item(self, card: Card) -> FeedItem:
        if card.source not in self._items:
            self._items[card.source] = self._make(card)
        return self._items[card.source]

    def preload(self, cards: list[Card]) -> None:
        """Full stories from the parse cache in one query: asked one by one, the fifty of
        a feed cost half a second at archive scale."""
        wanted: dict[str, list[Card]] = defaultdict(list)
        for card in cards:
            if card.source not in self._items and card.source not in self._stories:
                wanted[card.digest].append(card)
        if not wanted:
            return
        if self._vocabulary is None:
            self._vocabulary = StoryVocabulary.from_settings(self.settings).fingerprint()
        records = self.build.cache.stories(sorted(wanted), self._vocabulary)
        for digest, record in records.items():
            for card in wanted[digest]:
                self._stories[card.source] = record.placed(card.source, card.url)

    def _make(self, card: Card) -> FeedItem:
        # Missing from the batch: the stories generator's own way, one query per story.
        story = self._stories.pop(card.source, None) or self.build.archive.full_story(card)
        urls = self.urls
        page = urls.absolute(story.url)
        enclosure, figure = None, ""
        image = self.image(card)
        if image:
            media, length = image
            suffix = Path(media.path).suffix.lower()
            address = urls.absolute(urls.media(media.path))
            enclosure = Enclosure(address, length, MIME_TYPES.get(suffix, "application/octet-stream"),
                                  "image" if suffix in IMAGE_SUFFIXES else None, credit_of(media))
            if enclosure.medium == "image":
                caption = " ".join(part for part in (media.caption, enclosure.credit) if part)
                figure = (f'<figure><img src="{escape(address)}" alt="{escape(media.alt or "")}">'
                          + (f"<figcaption>{escape(caption)}</figcaption>" if caption else "") + "</figure>\n")
        content = None
        if self.settings["FEED_FULL_CONTENT"]:
            media = self.media
            body = resolve_links(story.body_html, urls, self.url_of, media_shown=None if media is None else
                                 lambda path: media.shown_path(path, story.source))
            content = amendments_html(story) + figure + absolute_links(body, page)
        categories = (
            Category(story.category, urls.absolute("themen/")),
            *(Category(f"Stadtbezirk {n}", urls.absolute("stadtbezirke/")) for n in story.districts),
            *(Category(tag, urls.absolute("schlagworte/")) for tag in story.tags),
        )
        return FeedItem(
            id=tag_uri(self.settings, f"story/{story.key}"),
            title=story.title,
            url=page,
            published=_moment(card.ts),
            updated=_moment(self.updated(card)),
            summary=story.summary,
            content_html=content,
            author=story.department,
            author_url=urls.absolute(f"aemter/{slugify(story.department)}/"),
            categories=categories,
            enclosure=enclosure,
            source=story.source,
        )
