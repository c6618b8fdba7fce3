"""template_filters: German dates, site URLs, credits and table frames for every generator's Jinja environment.

Connected to `generator_init`, which fires for each generator once its Jinja
environment exists, so all generators render dates and links the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from markupsafe import Markup, escape
from pelican import signals

from newsroom.dates import german_date, german_datetime, iso, month_name, short_german_date
from newsroom.deploy.headers import site_policy
from newsroom.languages.catalogues import install, interface_for
from newsroom.media.credits import credit_of
from newsroom.site import SiteUrls


def phone_link(number: str) -> str:
    """'0211 89-93131' → '+4921189993131'-style tel: target (German numbers)."""
    digits = "".join(c for c in number if c.isdigit() or c == "+")
    if digits.startswith("0") and not digits.startswith("00"):
        return "+49" + digits[1:]
    return digits


_TABLE = re.compile(r"<table\b.*?</table>", re.S)
# A frame that scrolls sideways where the table is wider than the screen: focusable, so that the
# arrow keys scroll a table without links, and named, because a focusable element needs a name.
_TABLE_FRAME = '<div class="table-scroll" role="region" aria-label="{label}" tabindex="0">{table}</div>'


def scrollable_tables(html: str, label: str = "Tabelle") -> Markup:
    """A text's HTML (Markdown's tables) with each table in a frame that scrolls sideways on a phone,
    named `label`: a page in another language passes its own word (`_("Tabelle")`, translation.html)."""
    name = escape(label)
    return Markup(_TABLE.sub(lambda match: _TABLE_FRAME.format(label=name, table=match.group(0)), str(html)))


_BYTECODE_CACHES: dict[str, FileSystemBytecodeCache] = {}


def bytecode_cache(cache_path: str) -> FileSystemBytecodeCache:
    """One per cache folder and process: every generator shares it (one mkdir, not ten)."""
    folder = Path(cache_path) / "jinja"
    cache = _BYTECODE_CACHES.get(str(folder))
    if cache is None or not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        cache = _BYTECODE_CACHES[str(folder)] = FileSystemBytecodeCache(str(folder))
    return cache


def add_filters(generator) -> None:
    urls = SiteUrls.from_settings(generator.settings)
    cache_path = generator.settings["CACHE_PATH"]
    if cache_path:  # compiled templates survive the process: no re-compiling on every build
        generator.env.bytecode_cache = bytecode_cache(cache_path)
    generator.env.filters.update(
        datum=german_date,
        datum_zeit=german_datetime,
        datum_kurz=short_german_date,
        iso=iso,
        monatsname=month_name,
        href=urls.href,
        absolute=urls.absolute,
        tel=phone_link,
        scrollable_tables=scrollable_tables,
        credit=credit_of,  # a media item's credit, its label once: „Foto: Name“
        media=lambda path: urls.href(urls.media(path)),
        media_absolute=lambda path: urls.absolute(urls.media(path)),
    )
    # Every page's <meta> Content-Security-Policy (base.html): the same policy the server sends.
    generator.env.globals.update(urls=urls, content_security_policy=site_policy(generator.settings).meta())
    # Interface texts with _() in the language the page is drawn in (newsroom/languages/catalogues.py).
    install(generator.env, interface_for(generator.settings), generator.settings["LANGUAGES"])


def register() -> None:
    signals.generator_init.connect(add_filters)
