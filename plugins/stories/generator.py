"""StoriesGenerator: the news pages (stories, lists, archive, home page) of the loaded archive.

Story pages are planned against the last successful build's state (reach.py: what a change
can reach); list pages go by the digest of what they show (SiteWriter.page). With no usable
state (first build, --full, other code, theme or settings) every page is rendered; both ways
end in the same bytes.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import NamedTuple

from markupsafe import Markup
from pelican.generators import Generator

from newsroom.build.context import of
from newsroom.build.state import ArchiveState
from newsroom.build.timing import phase
from newsroom.content.links import resolve_links
from newsroom.content.story import shown_update_time
from newsroom.crisis.model import active_crisis
from newsroom.errors import PublishError
from newsroom.publishing.press_numbers import recorded_numbers
from newsroom.share_links import share_links
from newsroom.site import SiteUrls, gone_marker

from .drafts import DraftPages
from .listings import Taxonomy, page_paths, paginate
from .reach import plan_story_pages
from .short_urls import ShortUrls, story_root, year_and_month
from .structured_data import story_document

logger = logging.getLogger("newsroom.stories")


class PressRelease(NamedTuple):
    """What a story page says of its press release: „Pressemitteilung PM 123/2026 vom …“."""

    number: str
    issued: datetime | None


class StoriesGenerator(Generator):
    """The news pages of the archive the build's core loaded (newsroom/content/archive.py)."""

    def generate_context(self) -> None:
        build = self.build = of(self.context)
        archive = self.archive = build.archive
        self.now = build.now
        self.state: ArchiveState = build.previous
        self.git = archive.git
        self.cards, self.visible, self.by_id = archive.cards, archive.visible, archive.by_id
        build.press = self._press_numbers()
        build.stats.update(pages_rendered=0, pages_kept=0,
                           lists_planned=0)  # lists whose pages were compared one by one; the others were kept whole

    def _press_numbers(self) -> dict:
        """Story key → the number of its press release that went out (shown on its page)."""
        try:
            return recorded_numbers(self.settings, self.build.cache, self.build.receipts_revision,
                                    self.state.press)
        except PublishError as exc:  # the pages keep what they show; the publish run stops on it
            logger.warning("Nummern der Pressemitteilungen nicht gelesen: %s", exc)
            self.build.warnings.append(str(exc))
            return dict(self.state.press)

    # -- output ------------------------------------------------------------------------

    def _emit(self, writer, path: str, signature, render, owner: str, stories=()) -> None:
        """Render `path` unless the live page was made from the same signature and none
        of the `stories` it lists has a new list entry."""
        if writer.page(path, render, owner=owner, inputs=signature,
                       changed=not self.relisted.isdisjoint(c.id for c in stories)):
            self.stats["pages_rendered"] += 1
        else:
            self.stats["pages_kept"] += 1

    def generate_output(self, writer) -> None:
        settings = self.settings
        self.urls = SiteUrls.from_settings(settings)
        self.stats = self.build.stats
        root = story_root(settings["STORY_URL"])
        self.short = ShortUrls(root) if root and root != "archiv/" else None  # never over the archive itself
        with phase("taxonomy"):
            taxonomy = Taxonomy(self.visible, settings)
        self.env.globals.update(taxonomy=taxonomy)
        media = self.build.media
        # Every medium a page shows (lead image and those in the text), each looked up once (a
        # few dozen photos serve thousands of stories): a new description or file redraws the
        # pages that use it (plan.py), as story pages list all their media.
        distinct = {ref: card.source for card in self.visible for ref, _line, _field in card.media_checks}
        # The item each shows on the build's day: its replacement once its rights ended, or None.
        images = {ref: media.shown(ref, source=source, line=None, field=None) for ref, source in distinct.items()}
        with phase("plan"):
            plan = plan_story_pages(self.state, self.visible, taxonomy, self.git, images, settings["RELATED_STORIES"])
        plan.dirty |= self._renumbered() | self._retranslated()
        self.relisted = plan.relisted
        self.touched_lists = plan.touched_lists
        with phase("story pages"):
            self._story_pages(writer, plan.dirty, plan.related, images)
            self._withdrawn_pages(writer)
        with phase("list pages"):
            self._list_pages(writer, taxonomy)
        # What the next build plans with (reach.py); the core saves it with the pages' digests.
        self.build.related, self.build.images = plan.related, images
        self.build.pages_touched = bool(plan.dirty or plan.relisted)
        # Drafts go beside the site, never into it: drawn once this build's pages are live.
        self.build.after_commit(DraftPages(self).draw)

    def _retranslated(self) -> set[str]:
        """Visible stories whose translations shown (languages, addresses) changed since the last build:
        their pages name them (hreflang, the language switch)."""
        new, old = self.archive.translations.alternates, self.state.alternates
        if new == old:
            return set()
        return {i for i in new.keys() | old.keys() if new.get(i) != old.get(i) and i in self.by_id
                and self.by_id[i].is_visible(self.now.timestamp())}

    def _renumbered(self) -> set[str]:
        """Visible stories whose press number is new (or gone) since the last build."""
        new, old = self.build.press, self.state.press
        if new == old:
            return set()
        keys = {key for key in new.keys() | old.keys() if new.get(key) != old.get(key)}
        return {card.id for card in self.visible if card.key in keys}

    def _story_pages(self, writer, dirty: set[str], related: dict, images: dict) -> None:
        settings = self.settings
        story_template = self.get_template("story")
        # Once per visible story on every build, so written for speed: locals, no properties.
        # The sitemap gets them grouped by year already (its parts), not as 25,000 loose entries.
        git_of = self.git.get
        by_year: dict[int, list] = {}
        for card in self.visible:
            dates = git_of(card.source)
            lastmod = (shown_update_time(card.ts, dates[1], dates[3]) or card.ts) if dates else card.ts
            if card.noted_ts is not None and card.noted_ts > lastmod:  # Story.updated: a change note counts
                lastmod = card.noted_ts
            year = card.month[0]
            entries = by_year.get(year)
            if entries is None:
                entries = by_year[year] = []
            entries.append((card.url, lastmod))
        for year, entries in by_year.items():
            self.build.sitemap.add_grouped(str(year), entries)
        clean = [card.url + "index.html" for card in self.visible if card.id not in dirty]
        missing = set(writer.keep_many(clean, owner="Meldungsseiten"))
        self.stats["pages_kept"] += len(clean) - len(missing)
        chosen = {story_id: self.by_id[story_id] for story_id in dirty}
        if missing:
            chosen.update((card.id, card) for card in self.visible if card.save_as in missing)
        redraw = sorted(chosen.values(), key=lambda c: (c.ts, c.id), reverse=True)
        self.archive.preload(redraw)  # here, not in the render processes: one query, before they fork
        for card in redraw:
            # The story with its git dates is made when its page is drawn, not held for every page
            # until then (at 100,000 stories, 130 MB).
            def render(card=card, others=related[card.id], press=self._press(card)):
                story = self.archive.full_story(card)
                image = images.get(story.image)
                return story_template.render(
                    self._page_context(story.url), story=story,
                    body=Markup(self.resolve_links(story.body_html, story.source)),
                    press=press,
                    easy=Markup(self.resolve_links(story.easy_html, story.source)) if story.easy_html else None,
                    image=image, related=[self.by_id[i] for i in others], withdrawal=None,
                    share=share_links(settings["SHARE_LINKS"], self.urls.absolute(story.url), story.title,
                                      f"Eine Meldung der {settings['SITE_SHORTNAME']}."),
                    document=story_document(story, image, self.urls, settings),
                    alternates=self.archive.translations.alternates.get(story.id))

            writer.page(card.save_as, render, owner=card.source, changed=True)  # reach.py planned it
            self.stats["pages_rendered"] += 1

    def _withdrawn_pages(self, writer) -> None:
        """A withdrawn story keeps its address: its page with the notice (and, unless it is gone,
        its text), in no list, feed, sitemap or search index. Few of them: each is signed by
        everything it shows rather than planned (reach.py looks at the visible stories). A gone
        one also gets its empty marker (newsroom/site.py: the web server answers 410 while it is
        there); the marker leaves with the next build that finds the story no longer gone."""
        settings, media = self.settings, self.build.media
        story_template = self.get_template("story")
        # `gone` is in the story's file, not its card: read from the parse cache, one query for all.
        self.archive.preload(self.archive.withdrawn)
        for card in self.archive.withdrawn:
            withdrawal = self.archive.parsed(card).withdrawal
            if withdrawal is not None and withdrawal.gone:
                writer.page(gone_marker(card.save_as, self.urls.prefix), lambda: b"", owner=card.source,
                            inputs=("gone", card.url))
            images = {ref: media.shown(ref, source=card.source, line=None, field=None)
                      for ref, _line, _field in card.media_checks}
            links = tuple((ref, self.by_id[ref].url) for ref in card.story_refs)
            press = self._press(card)
            inputs = (tuple(card), self.git.get(card.source), tuple(images.items()), links,
                      *((tuple(press),) if press else ()))

            def render(card=card, images=images, press=press):
                story = self.archive.full_story(card)
                image = images.get(story.image)
                gone = story.withdrawal.gone
                return story_template.render(
                    self._page_context(story.url), story=story, withdrawal=story.withdrawal, press=press,
                    body=None if gone else Markup(self.resolve_links(story.body_html, story.source)),
                    easy=(Markup(self.resolve_links(story.easy_html, story.source))
                          if story.easy_html and not gone else None),
                    image=None if gone else image, related=[],
                    document=None if gone else story_document(story, image, self.urls, settings))

            if writer.page(card.save_as, render, owner=card.source, inputs=inputs):
                self.stats["pages_rendered"] += 1
            else:
                self.stats["pages_kept"] += 1

    def _list_pages(self, writer, taxonomy: Taxonomy) -> None:
        settings, sitemap = self.settings, self.build.sitemap
        list_template = self.get_template("list")
        per_page = settings["LIST_PAGE_SIZE"]
        for listing in taxonomy.lists():
            if listing.base not in self.touched_lists and self._keep_list(writer, listing, per_page):
                continue
            pages = paginate(listing, per_page)
            self.stats["lists_planned"] += 1
            for page in pages:
                self._emit(
                    writer, page.url + "index.html", page.signature(),
                    lambda page=page, listing=listing: list_template.render(
                        self._page_context(page.url), listing=listing, page=page),
                    owner=f"Liste {listing.heading}", stories=page.items,
                )
            if listing.kind == "monat" and self.short:
                self._short_month(writer, list_template, pages[0])
            sitemap.add(*_sitemap_entry(listing))

        for kind, path, title in [
            ("thema", "themen/", "Themen"), ("amt", "aemter/", "Ämter"),
            ("bezirk", "stadtbezirke/", "Stadtbezirke"), ("tag", "schlagworte/", "Schlagworte"),
        ]:
            lists = [lst for lst in taxonomy.lists() if lst.kind == kind]
            self._emit(
                writer, path + "index.html",
                tuple((t.name, t.base, t.description, len(t.stories)) for t in lists),
                lambda path=path, kind=kind, title=title, lists=lists: self.get_template("overview").render(
                    self._page_context(path), kind=kind, title=title, lists=lists),
                owner=f"Übersicht {title}",
            )
            sitemap.add(path)

        archive_template = self.get_template("archive")
        years = taxonomy.years()
        shape = tuple((y, tuple((m.name, m.base, len(m.stories)) for m in months)) for y, months in years)
        self._emit(writer, "archiv/index.html", shape,
                   lambda: archive_template.render(self._page_context("archiv/"), years=years, year=None),
                   owner="Archiv")
        sitemap.add("archiv/")
        short = self.short
        if short:  # short_urls.py: the same pages at the shortened addresses, not in the sitemap
            self._emit(writer, short.root + "index.html", ("kurz", shape),
                       lambda: archive_template.render(self._page_context(short.root, canonical="archiv/"),
                                                       years=years, year=None, trail=short.trail()),
                       owner="Kurzadresse Aktuelles")
        for (year, months), (_y, months_shape) in zip(years, shape):
            path = f"archiv/{year}/"
            self._emit(writer, path + "index.html", (year, months_shape),
                       lambda path=path, year=year, months=months: archive_template.render(
                           self._page_context(path), years=years, year=year, months=months),
                       owner=f"Archiv {year}")
            sitemap.add(path)
            if short:
                self._emit(writer, short.year(year) + "index.html", ("kurz", year, months_shape),
                           lambda path=path, year=year, months=months: archive_template.render(
                               self._page_context(short.year(year), canonical=path), years=years, year=year,
                               months=months, trail=short.trail(year)),
                           owner=f"Kurzadresse {year}")

        latest = self.visible[: settings["HOME_LATEST"] + 1]
        themen = [t for t in taxonomy.themen if t.stories]
        # While a crisis is active (content/krise.yml) the home page leads with it.
        crisis = active_crisis(self.build.crisis, self.now)
        shown = (tuple(c.id for c in latest), tuple((t.name, t.base, len(t.stories)) for t in themen),
                 self._sign_video_shown())
        self._emit(
            writer, "index.html", shown + (crisis.shown(self.now),) if crisis else shown,
            lambda: self.get_template("index").render(
                self._page_context(""), lead=latest[0] if latest else None, latest=latest[1:], themen=themen,
                crisis=crisis, crisis_update=crisis.latest_update(self.now) if crisis else None,
                sign_video=self.build.home_sign_video[1] if self.build.home_sign_video else None),
            owner="Startseite", stories=latest,
        )
        sitemap.add("", self.visible[0].ts if self.visible else None)

    def _sign_video_shown(self) -> tuple:
        """What the home page shows of its video in Gebärdensprache: the file, its description and
        its poster (the item holds their digests), so a new take or poster redraws the home page."""
        if not self.build.home_sign_video:
            return ()
        source, video = self.build.home_sign_video
        return (repr(self.build.media.get(video, source=source, line=None, field="dgs_video")),)

    def _keep_list(self, writer, listing, per_page: int) -> bool:
        """Keep the pages of a list no change reached, with their signatures of last time
        (computing them again costs more than all else at 25,000 stories); False if any
        page was not live, then the list is planned page by page."""
        paths = [path + "index.html" for path in page_paths(listing, per_page)]
        if listing.kind == "monat" and self.short:
            paths.append(self.short.month(listing) + "index.html")
        if not writer.keep_recorded(paths, owner=f"Liste {listing.heading}"):
            return False
        self.stats["pages_kept"] += len(paths)
        self.build.sitemap.add(*_sitemap_entry(listing))
        return True

    def _short_month(self, writer, list_template, first) -> None:
        """aktuelles/<YYYY>/<MM>/: the first page of a month's list at the shortened address, its
        links (older pages) and canonical address those of the archive (short_urls.py)."""
        listing, short = first.listing, self.short
        path = short.month(listing)
        year, _month = year_and_month(listing)
        self._emit(
            writer, path + "index.html", ("kurz", *first.signature()),
            lambda: list_template.render(self._page_context(path, canonical=listing.base), listing=listing,
                                         page=first, trail=short.trail(year, listing)),
            owner=f"Kurzadresse {listing.heading}", stories=first.items,
        )

    def _press(self, card) -> PressRelease | None:
        found = self.build.press.get(card.key)
        if found is None:
            return None
        number, issued = found
        return PressRelease(number, datetime.fromisoformat(issued) if issued else None)

    def _page_context(self, path: str, canonical: str | None = None) -> dict:
        """`canonical`: the site path of the page this one duplicates, if any."""
        return {**self.context, "page_path": path, "canonical": self.urls.absolute(canonical or path)}

    def resolve_links(self, html: str, source: str) -> str:
        media = self.build.media
        return resolve_links(html, self.urls, lambda story_id: self.by_id[story_id].url,
                             media_shown=lambda path: media.shown_path(path, source))


def _sitemap_entry(listing) -> tuple:
    """A list is in the sitemap by its own address (its first page, with its newest story);
    its older pages (seite/N/) show only stories the sitemap names anyway, and a new story
    would otherwise change thousands of sitemap entries."""
    return (listing.base, listing.stories[0].ts if listing.stories else None)
