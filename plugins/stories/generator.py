"""StoriesGenerator: reads the archive, validates it as a whole, writes the news pages.

Work is planned against the last successful build's ArchiveState: only changed
files are parsed, and only pages that show something changed are rendered (see
plan.py). With no usable state (first build, other code, theme or settings) every
page is rendered; both ways end in the same bytes.
"""

from __future__ import annotations

import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from operator import attrgetter
from pathlib import Path

from markupsafe import Markup
from pelican.generators import Generator

from newsroom.build.state import ArchiveState, Card
from newsroom.build.timing import phase
from newsroom.content.history import GitHistory, locate
from newsroom.content.links import resolve_links
from newsroom.content.loader import load_stories, scan_in_background
from newsroom.content.reader import StoryVocabulary, check_media
from newsroom.content.story import GitDates, Story, shown_update_time
from newsroom.dates import BERLIN
from newsroom.errors import ContentError
from newsroom.media.library import MediaLibrary
from newsroom.site import SiteUrls

from .listings import Taxonomy, page_paths, paginate
from .reach import plan_story_pages
from .structured_data import story_document

logger = logging.getLogger("newsroom.stories")
TIME_ORDER = attrgetter("ts", "id")  # a sort key made in C: 25,000 cards are sorted on every build


def media_library(context: dict, settings: dict) -> MediaLibrary:
    """One media library per build, shared by every generator that needs it."""
    return MediaLibrary.for_build(context, settings)


