"""Stories as channels see them, made from a finished build (its BuildContext)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from newsroom.content.links import resolve_links
from newsroom.errors import ContentError, ContentErrors
from newsroom.media.credits import credit_of
from newsroom.publishing.channel import MediaLink, Release
from newsroom.site import SiteUrls

if TYPE_CHECKING:
    from newsroom.build.context import BuildContext


def release_maker(build: BuildContext, settings: dict, full_story=None) -> Callable[[object], Release]:
    """card → Release: the full story (from the parse cache, or `full_story(card)`) with absolute
    addresses, the media portal's pages and channel renditions where it offers them."""
    urls = SiteUrls.from_settings(settings)
    by_id = build.archive.by_id
    media = build.media
    offered = build.media_pages  # None without the media portal
    media_root = Path(settings["PATH"]) / settings["MEDIA_DIR"]
    full_story = full_story or build.archive.full_story

    def make(card) -> Release:
        story = full_story(card)
        body = resolve_links(story.body_html, urls, lambda story_id: by_id[story_id].url, absolute=True,
                             media_shown=None if media is None else lambda path: media.shown_path(path, story.source))
        image_url = image_file = alt = credit = None
        lead = story.image
        if lead and media is not None:  # once its rights ended: its replacement, or no picture (MediaLibrary.shown)
            item = media.shown(lead, source=story.source, line=None, field="image")
            lead = item.path if item else None
            alt, credit = (item.alt, credit_of(item)) if item else (None, None)
        if lead:
            image_url = urls.absolute(urls.media(lead))
            image_file = media_root / lead
        variants = offered.renditions(lead) if offered is not None and lead else {}
        return Release(story, urls.absolute(story.url), body, image_url, image_file, alt, credit, variants,
                       tuple(media_links(story)), image_path=lead)

    def media_links(story):
        """The media as the story page shows them (MediaLibrary.shown, like the lead image): once its
        rights ended, a medium's replacement, or no link; each medium once."""
        linked = set()
        for path in dict.fromkeys([story.image, *story.media_refs] if story.image else story.media_refs):
            label, credit, alt = PurePosixPath(path).name, "", ""
            if media is not None:
                try:
                    item = media.shown(path, source=story.source, line=None, field=None)
                    if item is None:
                        continue  # its rights ended and nothing replaces it: no longer in the portal nor on the site
                    path = item.path
                    label = item.title or item.alt or PurePosixPath(path).name
                    credit, alt = credit_of(item), item.alt or ""
                except (ContentError, ContentErrors):
                    pass  # the build's check names the broken reference; the link still goes out
            if path in linked:
                continue  # a replacement the story uses itself as well
            linked.add(path)
            page = offered.page(path) if offered is not None else None
            yield MediaLink(path, urls.absolute(page or urls.media(path)), label, credit, alt)

    return make
