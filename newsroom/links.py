"""`story:<id>` and `media:<path>` placeholders in rendered bodies, resolved at write time.

Kept apart from markup.py so that a build which renders no Markdown need not import it.
"""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r'(href|src)="(story|media):([^"]*)"')


def resolve_placeholders(html: str, story_path, media_path) -> str:
    """Replace `story:<id>` and `media:<path>` placeholders by the site's addresses.

    `story_path(id)` and `media_path(path)` return the link targets; the ids were
    checked before any page is written, so every placeholder resolves.
    """

    def replace(match) -> str:
        attribute, scheme, target = match.groups()
        resolved = story_path(target) if scheme == "story" else media_path(target)
        return f'{attribute}="{resolved}"'

    return PLACEHOLDER.sub(replace, html)
