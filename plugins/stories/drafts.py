"""Draft pages: each draft and scheduled story as its web page, for editors only.

Drawn once the build's pages are live (after_commit), with the story page's template and the
site's styles, into PUBLISH_PREVIEW_PATH/entwurf/<id>/ (newsroom/content/drafts.py), never into
the output folder: the build's pages, their signatures and its state are the same with or
without drafts. Each page carries the banner „Entwurf – nicht veröffentlicht“ and `noindex`;
the index entwurf/ lists them and the problems of drafts that cannot be drawn. Files are written
only when their bytes change; pages of stories no longer drafts go.

Each page is signed by what it shows, like the site's pages (SiteWriter.page): the draft's card
(its file's hash, address, date), its git dates, the media it shows on the day of its publication
(`_day`), the addresses it links, its problems, and the build's fingerprint (code, theme,
settings). The signatures are kept in the build cache beside the folder's name (newsroom/content/
drafts.py: DraftRecord); a build draws only the drafts whose signature changed or whose page is
missing, and the index only when the list or its problems changed.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import replace
from datetime import date

from jinja2 import TemplateError
from markupsafe import Markup

from newsroom.atomic import write_if_changed
from newsroom.build.output import digest_of
from newsroom.content.drafts import BANNER, LIST, DraftLink, DraftRecord, folder_of, list_bytes, page_path, unpublished
from newsroom.content.links import resolve_links
from newsroom.errors import ContentError, ContentErrors, NewsroomError
from newsroom.publishing.overview import broken_files

logger = logging.getLogger("newsroom.stories")


class DraftPages:
    def __init__(self, generator):
        self.generator = generator

    def draw(self) -> None:
        generator = self.generator
        build, settings = generator.build, generator.settings
        folder = folder_of(settings)
        cards = generator.archive.unpublished  # found while loading: no pass over every card here
        problems: dict[str, list[ContentError]] = {}
        for problem in build.draft_problems:
            problems.setdefault(problem.path, []).append(problem)
        record = DraftRecord.load(build.cache, folder, build.fingerprint, fresh=build.full)
        signed = {card.id: digest_of(self._signature(card, problems.get(card.source, ()))) for card in cards}
        kept = {card.id for card in cards
                if record.pages.get(card.id) == signed[card.id] and (folder / card.id / "index.html").is_file()}
        redraw = [card for card in cards if card.id not in kept]
        template = generator.get_template("draft") if redraw else None
        generator.archive.preload(redraw)
        failed = []
        for card in redraw:
            try:
                story = generator.archive.full_story(card)
                html = template.render(self._context(page_path(card.id)), **self._shown(card, story),
                                       draft_banner=BANNER, draft_problems=problems.get(card.source, ()))
            except (TemplateError, NewsroomError, LookupError, AttributeError, TypeError, ValueError) as exc:
                # One draft the template cannot show is named in the list; the others and the site are drawn.
                logger.warning("Entwurfsseite für %s nicht gezeichnet: %s", card.source, exc)
                failed.append(ContentError(card.source, f"Die Entwurfsseite ließ sich nicht zeichnen: {exc}"))
                del signed[card.id]  # not recorded: tried again by the next build
                continue
            write_if_changed(folder / card.id / "index.html", html.encode("utf-8"))
        build.stats.update(drafts_drawn=len(redraw) - len(failed), drafts_kept=len(kept))
        links = [DraftLink.of(card) for card in cards if card.id in signed]
        shown = {card.source for card in cards if card.id in signed}
        broken = broken_files([p for p in build.draft_problems if p.path not in shown] + failed)
        index = digest_of((tuple(links), tuple(broken)))
        if record.index != index or not (folder / "index.html").is_file() or not (folder / LIST).is_file():
            html = generator.get_template("drafts").render(self._context(f"{folder.name}/"), drafts=links,
                                                            broken=broken, draft_banner=BANNER)
            write_if_changed(folder / "index.html", html.encode("utf-8"))
            write_if_changed(folder / LIST, list_bytes(links))
        if not record.known or failed or signed.keys() != record.pages.keys():
            for entry in folder.iterdir():  # drafts published, deleted or renamed since, or failing
                if entry.is_dir() and entry.name not in signed:
                    shutil.rmtree(entry)
        record.save(build.cache, signed, index)

    def _signature(self, card, problems) -> tuple:
        """What the draft's page shows, without reading its text: the card holds the file's hash."""
        media, day = self.generator.build.media, self._day(card)
        shown = []
        for reference, _line, _field in card.media_checks:  # the lead image and the media in the text
            try:
                shown.append((reference, media.shown(reference, source=card.source, line=None, field=None, on=day)))
            except (ContentError, ContentErrors) as exc:  # one of its problems: the page shows no picture
                shown.append((reference, str(exc)))
        links = tuple((story_id, self._story_url(story_id)) for story_id in card.story_refs)
        return (tuple(card), self.generator.git.get(card.source), tuple(shown), links,
                tuple(str(problem) for problem in problems))

    def _day(self, card) -> date | None:
        """The day whose usage rights the preview follows: the draft's page as its readers will first
        see it, built on its publication day, or by the next build when that day has passed. Rights
        only end, so the later of the two is the day that shows what may be shown then."""
        today = self.generator.build.media.today
        published = card.date.date()  # in Berlin, like the build's day
        return published if today is None or published > today else today

    def _shown(self, card, story) -> dict:
        """What the story page shows: the story, its text with links resolved, the lead image; no
        related stories and no press number (neither exists before publication)."""
        media, day = self.generator.build.media, self._day(card)

        def shown(path: str) -> str | None:
            try:
                return media.shown_path(path, card.source, on=day)
            except (ContentError, ContentErrors):  # reported with the draft's problems: no picture
                return None

        image = None
        if story.image:
            try:
                image = media.shown(story.image, source=card.source, line=None, field="image", on=day)
            except (ContentError, ContentErrors):  # reported with the draft's problems: no picture
                pass
        # The side column lists the media the portal has on that day: not those whose rights ended then.
        listed = replace(story, image=story.image if image is not None and image.path == story.image else None,
                         media_refs=tuple(ref for ref in story.media_refs if shown(ref) == ref))

        def links(html: str) -> str:
            return self._links(html, shown)

        return {"story": listed, "body": Markup(links(story.body_html)),
                "easy": Markup(links(story.easy_html)) if story.easy_html else None,
                "image": image, "related": [], "press": None, "withdrawal": None, "document": None}

    def _story_url(self, story_id: str) -> str:
        """A story another draft links to leads to that draft's page; an id no story has (one of the
        draft's problems) to the list of drafts, which names it."""
        generator = self.generator
        card = generator.by_id.get(story_id)
        if card is None:
            return folder_of(generator.settings).name + "/"
        return page_path(card.id) if unpublished([card], generator.now.timestamp()) else card.url

    def _links(self, html: str, media_shown) -> str:
        return resolve_links(html, self.generator.urls, self._story_url, media_shown=media_shown)

    def _context(self, path: str) -> dict:
        # No canonical address: the page is nobody's copy and is never indexed.
        return {**self.generator.context, "page_path": path, "canonical": None}
