"""`story:<id>` and `media:<path>` placeholders in rendered bodies, resolved at write time.

Kept apart from markup.py so that a build which renders no Markdown need not import it.
"""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r'(href|src)="(story|media):([^"]*)"')


def resolve_links(html: str, urls, story_url, *, absolute: bool = False) -> str:
    """Replace `story:<id>` and `media:<path>` placeholders by links within the site
    (or by absolute addresses, for feeds, mails and posts read elsewhere).

    `story_url(id)` gives a story's site path; the ids were checked before any page is
    written, so every placeholder resolves.
    """
    address = urls.absolute if absolute else urls.href

    def replace(match) -> str:
        attribute, scheme, target = match.groups()
        path = story_url(target) if scheme == "story" else urls.media(target)
        return f'{attribute}="{address(path)}"'

    return PLACEHOLDER.sub(replace, html)
