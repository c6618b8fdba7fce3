"""media_portal: the Medienportal for journalists: every photo, video and document below
content/media/ with its description, renditions, downloads, albums and filters.

A generator that offers the Media RSS feed, the media's pages and channel renditions to
the other plugins (its PLUGIN declaration; BuildContext.offer_feed, offer_media_pages).
Its reading half runs in `generate_context`, so a broken file stops `invoke check` and
`invoke build` before anything is written: every item is read and checked, and every
missing rendition is drawn into the cache (CACHE_PATH, outside output/). The writing
half copies renditions and draws only pages whose inputs changed (SiteWriter.page).
`generator_init` gives every template `media_portal` (story pages show their media).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from newsroom.build.context import KEY, of
from newsroom.build.timing import phase
from newsroom.dates import BERLIN, german_date
from newsroom.errors import ContentError, ContentErrors
from newsroom.media.album_zip import album_zip
from newsroom.media.crops import PAGE_PURPOSE, crops_from_settings, purposes_for
from newsroom.media.embedded_rights import EmbeddedRights
from newsroom.media.library import MediaItem, MediaLibrary
from newsroom.media.originals import published_original, published_size, signature
from newsroom.media.renditions import Rendition, RenditionCache, RenditionSettings, crop_drawer, web_drawer
from newsroom.media.rights_ending import ending_soon, warning
from newsroom.settings import default
from newsroom.site import SiteUrls

from .feed import media_feed
from .portal import (
    HOME_ALBUMS,
    HOME_ITEMS,
    PORTAL,
    STORIES_SHOWN,
    Entry,
    Image,
    Portal,
    StoryLink,
    check_addresses,
    item_url,
    rendition_path,
    story_links,
)
from .readme import album_readme

logger = logging.getLogger("newsroom.media_portal")
OWNER = "Medienportal"


class MediaPortalGenerator(Generator):
    def generate_context(self) -> None:
        settings = self.settings
        build = self.build = of(self.context)
        errors: list[ContentError] = build.errors
        known = {str(e) for e in errors}
        library = build.media
        with phase("media scan"):
            items, problems = library.scan()
        # A medium whose rights ended (`rechte_bis`) leaves the portal, its feed and output/ on the day after.
        items = [item for item in items if not item.expired(library.today)]
        if library.today is not None:  # printed by `invoke check` and `invoke build` (WARNUNG), shown on the desk
            for item, days in ending_soon(items, library.today, settings["MEDIA_RIGHTS_WARN_DAYS"]):
                logger.warning(warning(item, days))
                build.warnings.append(warning(item, days))
        visible = build.stories
        urls = SiteUrls.from_settings(settings)
        using = story_links(visible, {item.path for item in items})
        self.renditions = RenditionCache(Path(settings["CACHE_PATH"] or default("CACHE_PATH")) / "renditions")
        with phase("renditions"):
            images, drawing_errors = self._renditions(items, library)
            crops = self._crops(library, build.all_stories, build.crisis)
        entries = []
        for item in items:
            cards = using.get(item.path, [])
            themen = tuple(sorted(set(item.themen) | {c.category for c in cards}, key=str.casefold))
            stories = tuple(StoryLink(c.id, c.title, c.url, c.ts) for c in cards[:STORIES_SHOWN])
            page = item_url(item.path)
            entries.append(Entry(item, page, images.get(item.poster or item.path), themen, stories, len(cards),
                                 published_size(item, urls.absolute(page)) if item.facts else None))
        problems += drawing_errors + check_addresses(entries, lambda p: library.display(library.root / p))
        errors.extend(p for p in problems if str(p) not in known)
        self.portal = Portal([e for e in entries if e.item.path not in self.broken], settings)
        build.offer_media_pages(PortalPages(self.portal, crops, SiteUrls.from_settings(settings)))
        build.offer_feed(media_feed(self.portal, settings, build.archive.git,  # written by the feeds plugin
                                    lambda path: library.display(library.root / path)))
        stats = build.stats
        stats["media_items"] = len(self.portal.entries)
        stats["media_files_read"] = library.facts.read
        stats["media_photos_drawn"] = self.renditions.made

    # -- renditions ------------------------------------------------------------------------

    def _renditions(self, items: list[MediaItem], library: MediaLibrary) -> tuple[dict, list]:
        """media path → Image for every photo and poster; draws what the cache lacks."""
        settings = RenditionSettings.from_settings(self.settings)
        # (item, facts, rights): a poster is described by its video (credit and terms are the video's).
        wanted: dict[str, tuple[MediaItem | None, object, EmbeddedRights]] = {}
        poster_errors: list[ContentError] = []
        for item in items:
            if item.kind == "photo":
                wanted[item.path] = (item, item.facts, self._rights(item))
            if item.poster and item.poster not in wanted:
                target = library.root / item.poster
                try:
                    wanted[item.poster] = (None, library.facts.get(item.poster, target, library.display(target),
                                                                   "photo"), self._rights(item))
                except ContentError as exc:
                    poster_errors.append(exc)
        keys = {path: settings.key(rights=rights) for path, (_item, _facts, rights) in wanted.items()}
        found, jobs = {}, []
        for path, (item, facts, rights) in wanted.items():
            made = self.renditions.lookup(facts.digest, keys[path])
            if made is None:
                shown = library.display(library.root / path)
                jobs.append((facts.digest, keys[path], library.root / path, shown,
                             web_drawer(settings, facts.width, shown, rights)))
            else:
                found[path] = made
        made, errors = self.renditions.make_all(jobs, self.settings["BUILD_WORKERS"])
        self.broken = {path for path, (_i, facts, _r) in wanted.items()
                       if path not in found and (facts.digest, keys[path]) not in made}
        images = {}
        for path, (item, facts, _rights) in wanted.items():
            renditions = found.get(path) or made.get((facts.digest, keys[path]))
            if not renditions:
                continue
            ordered = sorted(renditions, key=lambda r: (r.width, r.format))
            alt = item.alt if item else ""
            images[path] = Image(tuple((r, rendition_path(facts.digest, path, r, keys[path])) for r in ordered),
                                 alt or "")
        self.rendition_files = {
            site: self.renditions.path(wanted[path][1].digest, keys[path]) / r.name
            for path, image in images.items() for r, site in image.renditions}
        return images, poster_errors + errors

    def _rights(self, item: MediaItem) -> EmbeddedRights:
        """What the files drawn of `item` say of themselves: credit, terms, caption, its page."""
        return EmbeddedRights.of(item, SiteUrls.from_settings(self.settings).absolute(item_url(item.path)))

    def _crops(self, library: MediaLibrary, cards: list, crisis) -> dict[str, dict]:
        """path → {purpose: (Rendition, site path, file)}: the crops of every lead image that
        its stories' channels and the story page's og:image need (newsroom/media/crops.py);
        scheduled stories too, their previews are checked now. All crops of a photo come from
        one decoding, in one cache folder keyed by their sizes and the photo's focus point."""
        crops = crops_from_settings(self.settings)
        limit = self.settings["SOCIAL_CROP_MAX_BYTES"]
        rendition_settings = RenditionSettings.from_settings(self.settings)
        wanted: dict[str, set[str]] = {}
        by_channels: dict[tuple, set[str]] = {}  # a few combinations of channels among 100,000 stories
        leads = [(c.image, c.channels) for c in cards if c.image]
        if crisis:
            leads.append((crisis.image, crisis.channels))
        for path, channels in leads:
            try:  # the lead image as shown on the build's day: once its rights ended, its replacement
                item = library.shown(path, source=path, line=None, field=None) if path else None
            except (ContentError, ContentErrors):
                item = None  # reported by the story's own check
            path = item.path if item else None
            if path:
                purposes = by_channels.get(channels)
                if purposes is None:
                    purposes = by_channels[channels] = purposes_for(channels, self.settings)
                wanted.setdefault(path, set()).update(purposes)
        jobs, found = [], {}
        for path in sorted(wanted):
            try:
                item = library.get(path, source=path, line=None, field=None)
            except (ContentError, ContentErrors):
                continue  # reported by the story's own check
            if item.kind != "photo":
                continue
            chosen = [crops[purpose] for purpose in sorted(wanted[path])]
            facts = item.facts
            rights = self._rights(item)
            key = rendition_settings.key(f"crops:{chosen}:{item.focus}:{limit}", rights)
            found[path] = (facts.digest, key)
            if self.renditions.lookup(facts.digest, key) is None:
                shown = library.display(library.root / path)
                jobs.append((facts.digest, key, library.root / path, shown,
                             crop_drawer(chosen, item.focus, limit, shown, (facts.width, facts.height), rights)))
        self.renditions.make_all(jobs, self.settings["BUILD_WORKERS"])  # a broken photo: its web renditions say so
        drawn: dict[str, dict] = {}
        for path, (digest, key) in found.items():
            for rendition in self.renditions.lookup(digest, key) or ():
                site = rendition_path(digest, path, rendition, key)
                self.rendition_files[site] = self.renditions.path(digest, key) / rendition.name
                purpose = rendition.name.removesuffix(".jpg")
                drawn.setdefault(path, {})[purpose] = (rendition, site, self.rendition_files[site])
        return drawn

    # -- output ----------------------------------------------------------------------------

    def generate_output(self, writer) -> None:
        settings, build = self.settings, self.build
        urls = SiteUrls.from_settings(settings)
        # A rendition's cache folder names its source's hash and the settings, so it stands
        # for the bytes: the same name live means the same file; otherwise its bytes are
        # compared with the live file's (a lost cache draws the same bytes again).
        for site, cached in sorted(self.rendition_files.items()):
            writer.page(site, cached.read_bytes, owner=OWNER, inputs=f"{cached.parent.name}/{cached.name}")

        def emit(path: str, signature, render) -> None:
            writer.page(path, render, owner=OWNER, inputs=signature)

        portal, sitemap = self.portal, build.sitemap
        page = self._page
        latest = portal.entries[:HOME_ITEMS]
        emit(PORTAL + "index.html", (latest, portal.overview()),
             lambda: page("media/portal", PORTAL, latest=latest, albums=portal.albums[:HOME_ALBUMS]))
        sitemap.add(PORTAL, None, "medien")
        for listing in portal.listings():
            emit(listing.url + "index.html", (listing.kind, listing.name, listing.entries, listing.description),
                 lambda listing=listing: page("media/listing", listing.url, group=listing))
            sitemap.add(listing.url, None, "medien")
        for kind, path, title in (("tag", "schlagworte/", "Schlagworte"), ("thema", "themen/", "Themen"),
                                  ("year", "jahre/", "Jahre"), ("album", "alben/", "Alben"),
                                  ("series", "reihen/", "Reihen")):
            lists = [l for l in portal.listings() if l.kind == kind]
            shape = tuple((l.name, l.url, len(l.entries)) for l in lists)
            emit(PORTAL + path + "index.html", (kind, shape),
                 lambda path=path, title=title, lists=lists: page("media/terms", PORTAL + path, title=title,
                                                                  lists=lists))
            sitemap.add(PORTAL + path, None, "medien")
        for entry in portal.entries:
            emit(entry.url + "index.html", entry, lambda entry=entry: page("media/item", entry.url, entry=entry))
            sitemap.add(entry.url, None, "medien")
        media_root = Path(self.path) / settings["MEDIA_DIR"]
        for album in portal.albums:
            files = self._album_files(album, media_root)
            emit(album.zip_path, ("zip", [(n, s) for n, s, _f in files]),
                 lambda album=album, files=files: album_zip(
                     [(n, f() if callable(f) else f) for n, _s, f in files]
                     + [("LIESMICH.txt", album_readme(album, urls, settings))]))

        def prune() -> None:  # old renditions go only once the pages that use them are gone
            removed = self.renditions.prune()
            if removed:
                logger.info("Medienportal: %d veraltete Bildfassungen aus dem Zwischenspeicher entfernt.", removed)

        build.after_commit(prune)

    def _album_files(self, album, media_root: Path) -> list[tuple[str, tuple, Path]]:
        """(name in the ZIP, signature, file) of the album's photos and documents: the
        original where it may be passed on, else the largest web JPEG."""
        files = []
        for entry in album.entries:
            item = entry.item
            if item.kind not in ("photo", "document"):
                continue
            name = Path(item.path).name
            if item.original:
                page = SiteUrls.from_settings(self.settings).absolute(entry.url)
                files.append((name, signature(item, page),
                              lambda item=item, page=page: published_original(item, media_root / item.path, page)))
            elif entry.image:
                rendition, site = entry.image.largest("jpg")
                files.append((f"{Path(name).stem}.jpg", (site,), self.rendition_files[site]))
        return files

    def _page(self, template: str, path: str, **values) -> str:
        urls = SiteUrls.from_settings(self.settings)
        return self.get_template(template).render(
            self.context, page_path=path, canonical=urls.absolute(path), portal=self.portal, **values)


