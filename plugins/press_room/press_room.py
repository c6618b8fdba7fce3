"""press_room: the Presse section for journalists.

- presse/: what the press finds where: the newest releases, the appointments, the media portal,
  the Pressedienst by e-mail, the contact for the press.
- presse/pressemitteilungen/: every story whose press release went out, by number, newest first,
  with number, issue date and Thema; one list per Thema below it (…/<thema>/), plain links that
  need no JavaScript. A withdrawn release keeps its line, with number and date only: its number
  was given out, and a page taken down for legal reasons is not linked.

The numbers are those the story pages show (`BuildContext.press`, "press-numbers": the stories
plugin reads them from the record of sends in generate_context, before any generator draws).
Every page goes through the writer's incremental rule signed by what it shows
(newsroom/publishing/press_list.py): a new release redraws the first page of its two lists and
presse/, nothing else.
"""

from __future__ import annotations

from pelican import signals
from pelican.generators import Generator

from newsroom.build.context import of
from newsroom.feeds.catalog import PRESS, feed_path
from newsroom.publishing.press_list import RELEASES, SECTION, paginate, release_lists, sent_releases, thema_path
from newsroom.site import SiteUrls

OWNER = "Pressebereich"
LATEST = 5  # releases on presse/


class PressRoomGenerator(Generator):
    def generate_context(self) -> None:
        self.build = of(self.context)

    def generate_output(self, writer) -> None:
        settings, build = self.settings, self.build
        urls = SiteUrls.from_settings(settings)
        sitemap = build.sitemap
        cards = [*build.archive.visible, *build.archive.withdrawn]
        releases = sent_releases(cards, build.press, settings["PRESS_NUMBER_FORMAT"])
        build.stats["press_releases_listed"] = len(releases)
        filters = tuple((name, thema_path(name)) for name in settings["THEMEN"])
        shared = dict(filters=filters, section_path=SECTION, releases_path=RELEASES)

        def draw(template: str, path: str, **values) -> str:
            return self.get_template(template).render(
                self.context, page_path=path, canonical=urls.absolute(path), **shared, **values)

        per_page = settings["LIST_PAGE_SIZE"]
        for listing in release_lists(releases, settings["THEMEN"]):
            for page in paginate(listing, per_page):
                writer.page(page.url + "index.html",
                            lambda page=page: draw("press_releases", page.url, releases=page.listing, page=page),
                            owner=OWNER, inputs=page.signature())
            if listing.thema is None or listing.releases:
                # By its own address, like the story lists: older pages show only stories the sitemap names.
                newest = listing.releases[-1].issued if listing.releases else None
                sitemap.add(listing.base, newest.timestamp() if newest else None)

        latest = tuple(releases[::-1][:LATEST])
        press_feed = feed_path(PRESS, "rss") if settings["FEED_PRESS_CHANNEL"] and "rss" in settings["FEED_FORMATS"] \
            else None
        links = dict(appointments_path=settings["APPOINTMENTS_URL"], calendar_path=settings["APPOINTMENTS_CALENDAR"],
                     press_feed=press_feed)
        writer.page(SECTION + "index.html",
                    lambda: draw("press_room", SECTION, latest=latest, count=len(releases), **links),
                    owner=OWNER, inputs=("presse", len(releases), tuple(r.row() for r in latest), links))
        sitemap.add(SECTION)


def get_generators(_pelican):
    return PressRoomGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
