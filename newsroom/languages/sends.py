"""A translation's own sends: its posts, in its language, on the channels it chose, each exactly once.

A translation that chooses channels (`channels`, translation.py) is offered to the publish run as a
sendable (BuildContext.offer_sendables, plugins/translations): planned, approved, claimed and
recorded like its German original, under a key of its own, `<story key>.<language>`
(`content/receipts/<key>.en.yml`; the dot cannot occur in an id). The German record keeps its name
and keys; the translation's idempotency keys (`<key>.en-<channel>-<n>`) are never the German ones.
A translation without `channels` sends nothing; the press release and the citizens' e-mail alerts
stay German, and the original's video and Instagram Story are not uploaded again
(translation.ORIGINAL_ONLY).

Its time is the original's: it is due while the original is published and online and the
translation is published too, within the same window as the German posts (`invoke publish --story
<key>.en` sends one older on purpose). Its version is approved on its own (`invoke approve
<key>.en`: the translation's file). Once the original is withdrawn, a pending send is cancelled and
what went out is taken back with the German posts (newsroom/publishing/followups.py). The post
links to the translation's page and carries its title, summary, picture text and own texts; house
templates come from `channels/<language>/` (newsroom/publishing/templates.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from newsroom.content.links import resolve_links
from newsroom.publishing.records import language_key
from newsroom.site import SiteUrls

if TYPE_CHECKING:
    from newsroom.build.state import Card
    from newsroom.languages.translation import TranslationCard
    from newsroom.languages.translations import TranslatedStories
    from newsroom.publishing.channel import Release
    from newsroom.publishing.records import Receipt


@dataclass(frozen=True)
class TranslationSendCard:
    """A translation's sends as the publish run plans them (the fields of a story's card it reads)."""

    id: str  # its key in the record of sends: `<story key>.<language>`
    translation: TranslationCard
    original: Card
    url: str  # site path of the translation's page
    status: str
    embargo_ts: float | None = None  # the press's early send: never for a translation
    former_ids: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.id

    @property
    def language(self) -> str:
        return self.translation.lang

    @property
    def channels(self) -> tuple[str, ...]:
        return self.translation.channels

    @property
    def source(self) -> str:
        return self.translation.source

    @property
    def digest(self) -> str:
        return self.translation.digest  # what `invoke approve <key>.en` approves: the translation's file

    @property
    def title(self) -> str:
        return self.translation.title

    @property
    def ts(self) -> float:
        return self.original.ts

    @property
    def claim_detail(self) -> dict:
        return {"story": self.original.key, "language": self.language}


def send_status(translation: TranslationCard, original: Card) -> str:
    """A withdrawn original withdraws its translations' sends; a draft on either side waits."""
    if original.status != "published":
        return original.status
    return translation.status


class TranslationSends:
    """The translations' own sends (BuildContext.offer_sendables): cards for the plan, releases to send."""

    def __init__(self, translations: TranslatedStories, by_id: dict[str, Card], settings: dict,
                 release: Callable[[Card], Release]):
        self.translations = translations
        self.by_id = by_id
        self.settings = settings
        self.make_release = release
        self.urls = SiteUrls.from_settings(settings)

    def all_cards(self) -> list[TranslationSendCard]:
        """Every translation with channels whose original is in the archive."""
        found = []
        url_of = self.settings["TRANSLATION_URL"]
        for card in self.translations.with_channels():
            original = self.by_id.get(card.original)
            if original is None:
                continue  # the archive's check names it
            url = url_of.format(lang=card.lang, date=original.date, slug=card.slug)
            found.append(TranslationSendCard(language_key(original.key, card.lang), card, original, url,
                                             send_status(card, original)))
        return found

    def cards(self, receipt: Callable[[str], Receipt | None], recorded: set[str]) -> list[TranslationSendCard]:
        return self.all_cards()

    def find(self, name: str, receipt, recorded: set[str]) -> TranslationSendCard | None:
        return next((card for card in self.all_cards() if card.id == name), None)

    def release(self, card: TranslationSendCard) -> Release:
        """The original's release (picture, crops, credit, media) with the translation's address, title,
        summary, text, picture text and own channel texts, in its language."""
        german = self.make_release(card.original)
        full = self.translations.read_card(card.translation)
        own = full.card

        def story_url(story_id: str) -> str:
            return self.translations.of(story_id).get(own.lang) or self.by_id[story_id].url

        story = replace(german.story, id=card.id, source=own.source, title=own.title, summary=own.summary,
                        tags=(), channels=full.channels, url=card.url, save_as=card.url + "index.html")
        lead = german.story.image
        # The translation describes the story's own picture; a replacement (its rights ended) keeps its own text.
        alt = (own.image_alt or None) if german.image_path in (None, lead) else german.image_alt
        alt = alt if german.image_url else None
        media = tuple(replace(link, alt=own.image_alt) if link.path == lead and own.image_alt else link
                      for link in german.media)
        return replace(german, story=story, url=self.urls.absolute(card.url),
                       body_html=resolve_links(full.body_html, self.urls, story_url, absolute=True),
                       image_alt=alt, media=media, language=own.lang)


__all__ = ["TranslationSendCard", "TranslationSends", "send_status"]
