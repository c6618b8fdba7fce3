"""Stories as channels see them, made from a finished build's context."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath

from newsroom.content.links import resolve_links
from newsroom.errors import ContentError, ContentErrors
from newsroom.publishing.channel import MediaLink, Release
from newsroom.site import SiteUrls


def release_maker(context: dict, settings: dict) -> Callable[[object], Release]:
    """card → Release: the full story (from the parse cache) with absolute addresses."""
    urls = SiteUrls.from_settings(settings)
    by_id = {card.id: card for card in context["all_stories"]}
    media = context.get("media_library")
    renditions = context.get("media_renditions")  # the media portal's hook: path → {purpose: (url, file)}
    pages = context.get("media_pages")  # the media portal's hook: path → site path of the item page, or None
    media_root = Path(settings["PATH"]) / settings["MEDIA_DIR"]

    def make(card) -> Release:
        story = context["full_story"](card)
        body = resolve_links(story.body_html, urls, lambda story_id: by_id[story_id].url, absolute=True)
        image_url = image_file = alt = credit = None
        if story.image:
            image_url = urls.absolute(urls.media(story.image))
            image_file = media_root / story.image
            if media is not None:
                item = media.get(story.image, source=story.source, line=None, field="image")
                alt, credit = item.alt, item.credit
        variants = renditions(story.image) if renditions is not None and story.image else {}
        return Release(story, urls.absolute(story.url), body, image_url, image_file, alt, credit, variants,
                       tuple(media_links(story)))

    def media_links(story):
        for path in dict.fromkeys([story.image, *story.media_refs] if story.image else story.media_refs):
            page = pages(path) if pages is not None else None
            label, credit = PurePosixPath(path).name, ""
            if media is not None:
                try:
                    item = media.get(path, source=story.source, line=None, field=None)
                    label, credit = item.title or item.alt or label, item.credit
                except (ContentError, ContentErrors):
                    pass  # the build's check names the broken reference; the link still goes out
            yield MediaLink(path, urls.absolute(page or urls.media(path)), label, credit)

    return make
