"""Every translated story of the build, read beside the German archive and checked against it.

The story scan lists translation files too (`<name>.<code>.md`); the archive hands them here. A
file whose size and mtime are those recorded by the last successful build keeps its card without
being read; a changed one is read again (its text only when its page is drawn). A translation is
shown when it is published and its German original is visible: then both pages name each other
(hreflang), and the German page is redrawn when that set of addresses changes (`alternates`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from newsroom.build.state import Card
from newsroom.content.reader import check_media
from newsroom.errors import ContentError, ContentErrors
from newsroom.languages.translation import Translation, TranslationCard, language_of, read_translation
from newsroom.paths import symlink_error

logger = logging.getLogger("newsroom.languages")


@dataclass(frozen=True)
class Shown:
    """A translation on the site: its card, its German original's card and its own address."""

    card: TranslationCard
    original: Card
    url: str

    @property
    def save_as(self) -> str:
        return self.url + "index.html"

    @property
    def ts(self) -> float:
        return self.original.ts

    def listed(self) -> tuple:
        """What a list or feed entry shows of it; when it changes, the pages that list it are redrawn."""
        o, c = self.original, self.card
        return (o.id, c.title, self.url, o.ts, o.category, c.summary, o.image)

    def entry(self) -> Card:
        """The original's card with the translation's title, summary and address: what the theme's
        card macro shows."""
        return self.original._replace(title=self.card.title, summary=self.card.summary, url=self.url)


