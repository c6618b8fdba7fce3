"""search: the search pages on Pagefind's JavaScript API (theme/static/js/search.js).

- suche/: the German pages (stories, static pages, the media portal).
- <lang>/search/ for every other language of LANGUAGES: that language's translated stories, with its
  interface texts from its catalogue. Pagefind keeps one index per `<html lang>`, and search.js loads
  the parts holding the page's language only (pagefind/teile.json), so each page finds its own language.

The search pages name each other (hreflang, the language switch), and on a page in another language
the menu's link to suche/ leads to that language's search page (`language_page`). The index itself is
written by `invoke search` (newsroom/search/index.py) after a build, so the pages only load what that
step puts into pagefind/ on our own site: no CDN, no server. Each page goes through the writer's
incremental rule, signed by its address, language and alternates: what else it shows comes from the
theme, the catalogues and the settings, whose change draws every page anyway.
Connected to `get_generators` like the other page plugins; `generator_init` gives every generator's
templates `language_page`, as plugins/feeds gives them `feed_links`.
"""

from __future__ import annotations

from types import SimpleNamespace

from pelican import signals
from pelican.generators import Generator

from newsroom.languages.catalogues import interface_for
from newsroom.site import SiteUrls

SEARCH_URL = "suche/"
TRANSLATED_SEARCH_URL = "{lang}/search/"  # as the other pages of a language: <lang>/news/…, <lang>/feeds/…
OWNER = "Suche"


def search_url(lang: str, original: str) -> str:
    return SEARCH_URL if lang == original else TRANSLATED_SEARCH_URL.format(lang=lang)


class SearchPageGenerator(Generator):
    def generate_context(self) -> None:
        pass

    def generate_output(self, writer) -> None:
        urls = SiteUrls.from_settings(self.settings)
        interface = interface_for(self.settings)
        languages = tuple(self.settings["LANGUAGES"]) or (interface.original,)
        alternates = tuple((lang, search_url(lang, interface.original)) for lang in languages)
        template = self.get_template("search")
        for lang, path in alternates:
            # The site's feeds (plugins/feeds) are German: named in the head of the German page only.
            own = {} if lang == interface.original else {"feed_links": lambda _listing=None: ()}

            def draw(lang=lang, path=path, own=own) -> str:
                with interface.speaking(lang):
                    return template.render(self.context, page_path=path, canonical=urls.absolute(path),
                                           alternates=alternates if len(alternates) > 1 else (), **own)

            writer.page(path + "index.html", draw, owner=OWNER, inputs=(OWNER, lang, path, alternates))


class LanguagePage:
    """On a page in another language than the originals', the menu's link to the German search page
    leads to the search page of the page's language, named in it (the catalogue's "Suche")."""

    def __init__(self, settings: dict):
        self.interface = interface_for(settings)

    def __call__(self, path: str) -> SimpleNamespace | None:
        interface = self.interface
        if path != SEARCH_URL or interface.language() == interface.original:
            return None
        return SimpleNamespace(path=search_url(interface.language(), interface.original),
                               label=interface.gettext("Suche"))


def get_generators(_pelican):
    return SearchPageGenerator


def add_globals(generator) -> None:
    generator.env.globals["language_page"] = LanguagePage(generator.settings)


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_globals)
