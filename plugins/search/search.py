"""search: the search page (suche/) around Pagefind's own UI.

The index itself is written by `invoke search` (newsroom/search/index/index.py) after a build, so the
page only loads what that step puts into pagefind/ on our own site: no CDN, no server.
Connected to `get_generators` like the other page plugins.
"""

from __future__ import annotations

from pelican import signals
from pelican.generators import Generator

from newsroom.site import SiteUrls

SEARCH_URL = "suche/"


class SearchPageGenerator(Generator):
    def generate_context(self) -> None:
        pass

    def generate_output(self, writer) -> None:
        urls = SiteUrls.from_settings(self.settings)
        html = self.get_template("search").render(self.context, page_path=SEARCH_URL,
                                                  canonical=urls.absolute(SEARCH_URL))
        writer.write(SEARCH_URL + "index.html", html, owner="Suche")


def get_generators(_pelican):
    return SearchPageGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
