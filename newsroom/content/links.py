"""`story:<id>` and `media:<path>` placeholders in rendered bodies, resolved at write time.

Kept apart from markup.py so that a build which renders no Markdown need not import it.
"""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r'(href|src)="(story|media):([^"]*)"')


def resolve_links(html: str, urls, story_url, *, absolute: bool = False, media_shown=None) -> str:
    """Replace `story:<id>` and `media:<path>` placeholders by links within the site
    (or by absolute addresses, for feeds, mails and posts read elsewhere).

    `story_url(id)` gives a story's site path; the ids were checked before any page is
    written, so every placeholder resolves. `media_shown(path)`: the medium shown for a
    reference on the build's day (its replacement once its usage rights ended), or None when
    none may be shown: then a picture is left out and a link keeps only its words.
    """
    address = urls.absolute if absolute else urls.href
    if media_shown is not None and "media:" in html:
        html = _without_ended_media(html, media_shown)

    def replace(match) -> str:
        attribute, scheme, target = match.groups()
        path = story_url(target) if scheme == "story" else urls.media(target)
        return f'{attribute}="{address(path)}"'

    return PLACEHOLDER.sub(replace, html)


# What Python-Markdown writes for a picture and a link (newsroom/content/markup.py keeps the placeholders).
_PICTURE = re.compile(r'<img [^>]*?src="media:([^"]*)"[^>]*>')
_LINK = re.compile(r'<a [^>]*?href="media:([^"]*)"[^>]*>(.*?)</a>', re.S)


def _without_ended_media(html: str, media_shown) -> str:
    def shown(match, keep: str) -> str:
        target = match.group(1)
        path = media_shown(target)
        if path is None:
            return keep
        return match.group(0) if path == target else match.group(0).replace(f'"media:{target}"', f'"media:{path}"', 1)

    html = _PICTURE.sub(lambda m: shown(m, ""), html)
    return _LINK.sub(lambda m: shown(m, m.group(2)), html)
