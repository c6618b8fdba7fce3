"""static_pages: Impressum, Datenschutz, Barrierefreiheit, Kontakt … from content/pages,
plus the 404 page. Same front-matter rules and Markdown as stories.

Runs after the stories generator (plugin order) so pages may link stories by id.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator

from newsroom.build.context import of
from newsroom.content.links import resolve_links
from newsroom.content.page import StaticPage, read_page
from newsroom.errors import ContentError, ContentErrors
from newsroom.media.sign_language import check_sign_language_video
from newsroom.site import SiteUrls

PAGE_CACHE_KEY = "static-page-5"  # bump when read_page changes what a page holds (5: startseite)


class StaticPagesGenerator(Generator):
    def generate_context(self) -> None:
        content = Path(self.path)
        root = content / self.settings["PAGES_DIR"]
        build = self.build = of(self.context)
        errors = build.errors
        cache = build.cache
        known_ids = build.archive.by_id
        # Symbolic links are never read: the build refuses them (newsroom.paths).
        files = sorted(p for p in root.glob("*.md") if not p.is_symlink()) \
            if root.is_dir() and not root.is_symlink() else []
        raws = {path: path.read_bytes() for path in files}
        digests = {path: hashlib.sha256(raw + path.stem.encode()).hexdigest() for path, raw in raws.items()}
        cached = cache.stories(sorted(digests.values()), PAGE_CACHE_KEY)
        renderer, parsed = None, {}
        self.pages: list[StaticPage] = []
        for path in files:
            source = os.path.relpath(path, content.parent)
            page = cached.get(digests[path])
            if page is None:
                if renderer is None:
                    from newsroom.content.markup import BodyRenderer  # Markdown only when a page changed

                    renderer = BodyRenderer()
                try:
                    page = read_page(raws[path], source, path.stem, renderer)
                except ContentErrors as exc:
                    errors.extend(exc.errors)
                    continue
                except ContentError as exc:
                    errors.append(exc)
                    continue
                parsed[digests[path]] = page
            page.source = source
            for ref in page.story_refs:
                if ref not in known_ids:
                    errors.append(ContentError(source, f"Link story:„{ref}“: keine Meldung hat diese id."))
            if page.dgs_video:
                errors.extend(check_sign_language_video(page.dgs_video, build.media, source=source,
                                                        line=page.dgs_video_line))
            if page.on_home_page:
                if build.home_sign_video:
                    errors.append(ContentError(source, "Nur eine Seite kann ihr Video auf der Startseite zeigen; "
                                               f"„startseite: true“ steht schon in {build.home_sign_video[0]}.",
                                               field="startseite"))
                else:
                    build.home_sign_video = (source, page.dgs_video)
            self.pages.append(page)
        cache.save_stories(parsed, PAGE_CACHE_KEY)
        build.stats["static_pages"] = len(self.pages)

    def generate_output(self, writer) -> None:
        urls = SiteUrls.from_settings(self.settings)
        by_id = self.build.archive.by_id

        def story_url(story_id: str) -> str:
            return by_id[story_id].url

        template = self.get_template("page")
        for page in self.pages:
            body = resolve_links(page.body_html, urls, story_url)
            html = template.render(self.context, page=page, body=Markup(body), page_path=page.url,
                                   canonical=urls.absolute(page.url))
            writer.write(page.url + "index.html", html, owner=page.source)
            self.build.sitemap.add(page.url)
        html = self.get_template("404").render(self.context, page_path="404.html", canonical=None)
        writer.write("404.html", html, owner="404-Seite")


def get_generators(_pelican):
    return StaticPagesGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
