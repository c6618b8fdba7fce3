"""The house templates: each channel's default text, made from the theme's
`templates/channels/<channel>.txt` (else `channels/default.txt`), so the office edits
tone, length, link and hashtags of every channel without touching code. A translation's posts
take `channels/<language>/<channel>.txt`, else `channels/<language>/default.txt`: never a
German template, whose words would go out in the wrong language.

Plain text, no HTML escaping: a post is not a web page. A channel with a hard limit gets
the text fitted to it: fewer hashtags first (the story's tags and the Thema's; the city's
stay), then without summary and lead, until it fits.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    UndefinedError,
)

from newsroom.dates import german_date, short_german_date
from newsroom.errors import ConfigurationError

if TYPE_CHECKING:
    from newsroom.publishing.channel import Release

FOLDER = "channels"
FALLBACK = f"{FOLDER}/default.txt"
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_BLANK_LINES = re.compile(r"\n{3,}")
_UNDEFINED = re.compile(r"'([^']+)' is undefined")


@lru_cache(maxsize=8)
def environment(templates: Path) -> Environment:
    """One environment per theme folder; it reloads a template whose file changed."""
    return Environment(loader=FileSystemLoader(str(templates)), autoescape=False, trim_blocks=True,
                       lstrip_blocks=True, keep_trailing_newline=False, undefined=StrictUndefined)


def house_template(settings: dict, channel: str, language: str = "") -> Template:
    """The channel's template; `language`: a translation's (its own folder), empty for the German."""
    templates = Path(settings["THEME"]) / "templates"
    folder = f"{FOLDER}/{language}" if language else FOLDER
    names = [f"{folder}/{channel}.txt", f"{folder}/default.txt"]
    try:
        return environment(templates.resolve()).select_template(names)
    except TemplateNotFound:
        raise ConfigurationError(f"Hausvorlage fehlt: weder {templates}/{names[0]} noch "
                                 f"{templates}/{names[1]} gibt es.") from None
    except TemplateError as exc:
        name = getattr(exc, "name", None) or names[0]  # default.txt may be the broken one
        raise ConfigurationError(f"Hausvorlage {name}: {_where(exc)}{exc}") from None


def template_values(release: Release, *, label: str, link_in_text: bool, site: str) -> dict:
    """What a house template may use (channels/default.txt lists it for the office)."""
    story = release.story
    return {
        "title": story.title,
        "summary": story.summary,
        "lead": lead_paragraph(release.body_html),
        "url": release.url,
        "link_in_text": link_in_text,
        "link_label": release.link_label,
        "thema": story.category,
        "department": story.department,
        "tags": list(story.tags),
        "date": german_date(story.date),
        "short_date": short_german_date(story.date),
        "image_alt": release.image_alt or "",
        "channel": label,
        "site": site,
    }


def house_text(template: Template, values: dict, hashtags: Sequence[str],
               fits: Callable[[str], bool] | None = None, keep: int = 0) -> str:
    """The template rendered with as many hashtags as fit, down to the first `keep` (the city's);
    then without summary and lead, again with as many as fit; the shortest version when nothing
    fits (validate names it then)."""
    text = ""
    for short in (False, True):
        for count in range(len(hashtags), -1 if short else min(keep, len(hashtags)) - 1, -1):
            shown = {**values, "hashtags": list(hashtags[:count])}
            if short:
                shown.update(summary="", lead="")
            text = render(template, shown)
            if fits is None or fits(text):
                return text
    return text


def render(template: Template, values: dict) -> str:
    """The text with trailing spaces and runs of blank lines taken out, so that a left-out
    part leaves no gap."""
    try:
        text = template.render(values)
    except UndefinedError as exc:
        name = _UNDEFINED.search(str(exc))
        raise ConfigurationError(f"Hausvorlage {template.name}: Den Wert „{name[1] if name else exc}“ gibt es "
                                 f"nicht; die Werte stehen in {FALLBACK}.") from None
    except TemplateError as exc:
        raise ConfigurationError(f"Hausvorlage {template.name}: {_where(exc)}{exc}") from None
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", lines)


def lead_paragraph(body_html: str) -> str:
    """The story's first paragraph as plain text."""
    match = _PARAGRAPH.search(body_html or "")
    return " ".join(html.unescape(_TAG.sub("", match[1])).split()) if match else ""


def _where(exc: TemplateError) -> str:
    line = getattr(exc, "lineno", None)
    return f"Zeile {line}: " if line else ""
