"""Draft pages: each draft and scheduled story as its web page, for editors only.

Drawn once the build's pages are live (after_commit), with the story page's template and the
site's styles, into PUBLISH_PREVIEW_PATH/entwurf/<id>/ (newsroom/content/drafts.py), never into
the output folder: the build's pages, their signatures and its state are the same with or
without drafts. Each page carries the banner „Entwurf – nicht veröffentlicht“ and `noindex`;
the index entwurf/ lists them and the problems of drafts that cannot be drawn. Files are written
only when their bytes change; pages of stories no longer drafts go.
"""

from __future__ import annotations

import logging
import shutil

from jinja2 import TemplateError
from markupsafe import Markup

from newsroom.atomic import write_if_changed
from newsroom.content.drafts import BANNER, LIST, DraftLink, folder_of, list_bytes, page_path, unpublished
from newsroom.content.links import resolve_links
from newsroom.errors import ContentError, NewsroomError
from newsroom.publishing.overview import broken_files

logger = logging.getLogger("newsroom.stories")


class DraftPages:
    def __init__(self, generator):
        self.generator = generator

    def draw(self) -> None:
        generator = self.generator
        build, settings = generator.build, generator.settings
        folder = folder_of(settings)
        cards = unpublished(generator.cards, generator.now.timestamp())
        problems: dict[str, list[ContentError]] = {}
        for problem in build.draft_problems:
            problems.setdefault(problem.path, []).append(problem)
        template = generator.get_template("draft")
        generator.archive.preload(cards)
        links, failed = [], []
        for card in cards:
            path = page_path(card.id)
            try:
                story = generator.archive.full_story(card)
                html = template.render(self._context(path), story=story, **self._shown(card, story),
                                       draft_banner=BANNER,
                                       draft_problems=problems.get(card.source, ()))
            except (TemplateError, NewsroomError, LookupError, AttributeError, TypeError, ValueError) as exc:
                # One draft the template cannot show is named in the list; the others and the site are drawn.
                logger.warning("Entwurfsseite für %s nicht gezeichnet: %s", card.source, exc)
                failed.append(ContentError(card.source, f"Die Entwurfsseite ließ sich nicht zeichnen: {exc}"))
                continue
            write_if_changed(folder / card.id / "index.html", html.encode("utf-8"))
            links.append(DraftLink.of(card))
        drawn = {link.id for link in links}
        shown = {card.source for card in cards if card.id in drawn}
        broken = broken_files([p for p in build.draft_problems if p.path not in shown] + failed)
        index = generator.get_template("drafts").render(self._context(f"{folder.name}/"), drafts=links,
                                                         broken=broken, draft_banner=BANNER)
        write_if_changed(folder / "index.html", index.encode("utf-8"))
        write_if_changed(folder / LIST, list_bytes(links))
        for entry in folder.iterdir():  # drafts published, deleted or renamed since
            if entry.is_dir() and entry.name not in drawn:
                shutil.rmtree(entry)

    def _shown(self, card, story) -> dict:
        """What the story page shows besides the story: its text with links resolved, the lead
        image; no related stories and no press number (neither exists before publication)."""
        generator = self.generator
        image = None
        if story.image:
            try:
                image = generator.build.media.get(story.image, source=card.source, line=None, field="image")
            except ContentError:  # reported with the draft's problems; the page shows no picture
                image = None
        return {"body": Markup(self._links(story.body_html)),
                "easy": Markup(self._links(story.easy_html)) if story.easy_html else None,
                "image": image, "related": [], "press": None, "withdrawal": None, "document": None}

    def _links(self, html: str) -> str:
        """A story another draft links to leads to that draft's page; an id no story has (one of the
        draft's problems) to the list of drafts, which names it."""
        generator = self.generator
        now = generator.now.timestamp()

        def story_url(story_id: str) -> str:
            card = generator.by_id.get(story_id)
            if card is None:
                return folder_of(generator.settings).name + "/"
            return page_path(card.id) if unpublished([card], now) else card.url

        return resolve_links(html, generator.urls, story_url)

    def _context(self, path: str) -> dict:
        # No canonical address: the page is nobody's copy and is never indexed.
        return {**self.generator.context, "page_path": path, "canonical": None}
