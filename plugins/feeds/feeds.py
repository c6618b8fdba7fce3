"""feeds: RSS 2.0, Atom and JSON Feed for all news, press releases, each Thema, Amt and
Stadtbezirk; the German page /feeds/ that lists them; autodiscovery links for every page.

A generator that reads the feeds other plugins offer (the media portal's) and lists the
feeds page in the sitemap (its PLUGIN declaration says so). A feed is drawn again only
when its signature changed (SiteWriter.page: the digest recorded with the last build).
`generator_init` gives every template `feed_links` for its <head>.
"""

from __future__ import annotations

import logging
from datetime import datetime

from pelican import signals
from pelican.generators import Generator

from newsroom.build.context import of
from newsroom.dates import BERLIN
from newsroom.errors import ConfigurationError
from newsroom.feeds.catalog import ALL, PRESS, FeedSource, feed_path, list_key, story_sources
from newsroom.feeds.formats import FORMATS, FeedInfo, forbidden_in, render
from newsroom.feeds.items import StoryItems, tag_uri
from newsroom.site import SiteUrls

logger = logging.getLogger("newsroom.feeds")

PAGE = "feeds/"
OWNER = "Feeds"
# Formats a page's <head> announces; every reader knows these two (JSON Feed is on /feeds/).
DISCOVERY = ("rss", "atom")
LIST_KINDS = ("thema", "amt", "bezirk")


def fallback_date(settings: dict) -> datetime:
    """The date of a feed without entries: the day of the ids' tag URIs (FEED_ID_DATE)."""
    parts = [int(p) for p in str(settings["FEED_ID_DATE"]).split("-")] + [1, 1]
    return datetime(parts[0], parts[1], parts[2], tzinfo=BERLIN)


class FeedsGenerator(Generator):
    def generate_context(self) -> None:
        self.build = of(self.context)  # other plugins (the media portal) offer feeds there

    def generate_output(self, writer) -> None:
        settings = self.settings
        urls = SiteUrls.from_settings(settings)
        formats = list(settings["FEED_FORMATS"])
        build = self.build
        items = StoryItems(build, settings, urls)
        sources = story_sources(build.stories, settings, items, build.archive.withdrawn) + build.feed_sources("feeds")
        portal = settings["FEED_MEDIA_PORTAL"]
        if portal and not any(source.key == portal for source in sources):
            raise ConfigurationError(f"FEED_MEDIA_PORTAL = „{portal}“, aber kein Plugin liefert diesen Feed "
                                     "(das Medienportal-Plugin muss in PLUGINS stehen).")

        pending: list[tuple[FeedSource, list[tuple[str, str]]]] = []
        for source in sorted(sources, key=lambda s: s.key):
            # The entries are made only for feeds that are drawn (below), so the page's render
            # function is a placeholder here and the real one is deferred with them.
            wanted = [(feed_path(source.key, fmt), fmt) for fmt in formats
                      if not writer.keep_if_recorded(feed_path(source.key, fmt), owner=OWNER,
                                                     inputs=(fmt, source.signature))]
            if wanted:
                pending.append((source, wanted))
        items.preload([card for source, _wanted in pending for card in source.cards])
        if any(fmt != "json" for _source, wanted in pending for _path, fmt in wanted):
            import feedgen.feed  # noqa: F401 - once here, not in each render process after the fork
        warned: set[str] = set()
        for source, wanted in pending:
            entries = source.items()  # made here, in this process; workers only serialise them
            self._warn_forbidden(entries, warned)
            for path, fmt in wanted:
                info = self._info(source, fmt, urls)
                # A feed entry carries the whole story: six of them are about a page's work.
                writer.page(path, lambda fmt=fmt, info=info, entries=entries: render(fmt, info, entries),
                            owner=f"Feed {source.name}", changed=True, weight=1 + len(entries) // 6)

        self._page(writer, sources, formats)
        build.sitemap.add(PAGE)

    def _warn_forbidden(self, entries, warned: set[str]) -> None:
        """`invoke check` refuses these characters; one here came from elsewhere (the writer drops it)."""
        for entry in entries:
            found = forbidden_in(entry)
            if found and entry.source not in warned:
                warned.add(entry.source)
                message = (f"{entry.source}: Zeichen, die XML nicht erlaubt, aus dem Feed entfernt "
                           f"({', '.join(found)}); bitte „invoke check“ ausführen.")
                logger.warning(message)
                self.build.warnings.append(message)

    def _info(self, source: FeedSource, fmt: str, urls: SiteUrls) -> FeedInfo:
        settings = self.settings
        return FeedInfo(
            id=tag_uri(settings, f"feed/{source.key}"),
            title=f"{settings['SITE_SHORTNAME']} – {source.name}",
            description=source.description,
            link=urls.absolute(source.link),
            self_url=urls.absolute(feed_path(source.key, fmt)),
            language="de-DE",
            author=settings["SITE_SHORTNAME"],
            author_url=urls.absolute(""),
            icon=urls.absolute("theme/img/logo.svg"),
            fallback_date=fallback_date(settings),
        )

    def _page(self, writer, sources, formats) -> None:
        """The German page listing every feed; drawn again only when the list changes."""
        shown = [(s.group, s.key, s.name, s.note, s.link) for s in sources]

        def draw() -> str:
            groups: dict[str, list[FeedSource]] = {}
            for source in sources:
                groups.setdefault(source.group, []).append(source)
            urls = SiteUrls.from_settings(self.settings)
            return self.get_template("feeds").render(
                self.context, page_path=PAGE, canonical=urls.absolute(PAGE), groups=list(groups.items()),
                formats=[(fmt, *FORMATS[fmt]) for fmt in formats])

        writer.page(PAGE + "index.html", draw, owner=OWNER, inputs=(formats, shown))


class FeedLinks:
    """`feed_links(listing)` in templates: the feeds a page announces in its <head>."""

    def __init__(self, settings: dict):
        self.settings = settings

    def __call__(self, listing=None) -> list[tuple[str, str, str]]:
        """(title, MIME type, site path) of the main feeds and, on a list page, the list's own."""
        formats = [f for f in DISCOVERY if f in self.settings["FEED_FORMATS"]]
        feeds = [(ALL, "Alle Meldungen")]
        if self.settings["FEED_PRESS_CHANNEL"]:
            feeds.append((PRESS, "Pressemitteilungen"))
        if listing is not None and getattr(listing, "kind", None) in LIST_KINDS:
            name = f"Thema {listing.name}" if listing.kind == "thema" else listing.name
            feeds.append((list_key(listing.base), name))
        return [(f"{name} ({FORMATS[fmt][2]})", FORMATS[fmt][1], feed_path(key, fmt))
                for key, name in feeds for fmt in formats]


def add_template_globals(generator) -> None:
    generator.env.globals.update(feed_links=FeedLinks(generator.settings), feed_path=feed_path)


def get_generators(_pelican):
    return FeedsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_template_globals)
