"""schema.org NewsArticle JSON-LD for a story page (rendered with Jinja's tojson,
which escapes <, > and & so a title can never close the script element)."""

from __future__ import annotations

from newsroom.content.story import Story
from newsroom.dates import iso
from newsroom.media.credits import credit_of
from newsroom.media.library import MediaItem
from newsroom.site import SiteUrls


def story_document(story: Story, image: MediaItem | None, urls: SiteUrls, settings: dict) -> dict:
    publisher = {
        "@type": "GovernmentOrganization",
        "name": settings["SITE_SHORTNAME"],
        "url": urls.absolute(""),
        "logo": {"@type": "ImageObject", "url": urls.absolute("theme/img/logo.svg")},
    }
    document = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "description": story.summary,
        "datePublished": iso(story.date),
        "dateModified": iso(story.updated or story.date),
        "inLanguage": "de-DE",
        "url": urls.absolute(story.url),
        "mainEntityOfPage": urls.absolute(story.url),
        "articleSection": story.category,
        "keywords": list(story.tags),
        "author": {"@type": "GovernmentOrganization", "name": f"{settings['SITE_SHORTNAME']}, {story.department}"},
        "publisher": publisher,
        "identifier": story.id,
    }
    if image:
        document["image"] = {
            "@type": "ImageObject",
            "url": urls.absolute(urls.media(image.path)),
            "creditText": credit_of(image),
        }
        if image.caption:
            document["image"]["caption"] = image.caption
    if story.git.editors:  # public names only (PUBLIC_AUTHORS); a git author's own name never
        document["editor"] = [{"@type": "Person", "name": name} for name in story.git.editors]
    return document
