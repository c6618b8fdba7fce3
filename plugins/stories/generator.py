"""StoriesGenerator: reads every story, validates the archive as a whole, writes pages.

Each page is emitted with an input key (everything it shows); a page whose key is
unchanged since the last successful build is kept without rendering.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from pathlib import Path

from markupsafe import Markup
from pelican.generators import Generator

from newsroom.errors import ContentError
from newsroom.history import GitHistory
from newsroom.markup import resolve_placeholders
from newsroom.media import MediaLibrary
from newsroom.reader import StoryVocabulary, check_media
from newsroom.site import SiteUrls
from newsroom.story import Story
from newsroom.story_loader import load_stories

from .listings import Taxonomy, paginate
from .related import RelatedIndex
from .structured_data import story_document

logger = logging.getLogger("newsroom.stories")


def media_library(context: dict, settings: dict) -> MediaLibrary:
    """One media library per build, shared by every generator that needs it."""
    if "media_library" not in context:
        content = Path(settings["PATH"])
        context["media_library"] = MediaLibrary(content / settings["MEDIA_DIR"], content.parent)
    return context["media_library"]


def card(story: Story) -> tuple:
    """What a list shows of a story: a change here re-renders the lists it is in."""
    return (story.id, story.title, story.url, story.date.isoformat(), story.category, story.summary, story.image)


class StoriesGenerator(Generator):
    def generate_context(self) -> None:
        settings = self.settings
        content = Path(self.path)
        self.now = settings["BUILD_NOW"]
        self.errors: list[ContentError] = self.context["content_errors"]
        cache = self.context["build_cache"]
        history = GitHistory.load(content, cache)
        if history.warning:
            logger.warning(history.warning)
            self.context["warnings"].append(history.warning)
        loaded = load_stories(content / settings["STORIES_DIR"], content.parent,
                              StoryVocabulary.from_settings(settings), cache, settings["BUILD_WORKERS"])
        self.errors.extend(loaded.errors)
        media = media_library(self.context, settings)
        stories: list[Story] = []
        for story, path in loaded.stories:
            media_errors = check_media(story.source, story.media_checks, media)
            if media_errors:
                self.errors.extend(media_errors)
                continue
            story.git = history.get(path)
            story.url = settings["STORY_URL"].format(date=story.date, slug=story.slug)
            story.save_as = story.url + "index.html"
            stories.append(story)
        self._check_archive(stories)

        stories.sort(key=lambda s: (s.date, s.id), reverse=True)
        visible = [s for s in stories if s.is_visible(self.now)]
        self.visible = visible
        self.by_id = {s.id: s for s in stories}
        self.context["all_stories"] = stories
        self.context["stories"] = visible
        self.context.setdefault("sitemap", [])
        self.context["build_stats"] = {
            "stories": len(stories),
            "visible": len(visible),
            "drafts": sum(s.status == "draft" for s in stories),
            "scheduled": sum(s.is_scheduled(self.now) for s in stories),
            "parsed": loaded.parsed,
            "pages_rendered": 0,
            "pages_kept": 0,
        }

    def _check_archive(self, stories: list[Story]) -> None:
        """What no single file can tell: unique ids and URLs, links that resolve."""
        by_id: dict[str, list[Story]] = defaultdict(list)
        by_url: dict[str, list[Story]] = defaultdict(list)
        for story in stories:
            by_id[story.id].append(story)
            by_url[story.url].append(story)
        for story_id, same in by_id.items():
            for story in same[1:]:
                self.errors.append(ContentError(
                    story.source, f"Die id „{story_id}“ hat schon {same[0].source}. Jede Meldung braucht eine eigene id.",
                    field="id"))
        for url, same in by_url.items():
            for story in same[1:]:
                self.errors.append(ContentError(
                    story.source, f"Die Adresse /{url} hätte auch {same[0].source}. Bitte Titel oder „slug“ ändern.",
                    field="slug"))
        known = {s.id: s for s in stories}
        for story in stories:
            for ref, where in [*((r, "related") for r in story.related_ids), *((r, None) for r in story.story_refs)]:
                target = known.get(ref)
                label = "Verwandte Meldung" if where else "Link story:"
                if target is None:
                    self.errors.append(ContentError(story.source, f"{label} „{ref}“: keine Meldung hat diese id.",
                                                    field=where))
                elif story.status == "published" and (target.status != "published" or target.date > story.date):
                    self.errors.append(ContentError(
                        story.source,
                        f"{label} „{ref}“ ({target.source}) ist bei Veröffentlichung dieser Meldung noch nicht "
                        "veröffentlicht; der Link liefe ins Leere.", field=where))

    # -- output ------------------------------------------------------------------------

    def _emit(self, writer, path: str, inputs: tuple, render, owner: str) -> None:
        """Write `path` from `render()`, unless its inputs are those of the live page."""
        key = hashlib.sha256(repr((self.context["build_fingerprint"], inputs)).encode()).hexdigest()
        self.new_keys[path] = key
        if self.old_keys.get(path) == key and writer.keep(path, owner=owner):
            self.stats["pages_kept"] += 1
            return
        writer.write(path, render(), owner=owner)
        self.stats["pages_rendered"] += 1
        self.context["rendered_pages"].append(path)

    def generate_output(self, writer) -> None:
        settings = self.settings
        self.urls = SiteUrls.from_settings(settings)
        self.stats = self.context["build_stats"]
        self.old_keys = self.context["page_keys"]
        self.new_keys = self.context["new_page_keys"]
        taxonomy = Taxonomy(self.visible, settings)
        self.env.globals.update(taxonomy=taxonomy)
        sitemap = self.context["sitemap"]
        related = RelatedIndex(self.visible)
        media = self.context["media_library"]
        template = self.get_template("story")

        for story in self.visible:
            image = media.get(story.image, source=story.source, line=None, field="image") if story.image else None
            others = related.related(story, settings["RELATED_STORIES"])
            links = tuple((ref, self.by_id[ref].url) for ref in story.story_refs)
            self._emit(
                writer, story.save_as,
                ("story", story.content_hash, story.url, story.git, image, tuple(card(o) for o in others), links),
                lambda story=story, image=image, others=others: template.render(
                    self._page_context(story.url), story=story, body=Markup(self.resolve_links(story.body_html)),
                    image=image, related=others, document=story_document(story, image, self.urls, settings)),
                owner=story.source,
            )
            sitemap.append((story.url, story.updated or story.date))

        template = self.get_template("list")
        for listing in taxonomy.lists():
            head = (listing.kind, listing.name, listing.heading, listing.description, listing.base,
                    len(listing.stories))
            for page in paginate(listing, settings["LIST_PAGE_SIZE"]):
                self._emit(
                    writer, page.url + "index.html",
                    ("list", head, page.number, page.total, tuple(card(s) for s in page.items)),
                    lambda page=page, listing=listing: template.render(
                        self._page_context(page.url), listing=listing, page=page),
                    owner=f"Liste {listing.heading}",
                )
                sitemap.append((page.url, page.items[0].date if page.items else None))

        template = self.get_template("overview")
        for kind, path, title in [
            ("thema", "themen/", "Themen"), ("amt", "aemter/", "Ämter"),
            ("bezirk", "stadtbezirke/", "Stadtbezirke"), ("tag", "schlagworte/", "Schlagworte"),
        ]:
            lists = [lst for lst in taxonomy.lists() if lst.kind == kind]
            self._emit(
                writer, path + "index.html",
                ("overview", kind, tuple((t.name, t.base, t.description, len(t.stories)) for t in lists)),
                lambda path=path, kind=kind, title=title, lists=lists: self.get_template("overview").render(
                    self._page_context(path), kind=kind, title=title, lists=lists),
                owner=f"Übersicht {title}",
            )
            sitemap.append((path, None))

        template = self.get_template("archive")
        years = taxonomy.years()
        shape = tuple((y, tuple((m.name, m.base, len(m.stories)) for m in months)) for y, months in years)
        self._emit(writer, "archiv/index.html", ("archive", shape),
                   lambda: template.render(self._page_context("archiv/"), years=years, year=None), owner="Archiv")
        sitemap.append(("archiv/", None))
        for (year, months), (_y, months_shape) in zip(years, shape):
            path = f"archiv/{year}/"
            self._emit(writer, path + "index.html", ("archive-year", year, months_shape),
                       lambda path=path, year=year, months=months: template.render(
                           self._page_context(path), years=years, year=year, months=months),
                       owner=f"Archiv {year}")
            sitemap.append((path, None))

        latest = self.visible[: settings["HOME_LATEST"] + 1]
        themen = [t for t in taxonomy.themen if t.stories]
        self._emit(
            writer, "index.html",
            ("home", tuple(card(s) for s in latest), tuple((t.name, t.base, len(t.stories)) for t in themen)),
            lambda: self.get_template("index").render(
                self._page_context(""), lead=latest[0] if latest else None, latest=latest[1:], themen=themen),
            owner="Startseite",
        )
        sitemap.append(("", self.visible[0].date if self.visible else None))

    def _page_context(self, path: str) -> dict:
        return {**self.context, "page_path": path, "canonical": self.urls.absolute(path)}

    def resolve_links(self, html: str) -> str:
        media_url = self.settings["MEDIA_URL"]
        return resolve_placeholders(
            html,
            lambda story_id: self.urls.href(self.by_id[story_id].url),
            lambda path: self.urls.href(media_url.format(path=path)),
        )
