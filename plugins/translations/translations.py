"""translations: the pages of every language besides German (newsroom/languages).

- <lang>/news/<YYYY>/<MM>/<slug>/: a translated story (TRANSLATION_URL), naming its German original
  and every other translation (hreflang); the German page names them too (plugins/stories).
- <lang>/: the language's home page, its translated stories newest first, in pages that count from
  the oldest (newsroom/pagination.py); untranslated stories are never listed.
- <lang>/feeds/news/: its feed in every format of FEED_FORMATS.

Every page is signed by what it shows (SiteWriter.page): a translation's card, its original's list
entry, the picture's sidecar and the addresses of its other languages. So adding or removing a
translation redraws its own page, its language's first home page and feed, and the German page
(whose signature the stories plugin extends by its alternates); nothing else. The interface texts
come from the language's catalogue; a missing one stops the build (check_catalogues).

A translation that chose channels is offered to the publish run as a sendable (offer_sendables,
newsroom/languages/sends.py): its posts in its language, recorded apart from the German ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator

from newsroom.build.context import of
from newsroom.content.links import resolve_links
from newsroom.content.slugs import slugify
from newsroom.dates import BERLIN
from newsroom.feeds.formats import FORMATS, FeedInfo, FeedItem, render
from newsroom.feeds.items import absolute_links, tag_uri
from newsroom.languages.catalogues import interface_for
from newsroom.languages.sends import TranslationSends
from newsroom.languages.translations import Shown
from newsroom.pagination import Paged, cut
from newsroom.publishing.release import release_maker
from newsroom.site import SiteUrls

FEED_KEY = "feeds/news"  # below the language's folder, like the German feeds/<key>/


class Terms:
    """The German lists a translation links to (the addresses plugins/stories gives them)."""

    @staticmethod
    def thema_url(name: str) -> str:
        return f"themen/{slugify(name)}/"

    @staticmethod
    def amt_url(name: str) -> str:
        return f"aemter/{slugify(name)}/"

    @staticmethod
    def bezirk(number: int) -> SimpleNamespace:
        return SimpleNamespace(name=f"Stadtbezirk {number}", base=f"stadtbezirke/{number}/")


@dataclass(frozen=True)
class HomePage(Paged):
    base: str
    number: int
    total: int
    shown: tuple[Shown, ...]

    @property
    def items(self) -> list:
        return [s.entry() for s in self.shown]

    def signature(self) -> tuple:
        return (self.base, self.number, self.total, tuple(s.listed() for s in self.shown))


def feed_path(lang: str, fmt: str) -> str:
    return f"{lang}/{FEED_KEY}/{FORMATS[fmt][0]}"


class TranslationsGenerator(Generator):
    def generate_context(self) -> None:
        self.build = build = of(self.context)
        build.errors.extend(interface_for(self.settings).compiled.errors())
        makers = []  # made when first asked (by a publish run or the previews): it reads the media portal

        def release(card):
            makers[:] = makers or [release_maker(build, self.settings)]
            return makers[0](card)

        build.offer_sendables(TranslationSends(build.archive.translations, build.archive.by_id, self.settings,
                                               release))

    def generate_output(self, writer) -> None:
        settings, build = self.settings, self.build
        translations = build.archive.translations
        self.urls = SiteUrls.from_settings(settings)
        self.interface = interface_for(settings)
        by_id = build.archive.by_id
        for lang in translations.languages:
            shown = translations.shown.get(lang, [])
            # A story: link in a translation leads to that story's translation into the same language, if shown.
            def url_of(story_id: str, lang: str = lang) -> str:
                return dict(translations.alternates.get(story_id, ())).get(lang) or by_id[story_id].url

            self._story_pages(writer, lang, shown, translations, url_of)
            self._home_pages(writer, lang, shown)
            self._feeds(writer, lang, shown, translations, url_of)

    def _site_name(self, lang: str) -> str:
        """The city named in `lang` (the catalogue's word for base.html's "Landeshauptstadt Düsseldorf"):
        SITE_SHORTNAME is German, and these feeds and pages are not."""
        with self.interface.speaking(lang):
            return self.interface.gettext("Landeshauptstadt Düsseldorf")

    def _context(self, lang: str, path: str, **values) -> dict:
        formats = self.settings["FEED_FORMATS"]
        links = [(f"{self._site_name(lang)} ({self.settings['LANGUAGES'][lang]}) – {FORMATS[f][2]}",
                  FORMATS[f][1], feed_path(lang, f)) for f in formats if f in ("rss", "atom")]
        return {**self.context, "page_path": path, "canonical": self.urls.absolute(path),
                "feed_links": lambda _listing=None: links, "taxonomy": Terms, **values}

    def _story_pages(self, writer, lang: str, shown: list[Shown], translations, url_of) -> None:
        template = self.get_template("translation")
        media, sitemap = self.build.media, self.build.sitemap
        by_year: dict[str, list] = {}
        for item in shown:
            original = item.original
            # The picture shown on the build's day (its replacement once its rights ended, or none, as on
            # the German page); the translated picture texts describe the original picture only.
            image = media.shown(original.image, source=original.source, line=None, field=None) \
                if original.image else None
            card = item.card
            if image is not None and image != media.get(original.image, source=original.source, line=None,
                                                        field=None):
                card = card._replace(image_alt="", image_caption="")
            alternates = translations.alternates[original.id]
            links = tuple((ref, url_of(ref)) for ref in item.card.story_refs)
            # The pictures in its text, as the German story pages are signed by theirs.
            pictures = tuple(media.shown(ref, source=item.card.source, line=None, field=None)
                             for ref, _line, _field in item.card.media_checks)
            inputs = (tuple(card), item.listed(), original.title, original.url, original.department,
                      original.districts, image, pictures, alternates, links)

            def draw(item=item, card=card, image=image, alternates=alternates):
                full = translations.read(item)
                body = resolve_links(full.body_html, self.urls, url_of,
                                     media_shown=lambda path: media.shown_path(path, item.card.source))
                with self.interface.speaking(lang):
                    return template.render(self._context(
                        lang, item.url, translation=card, original=item.original, url=item.url,
                        body=Markup(body), image=image, alternates=alternates))

            writer.page(item.save_as, draw, owner=item.card.source, inputs=inputs)
            by_year.setdefault(str(original.month[0]), []).append((item.url, original.ts))
        for year, entries in by_year.items():
            sitemap.add_grouped(year, entries)

    def _home_pages(self, writer, lang: str, shown: list[Shown]) -> None:
        template = self.get_template("translations")
        home = f"{lang}/"
        formats = self.settings["FEED_FORMATS"]
        feed = feed_path(lang, "atom" if "atom" in formats else formats[0]) if formats else None
        for number, total, items in cut(shown, self.settings["LIST_PAGE_SIZE"]):
            page = HomePage(home, number, total, tuple(items))

            def draw(page=page):
                with self.interface.speaking(lang):
                    return template.render(self._context(lang, page.url, page=page, feed_path=feed))

            # The pictures the cards show on the build's day (a replacement once rights ended: MediaLibrary.shown).
            pictures = tuple(self._shown_path(s.original) for s in page.shown)
            writer.page(page.url + "index.html", draw, owner=f"Startseite {lang}",
                        inputs=(page.signature(), feed, pictures))
        self.build.sitemap.add(home, shown[0].ts if shown else None)

    def _shown_path(self, original) -> str | None:
        if not original.image:
            return None
        item = self.build.media.shown(original.image, source=original.source, line=None, field=None)
        return item.path if item else None

    def _feeds(self, writer, lang: str, shown: list[Shown], translations, url_of) -> None:
        settings, urls = self.settings, self.urls
        newest = shown[:settings["FEED_ENTRIES"]]
        media = self.build.media
        # The pictures in each text on the build's day, as the pages are signed by theirs.
        signature = tuple((item.card.digest, item.listed(), tuple(url_of(ref) for ref in item.card.story_refs),
                           tuple(media.shown_path(ref, item.card.source) for ref, _l, _f in item.card.media_checks))
                          for item in newest)
        name, site_name = settings["LANGUAGES"][lang], self._site_name(lang)

        def items() -> list[FeedItem]:
            found = []
            for item in newest:
                full = translations.read(item)
                page = urls.absolute(item.url)
                body = absolute_links(resolve_links(full.body_html, urls, url_of, media_shown=lambda path, item=item:
                                                    media.shown_path(path, item.card.source)), page)
                moment = datetime.fromtimestamp(int(item.original.ts), BERLIN)
                found.append(FeedItem(
                    id=tag_uri(settings, f"story/{item.original.key}/{lang}"), title=item.card.title, url=page,
                    published=moment, updated=moment, summary=item.card.summary,
                    content_html=body if settings["FEED_FULL_CONTENT"] else None,
                    author=site_name, author_url=urls.absolute(f"{lang}/"),
                    source=item.card.source))
            return found

        for fmt in settings["FEED_FORMATS"]:
            path = feed_path(lang, fmt)
            with self.interface.speaking(lang):
                description = self.interface.gettext(
                    "Ausgewählte Meldungen der Landeshauptstadt Düsseldorf, übersetzt aus dem Deutschen.")
            info = FeedInfo(
                id=tag_uri(settings, f"feed/{lang}/news"), title=f"{site_name} ({name})",
                description=description, link=urls.absolute(f"{lang}/"), self_url=urls.absolute(path),
                language=lang, author=site_name, author_url=urls.absolute(f"{lang}/"),
                icon=urls.absolute("theme/img/logo.svg"), fallback_date=_fallback_date(settings))
            writer.page(path, lambda fmt=fmt, info=info: render(fmt, info, items()), owner=f"Feed {lang}",
                        inputs=(fmt, info, signature))


def _fallback_date(settings: dict) -> datetime:
    """A feed without entries dates from the day of the ids' tag URIs (FEED_ID_DATE), as the German feeds."""
    parts = [int(p) for p in str(settings["FEED_ID_DATE"]).split("-")] + [1, 1]
    return datetime(parts[0], parts[1], parts[2], tzinfo=BERLIN)


def get_generators(_pelican):
    return TranslationsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