class PortalPages:
    """What the portal offers the channels (BuildContext.media_pages): a medium's page, and the
    crops of a lead image drawn for the channels (newsroom/media/crops.py)."""

    def __init__(self, portal: Portal, crops: dict[str, dict], urls: SiteUrls):
        self.portal = portal
        self.crops = crops  # path → {purpose: (Rendition, site path, file)}
        self._urls = urls

    def page(self, path: str) -> str | None:
        return item_url(path) if path in self.portal.by_path else None

    def renditions(self, path: str) -> dict:
        return {purpose: (self._urls.absolute(site), file)
                for purpose, (_rendition, site, file) in self.crops.get(path, {}).items()}


class MediaPortalView:
    """`media_portal` in templates: the portal's pictures and pages for story pages."""

    def __init__(self, context: dict):
        self.context = context

    @property
    def _portal(self) -> Portal | None:
        pages = self.context[KEY].media_pages if KEY in self.context else None
        return pages.portal if isinstance(pages, PortalPages) else None

    def entry(self, path: str | None) -> Entry | None:
        portal = self._portal
        return portal.by_path.get(path) if portal and path else None

    def crop(self, path: str | None, purpose: str = PAGE_PURPOSE) -> tuple[Rendition, str] | None:
        """(Rendition, site path) of a lead image's crop, e.g. the link card for og:image."""
        pages = self.context[KEY].media_pages if KEY in self.context else None
        found = pages.crops.get(path, {}).get(purpose) if isinstance(pages, PortalPages) and path else None
        return found[:2] if found else None

    def lead_path(self, path: str | None) -> str | None:
        """The file a story card shows for its lead image on the build's day: the image, its replacement
        once its rights ended, or None (MediaLibrary.shown)."""
        library = self.context[KEY].media if KEY in self.context else None
        if not path or library is None:
            return path
        try:
            item = library.shown(path, source=path, line=None, field=None)
        except (ContentError, ContentErrors):
            return path  # the story's own check names it
        return item.path if item else None

    def story_media(self, story) -> list[Entry]:
        """The portal entries a story uses: lead image first, then in the order of its text."""
        seen = dict.fromkeys([story.image, *story.media_refs] if story.image else story.media_refs)
        return [e for e in map(self.entry, seen) if e is not None]


def file_size(size: int) -> str:
    """German file size: '840 kB', '3,2 MB'."""
    if size < 1000:
        return f"{size} Byte"
    if size < 1_000_000:
        return f"{round(size / 1000)} kB"
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")


def play_time(seconds: float | None) -> str:
    """German playing time: '0:06 Min.', '2:05 Min.', '1:02:05 Std.'."""
    total = round(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d} Std." if hours else f"{minutes}:{seconds:02d} Min."


def iso_date(value: str) -> str:
    """'2025-04-08' → '8. April 2025'."""
    year, month, day = map(int, value.split("-"))
    return german_date(datetime(year, month, day, tzinfo=BERLIN))


def add_template_globals(generator) -> None:
    generator.env.globals["media_portal"] = MediaPortalView(generator.context)
    generator.env.filters.update(dateigroesse=file_size, spieldauer=play_time, media_datum=iso_date)


def get_generators(_pelican):
    return MediaPortalGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_template_globals)