class StoriesGenerator(Generator):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The stat() of every story file runs in a process of its own while the build loads its
        # state; asking git where HEAD is waits for git in a thread (forked first: no threads yet).
        content = Path(self.path)
        self._scan = self.context.get("story_scan") or scan_in_background(
            content / self.settings["STORIES_DIR"], content.parent)
        pool = ThreadPoolExecutor(1)
        self._git_where = pool.submit(locate, content)
        pool.shutdown(wait=False)  # the thread ends with its work: nothing lingers when workers fork

    def generate_context(self) -> None:
        settings = self.settings
        content = Path(self.path)
        self.now = settings["BUILD_NOW"]
        self.errors: list[ContentError] = self.context["content_errors"]
        self.cache = self.context["build_cache"]
        self.state: ArchiveState = self.context["archive_state"]
        with phase("git"):
            history = GitHistory.load(content, self.cache, known_head=self.state.git_head,
                                      located=self._git_where.result())
        if history.warning:
            logger.warning(history.warning)
            self.context["warnings"].append(history.warning)
        story_url = settings["STORY_URL"]
        self.vocabulary = StoryVocabulary.from_settings(settings)
        with phase("scan"):  # waits for the scan started in __init__
            scanned = self._scan()
        with phase("read"):
            self.loaded = load_stories(content / settings["STORIES_DIR"], content.parent, self.vocabulary,
                                       self.cache, self.state, lambda s: story_url.format(date=s.date, slug=s.slug),
                                       settings["BUILD_WORKERS"], scanned=scanned)
        self.errors.extend(self.loaded.errors)
        media = media_library(self.context, settings)
        cards = []
        # A few dozen media serve 25,000 stories: each reference is checked once, and only a
        # story that uses a failing one is checked again for its errors (file, line, field).
        passes: dict[str, bool] = {}
        for card in self.loaded.cards.values():
            checks = card.media_checks
            if checks and not all(passes.get(ref) or self._passes(ref, media, passes) for ref, _l, _f in checks):
                self.errors.extend(check_media(card.source, checks, media))
            else:
                cards.append(card)
        for source, checks in self.loaded.unchecked_media.items():  # files with other problems too
            self.errors.extend(check_media(source, checks, media))
        self.context["provisional_stories"] = self.loaded.provisional  # their channel posts are checked too
        with phase("check"):
            yielded = self._check_archive(cards)
        if yielded:  # a draft that shares a published story's id or address gives way
            cards = [c for c in cards if c.source not in yielded]
        # Drafts are never published: their problems are reported as warnings (newsroom.build.runner).
        self.context["draft_sources"] = self.loaded.broken_drafts | {
            c.source for c in self.loaded.cards.values() if c.status == "draft"}
        if history.unchanged:
            self.git = self.state.git
        else:
            self.git = history.by_source(content.parent, settings["PUBLIC_AUTHORS"])
        self.git_head = history.head

        cards.sort(key=TIME_ORDER, reverse=True)  # newest first
        now = self.now.timestamp()
        visible = [c for c in cards if c.status == "published" and c.ts <= now]  # Card.is_visible, inlined
        self.cards, self.visible = cards, visible
        self.by_id = {c.id: c for c in cards}
        self.context["all_stories"] = cards
        self.context["stories"] = visible
        self.context["full_story"] = self.full_story
        self.context.setdefault("sitemap", [])
        self.context["build_stats"] = {
            "stories": len(cards),
            "visible": len(visible),
            "drafts": [c.status for c in cards].count("draft"),
            "scheduled": sum(1 for c in cards if c.status == "published" and c.ts > now),
            "parsed": self.loaded.parsed,
            "pages_rendered": 0,
            "pages_kept": 0,
            "lists_planned": 0,  # lists whose pages were compared one by one; the others were kept whole
        }

    @staticmethod
    def _passes(reference: str, media, passes: dict[str, bool]) -> bool:
        passes[reference] = not check_media("", ((reference, None, None),), media)
        return passes[reference]

    def _check_archive(self, stories: list[Card]) -> set[str]:
        """What no single file can tell: unique ids and URLs, links that resolve. Returns the
        drafts that clash with another story; they are left out of this build."""
        by_id: dict[str, Card] = {}
        by_url: dict[str, Card] = {}
        linking = []
        yielded: set[str] = set()
        # Published stories first: a clash with a draft is the draft's problem, not the site's.
        for story in sorted(stories, key=lambda card: card.status == "draft"):
            first = by_id.setdefault(story.id, story)
            if first is not story:
                self.errors.append(ContentError(
                    story.source, f"Die id „{story.id}“ hat schon {first.source}. Jede Meldung braucht eine eigene id.",
                    field="id"))
                if story.status == "draft":
                    yielded.add(story.source)
            first = by_url.setdefault(story.url, story)
            if first is not story:
                self.errors.append(ContentError(
                    story.source, f"Die Adresse /{story.url} hätte auch {first.source}. Bitte Titel oder „slug“ ändern.",
                    field="slug"))
                if story.status == "draft":
                    yielded.add(story.source)
            if story.related_ids or story.story_refs:
                linking.append(story)
        self._check_former_ids(stories, by_id)
        for story in linking:
            for ref, where in [*((r, "related") for r in story.related_ids), *((r, None) for r in story.story_refs)]:
                target = by_id.get(ref)
                label = "Verwandte Meldung" if where else "Link story:"
                if target is None:
                    self.errors.append(ContentError(story.source, f"{label} „{ref}“: keine Meldung hat diese id.",
                                                    field=where))
                elif story.status == "published" and (target.status != "published" or target.ts > story.ts):
                    self.errors.append(ContentError(
                        story.source,
                        f"{label} „{ref}“ ({target.source}) ist bei Veröffentlichung dieser Meldung noch nicht "
                        "veröffentlicht; der Link liefe ins Leere.", field=where))
        return yielded

    def _check_former_ids(self, stories: list[Card], by_id: dict[str, Card]) -> None:
        """An earlier id is the key of a story's sends: it belongs to that story alone."""
        owner: dict[str, Card] = {}
        for story in stories:
            for former in story.former_ids:
                other = by_id.get(former) or owner.setdefault(former, story)
                if other is not story:
                    self.errors.append(ContentError(
                        story.source, f"Die frühere id „{former}“ gehört schon zu {other.source}. Eine id – ob "
                        "jetzige oder frühere – darf nur eine Meldung haben.", field="former_ids"))

    def full_story(self, card: Card) -> Story:
        """The complete story behind a card: parsed in this build or from the parse cache."""
        if card.source not in self.loaded.stories:
            self._preload([card])
        story = self.loaded.stories[card.source]
        dates = self.git.get(card.source)
        story.git = GitDates(datetime.fromtimestamp(dates[0], BERLIN), datetime.fromtimestamp(dates[1], BERLIN),
                             dates[2], dates[3]) if dates else GitDates()
        return story

    # -- output ------------------------------------------------------------------------

    def _emit(self, writer, path: str, signature, render, owner: str, stories=()) -> None:
        """Render `path` unless the live page was made from the same signature and none
        of the `stories` it lists has a new list entry."""
        # Kept as a short digest: 9,000 list pages' signatures would make the state load slowly.
        signature = self.new_pages[path] = hashlib.blake2b(repr(signature).encode(), digest_size=12).digest()
        if (self.state.pages.get(path) == signature and self.relisted.isdisjoint(c.id for c in stories)
                and writer.keep(path, owner=owner)):
            self.stats["pages_kept"] += 1
            return
        writer.defer(path, render, owner=owner)
        self.stats["pages_rendered"] += 1
        self.context["rendered_pages"].append(path)

    def generate_output(self, writer) -> None:
        settings = self.settings
        self.urls = SiteUrls.from_settings(settings)
        self.stats = self.context["build_stats"]
        self.new_pages: dict[str, bytes] = {}  # page path → digest of its signature
        with phase("taxonomy"):
            taxonomy = Taxonomy(self.visible, settings)
        self.env.globals.update(taxonomy=taxonomy)
        media = self.context["media_library"]
        # Every medium a page shows (lead image and those in the text), each looked up once (a
        # few dozen photos serve thousands of stories): a new description or file redraws the
        # pages that use it (plan.py), as story pages list all their media.
        distinct = {ref: card.source for card in self.visible for ref, _line, _field in card.media_checks}
        images = {ref: media.get(ref, source=source, line=None, field=None) for ref, source in distinct.items()}
        with phase("plan"):
            plan = plan_story_pages(self.state, self.visible, taxonomy, self.git, images, settings["RELATED_STORIES"])
        self.relisted = plan.relisted
        self.touched_lists = plan.touched_lists
        with phase("story pages"):
            self._story_pages(writer, plan.dirty, plan.related, images)
        with phase("list pages"):
            self._list_pages(writer, taxonomy)
        old = self.state
        new = self.context["new_archive_state"] = ArchiveState(
            fingerprint=self.context["build_fingerprint"], now=self.now.timestamp(), git_head=self.git_head,
            files=self.loaded.files, cards=self.loaded.cards, git=self.git, related=plan.related,
            pages=self.new_pages, media=images,
        )
        # An unchanged state need not be written again (at 25,000 stories that is most of a warm build).
        self.context["state_changed"] = not (
            new.git_head == old.git_head and new.files == old.files and new.pages == old.pages
            and new.related == old.related and new.media == old.media and new.git == old.git
            and not plan.dirty and not plan.relisted)

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
            year = card.month[0]
            entries = by_year.get(year)
            if entries is None:
                entries = by_year[year] = []
            entries.append((card.url, lastmod))
        parts = self.context.setdefault("sitemap_parts", {})
        for year, entries in by_year.items():
            parts.setdefault(str(year), []).extend(entries)
        clean = [card.url + "index.html" for card in self.visible if card.id not in dirty]
        missing = set(writer.keep_many(clean, owner="Meldungsseiten"))
        self.stats["pages_kept"] += len(clean) - len(missing)
        chosen = {story_id: self.by_id[story_id] for story_id in dirty}
        if missing:
            chosen.update((card.id, card) for card in self.visible if card.save_as in missing)
        redraw = sorted(chosen.values(), key=lambda c: (c.ts, c.id), reverse=True)
        self._preload(redraw)
        for card in redraw:
            story = self.full_story(card)
            image = images.get(story.image)

            def render(story=story, image=image, others=related[card.id]):
                return story_template.render(
                    self._page_context(story.url), story=story, body=Markup(self.resolve_links(story.body_html)),
                    easy=Markup(self.resolve_links(story.easy_html)) if story.easy_html else None,
                    image=image, related=[self.by_id[i] for i in others],
                    document=story_document(story, image, self.urls, settings))

            writer.defer(card.save_as, render, owner=card.source)
            self.stats["pages_rendered"] += 1
            self.context["rendered_pages"].append(card.save_as)

    def _preload(self, cards: list[Card]) -> None:
        """Fetch the full stories of these cards from the parse cache in one query."""
        wanted = {c.digest: c for c in cards if c.source not in self.loaded.stories}
        records = self.cache.stories(sorted(wanted), self.vocabulary.fingerprint())
        for digest, card in wanted.items():
            self.loaded.stories[card.source] = records[digest].placed(card.source, card.url)

    def _list_pages(self, writer, taxonomy: Taxonomy) -> None:
        settings, sitemap = self.settings, self.context["sitemap"]
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
            sitemap.append(_sitemap_entry(listing))

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
            sitemap.append((path, None))

        archive_template = self.get_template("archive")
        years = taxonomy.years()
        shape = tuple((y, tuple((m.name, m.base, len(m.stories)) for m in months)) for y, months in years)
        self._emit(writer, "archiv/index.html", shape,
                   lambda: archive_template.render(self._page_context("archiv/"), years=years, year=None),
                   owner="Archiv")
        sitemap.append(("archiv/", None))
        for (year, months), (_y, months_shape) in zip(years, shape):
            path = f"archiv/{year}/"
            self._emit(writer, path + "index.html", (year, months_shape),
                       lambda path=path, year=year, months=months: archive_template.render(
                           self._page_context(path), years=years, year=year, months=months),
                       owner=f"Archiv {year}")
            sitemap.append((path, None))

        latest = self.visible[: settings["HOME_LATEST"] + 1]
        themen = [t for t in taxonomy.themen if t.stories]
        self._emit(
            writer, "index.html",
            (tuple(c.id for c in latest), tuple((t.name, t.base, len(t.stories)) for t in themen)),
            lambda: self.get_template("index").render(
                self._page_context(""), lead=latest[0] if latest else None, latest=latest[1:], themen=themen),
            owner="Startseite", stories=latest,
        )
        sitemap.append(("", self.visible[0].ts if self.visible else None))

    def _keep_list(self, writer, listing, per_page: int) -> bool:
        """Keep the pages of a list no change reached, with their signatures of last time
        (computing them again costs more than all else at 25,000 stories); False if any
        page was not live, then the list is planned page by page."""
        paths = [path + "index.html" for path in page_paths(listing, per_page)]
        signatures = [self.state.pages.get(path) for path in paths]
        if None in signatures or writer.keep_many(paths, owner=f"Liste {listing.heading}", strict=True):
            return False
        self.new_pages.update(zip(paths, signatures))
        self.stats["pages_kept"] += len(paths)
        self.context["sitemap"].append(_sitemap_entry(listing))
        return True

    def _page_context(self, path: str) -> dict:
        return {**self.context, "page_path": path, "canonical": self.urls.absolute(path)}

    def resolve_links(self, html: str) -> str:
        return resolve_links(html, self.urls, lambda story_id: self.by_id[story_id].url)


def _sitemap_entry(listing) -> tuple:
    """A list is in the sitemap by its own address (its first page, with its newest story);
    its older pages (seite/N/) show only stories the sitemap names anyway, and a new story
    would otherwise change thousands of sitemap entries."""
    return (listing.base, listing.stories[0].ts if listing.stories else None)
