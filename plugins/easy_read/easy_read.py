"""easy_read: „Nachrichten in Leichter Sprache“ (leichte-sprache/meldungen/), every story that has
a version in Leichter Sprache, newest first, each linked to that version on its page.

Its pages go through the writer's incremental rule signed by what they show
(newsroom/content/easy_read_list.py): a new story in Leichter Sprache redraws the list's first page.
"""

from __future__ import annotations

from pelican import signals
from pelican.generators import Generator

from newsroom.build.context import of
from newsroom.content.easy_read_list import EASY_ANCHOR, easy_read_pages
from newsroom.site import SiteUrls

OWNER = "Leichte Sprache"


class EasyReadGenerator(Generator):
    def generate_context(self) -> None:
        self.build = of(self.context)

    def generate_output(self, writer) -> None:
        settings, build = self.settings, self.build
        urls = SiteUrls.from_settings(settings)
        pages = easy_read_pages(build.archive.visible, settings["LIST_PAGE_SIZE"])
        build.stats["easy_read_stories"] = pages[0].count
        template = self.get_template("easy_read_list")
        for page in pages:
            writer.page(page.url + "index.html",
                        lambda page=page: template.render(self.context, page_path=page.url, page=page,
                                                          canonical=urls.absolute(page.url), anchor=EASY_ANCHOR),
                        owner=OWNER, inputs=page.signature())
        first = pages[0]
        # By its own address, like the story lists: older pages show only stories the sitemap names.
        build.sitemap.add(first.url, first.items[0].ts if first.items else None)


def get_generators(_pelican):
    return EasyReadGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
