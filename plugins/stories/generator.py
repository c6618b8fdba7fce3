"""StoriesGenerator: reads every story, validates the archive as a whole, writes pages."""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from pathlib import Path

from markupsafe import Markup
from pelican.generators import Generator

from newsroom.errors import ContentError, ContentErrors
from newsroom.history import GitHistory
from newsroom.markup import BodyRenderer, resolve_placeholders
from newsroom.media import MediaLibrary
from newsroom.reader import StoryVocabulary, read_story
from newsroom.site import SiteUrls
from newsroom.story import Story

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


class StoriesGenerator(Generator):
    def generate_context(self) -> None:
        settings = self.settings
        content = Path(self.path)
        self.display_root = content.parent
        self.now = settings["BUILD_NOW"]
        self.errors: list[ContentError] = self.context["content_errors"]
        vocabulary = StoryVocabulary(
            themen=settings["THEMEN"], aemter=settings["AEMTER"], districts=len(settings["STADTBEZIRKE"]),
            channels=settings["CHANNELS"], media=media_library(self.context, settings),
        )
        history = GitHistory.load(content)
        if history.warning:
            logger.warning(history.warning)
            self.context["warnings"].append(history.warning)
        renderer = BodyRenderer()
        stories: list[Story] = []
        for path in self._story_files(content / settings["STORIES_DIR"]):
            source = os.path.relpath(path, self.display_root)
            try:
                story = read_story(path.read_bytes(), source, vocabulary, renderer)
            except ContentErrors as exc:
                self.errors.extend(exc.errors)
                continue
            except ContentError as exc:
                self.errors.append(exc)
                continue
            story.git = history.get(path)
            story.url = settings["STORY_URL"].format(date=story.date, slug=story.slug)
            story.save_as = story.url + "index.html"
            stories.append(story)
        self._check_archive(stories)

        stories.sort(key=lambda s: (s.date, s.id), reverse=True)
        visible = [s for s in stories if s.is_visible(self.now)]
        self.stories = stories
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
            "pages_rendered": 0,
        }

    @staticmethod
    def _story_files(root: Path) -> list[Path]:
        if not root.is_dir():
            return []
        return sorted(p for p in root.rglob("*.md") if not any(part.startswith(".") for part in p.parts))

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

    def generate_output(self, writer) -> None:
        settings = self.settings
        self.urls = SiteUrls.from_settings(settings)
        taxonomy = Taxonomy(self.visible, settings)
        self.taxonomy = taxonomy
        self.env.globals.update(taxonomy=taxonomy)
        stats = self.context["build_stats"]
        sitemap = self.context["sitemap"]
        related = RelatedIndex(self.visible)
        story_template = self.get_template("story")
        media = self.context["media_library"]
        for story in self.visible:
            image = media.get(story.image, source=story.source, line=None, field="image") if story.image else None
            html = story_template.render(
                self._page_context(story.url),
                story=story,
                body=Markup(self.resolve_links(story.body_html)),
                image=image,
                related=related.related(story, settings["RELATED_STORIES"]),
                document=story_document(story, image, self.urls, settings),
            )
            writer.write(story.save_as, html, owner=story.source)
            stats["pages_rendered"] += 1
            sitemap.append((story.url, story.updated or story.date))

        list_template = self.get_template("list")
        for listing in taxonomy.lists():
            for page in paginate(listing, settings["LIST_PAGE_SIZE"]):
                html = list_template.render(self._page_context(page.url), listing=listing, page=page)
                writer.write(page.url + "index.html", html, owner=f"Liste {listing.heading}")
                stats["pages_rendered"] += 1
                sitemap.append((page.url, page.items[0].date if page.items else None))

        overview = self.get_template("overview")
        for kind, path, title in [
            ("thema", "themen/", "Themen"), ("amt", "aemter/", "Ämter"),
            ("bezirk", "stadtbezirke/", "Stadtbezirke"), ("tag", "schlagworte/", "Schlagworte"),
        ]:
            lists = [lst for lst in taxonomy.lists() if lst.kind == kind]
            html = overview.render(self._page_context(path), kind=kind, title=title, lists=lists)
            writer.write(path + "index.html", html, owner=f"Übersicht {title}")
            stats["pages_rendered"] += 1
            sitemap.append((path, None))

        archive = self.get_template("archive")
        html = archive.render(self._page_context("archiv/"), years=taxonomy.years(), year=None)
        writer.write("archiv/index.html", html, owner="Archiv")
        sitemap.append(("archiv/", None))
        stats["pages_rendered"] += 1
        for year, months in taxonomy.years():
            html = archive.render(self._page_context(f"archiv/{year}/"), years=taxonomy.years(),
                                  year=year, months=months)
            writer.write(f"archiv/{year}/index.html", html, owner=f"Archiv {year}")
            sitemap.append((f"archiv/{year}/", None))
            stats["pages_rendered"] += 1

        home = self.get_template("index")
        latest = self.visible[: settings["HOME_LATEST"] + 1]
        html = home.render(self._page_context(""), lead=latest[0] if latest else None, latest=latest[1:],
                           themen=[t for t in taxonomy.themen if t.stories])
        writer.write("index.html", html, owner="Startseite")
        sitemap.append(("", self.visible[0].date if self.visible else None))
        stats["pages_rendered"] += 2

    def _page_context(self, path: str) -> dict:
        return {**self.context, "page_path": path, "canonical": self.urls.absolute(path)}

    def resolve_links(self, html: str) -> str:
        media_url = self.settings["MEDIA_URL"]
        return resolve_placeholders(
            html,
            lambda story_id: self.urls.href(self.by_id[story_id].url),
            lambda path: self.urls.href(media_url.format(path=path)),
        )