@dataclass
class TranslatedStories:
    languages: tuple[str, ...]  # the languages besides the originals', in the order of LANGUAGES
    # source → (mtime_ns, size, card) of every valid translation file: the next build's starting point
    files: dict[str, tuple] = field(default_factory=dict)
    shown: dict[str, list[Shown]] = field(default_factory=dict)  # language → shown translations, newest first
    # German story id → ((language, address), …) of its shown translations, German first
    alternates: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    root: Path = Path(".")
    channels: tuple[str, ...] = ()  # the channels a translation may choose (CHANNELS)

    def of(self, story_id: str) -> dict[str, str]:
        """language → site path of the German story and its shown translations (empty: none)."""
        return dict(self.alternates.get(story_id, ()))

    def read(self, shown: Shown) -> Translation:
        """The full translation behind a shown card, read again from its file (only for pages drawn)."""
        return self.read_card(shown.card)

    def read_card(self, card: TranslationCard) -> Translation:
        """The full translation behind a card (its own channel texts too), read again from its file."""
        from newsroom.content.markup import BodyRenderer

        raw = (self.root / card.source).read_bytes()
        return read_translation(raw, card.source, BodyRenderer(), 1 << 30, self.channels)

    def with_channels(self) -> list[TranslationCard]:
        """Every valid translation that chose channels of its own (few: the publish run plans them)."""
        return sorted((entry[2] for entry in self.files.values() if entry[2].channels), key=lambda c: c.source)

    def by_path(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """Site path of every page that has translations (German and translated) → its alternates."""
        return {path: links for links in self.alternates.values() for _lang, path in links}


def load_translations(files: list[tuple], settings: dict, previous: dict, cards: list[Card], visible: list[Card],
                      media, errors: list[ContentError]) -> TranslatedStories:
    """`files`: the scan's entries of translation files; `previous`: the last build's `files`;
    `cards`: every German story; `visible`: those on the site, newest first."""
    from newsroom.content.markup import BodyRenderer

    languages = tuple(settings["LANGUAGES"])
    original_language = languages[0] if languages else settings["DEFAULT_LANG"]
    display_root = Path(settings["PATH"]).parent
    result = TranslatedStories(languages[1:], root=display_root, channels=tuple(settings["CHANNELS"]))
    renderer = None
    body_max = settings["STORY_BODY_MAX_BYTES"]
    read: list[TranslationCard] = []
    for source, path, mtime_ns, size, _ctime, _inode in files:
        if size is None:
            errors.append(symlink_error(path, source))
            continue
        lang = language_of(source)
        if lang == original_language:
            errors.append(ContentError(source, f"„.{lang}.md“: {settings['LANGUAGES'].get(lang, lang)} ist die Sprache "
                                       "der Originale; eine solche Meldung heißt nur „….md“."))
            continue
        if lang not in languages:
            known = ", ".join(languages[1:]) or "keine"
            errors.append(ContentError(source, f"Unbekannter Sprachcode „{lang}“ im Dateinamen. Eingestellte Sprachen "
                                       f"für Übersetzungen: {known} (LANGUAGES)."))
            continue
        old = previous.get(source)
        if old and old[0] == mtime_ns and old[1] == size:
            result.files[source] = old
            read.append(old[2])
            continue
        renderer = renderer or BodyRenderer()
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
            card = read_translation(raw, source, renderer, body_max, result.channels).card
        except ContentErrors as exc:
            errors.extend(exc.errors)
            continue
        except OSError as exc:
            errors.append(ContentError(source, f"Die Datei lässt sich nicht lesen ({exc.strerror})."))
            continue
        result.files[source] = (mtime_ns, size, card)
        read.append(card)
    _check_and_place(result, read, settings, cards, visible, media, errors)
    return result


def _check_and_place(result: TranslatedStories, read: list[TranslationCard], settings: dict, cards: list[Card],
                     visible: list[Card], media, errors: list[ContentError]) -> None:
    by_id = {card.id: card for card in cards}
    shown_ids = {card.id for card in visible}
    url_of = settings["TRANSLATION_URL"]
    names = settings["LANGUAGES"]
    first: dict[tuple[str, str], TranslationCard] = {}
    addresses: dict[str, str] = {}
    shown: dict[str, list[Shown]] = {lang: [] for lang in result.languages}
    for card in sorted(read, key=lambda c: c.source):
        line = dict(card.lines)
        problems = []
        original = by_id.get(card.original)
        if original is None:
            problems.append(ContentError(card.source, f"Keine deutsche Meldung hat die id „{card.original}“. Eine "
                                         "Übersetzung braucht ihr Original.", line=line["translation_of"],
                                         field="translation_of"))
        else:
            other = first.setdefault((card.original, card.lang), card)
            if other is not card:
                problems.append(ContentError(
                    card.source, f"Die Meldung „{card.original}“ hat schon eine Übersetzung in "
                    f"{names.get(card.lang, card.lang)}: {other.source}. Je Sprache gibt es eine.",
                    line=line["translation_of"], field="translation_of"))
            if not original.image:
                problems += [ContentError(card.source, "Die deutsche Meldung hat kein Bild (image); der Text zum Bild "
                                          "hat keinen Platz.", line=line[name], field=name)
                             for name in ("image_alt", "image_caption") if getattr(card, name)]
            elif card.channels and not card.image_alt:
                problems.append(ContentError(
                    card.source, "Die Übersetzung wählt Kanäle, und die deutsche Meldung hat ein Bild: dessen Text "
                    "in dieser Sprache (image_alt) fehlt. Ohne ihn geht das Bild ohne Beschreibung hinaus.",
                    line=line.get("channels"), field="image_alt"))
        problems += [ContentError(card.source, f"Link story:{ref}: keine Meldung hat diese id.")
                     for ref in card.story_refs if ref not in by_id]
        problems += check_media(card.source, card.media_checks, media) if card.media_checks else []
        if problems:
            errors.extend(problems)
            result.files.pop(card.source, None)  # read again next time
            continue
        if card.status != "published" or card.original not in shown_ids:
            continue
        url = url_of.format(lang=card.lang, date=original.date, slug=card.slug)
        clash = addresses.setdefault(url, card.source)
        if clash != card.source:
            errors.append(ContentError(card.source, f"Die Adresse /{url} hätte auch {clash}. Bitte Titel oder "
                                       "„slug“ ändern.", line=line["slug"] or line["title"], field="slug"))
            continue
        shown[card.lang].append(Shown(card, original, url))
    original_language = tuple(settings["LANGUAGES"])[0] if settings["LANGUAGES"] else settings["DEFAULT_LANG"]
    links: dict[str, dict[str, str]] = {}
    for lang, items in shown.items():
        items.sort(key=lambda s: (s.original.ts, s.original.id), reverse=True)
        for item in items:
            links.setdefault(item.original.id, {original_language: item.original.url})[lang] = item.url
    result.shown = shown
    order = {lang: n for n, lang in enumerate((original_language, *result.languages))}
    result.alternates = {story_id: tuple(sorted(found.items(), key=lambda pair: order[pair[0]]))
                         for story_id, found in links.items()}
