"""The theme's interface texts per language: gettext catalogues in
theme/translations/<code>/LC_MESSAGES/messages.po, read with Babel at build time (no compiled .mo
files: the catalogue is compiled in memory, so a fresh checkout builds the same bytes).

The message ids are the German texts; the German catalogue repeats them as its msgstr (`invoke
translations` fills them in), so German pages read the same either way. Every configured language
must translate every message the translated templates use: a missing one is an error naming the
.po file and line (`check_catalogues`).
"""

from __future__ import annotations

import gettext
import io
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from markupsafe import Markup

from newsroom.dates import BERLIN, german_date, german_datetime
from newsroom.errors import ContentError

CATALOGUE = "translations/{lang}/LC_MESSAGES/messages.po"  # below the theme folder
# The templates whose texts the catalogues must cover (the pages drawn in every language).
TRANSLATED_TEMPLATES = ("base.html", "_macros.html", "translation.html", "translations.html")


def catalogue_path(theme: str | Path, lang: str) -> Path:
    return Path(theme) / CATALOGUE.format(lang=lang)


def _read(path: Path, lang: str):
    from babel.messages.pofile import read_po

    with open(path, "rb") as handle:
        return read_po(handle, locale=lang, abort_invalid=False)


def _compiled(path: Path, lang: str) -> gettext.GNUTranslations:
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, _read(path, lang))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def template_messages(theme: str | Path) -> dict[str, tuple[str, int]]:
    """msgid → (template, line) of every `_()`/gettext text in the translated templates."""
    from babel.messages.extract import extract_from_file

    found: dict[str, tuple[str, int]] = {}
    folder = Path(theme) / "templates"
    for name in TRANSLATED_TEMPLATES:
        path = folder / name
        if not path.is_file():
            continue
        for line, message, _comments, _context in extract_from_file(
                "jinja2.ext:babel_extract", str(path), options={"extensions": "jinja2.ext.i18n",
                                                                "trim_blocks": "true", "lstrip_blocks": "true"}):
            for text in message if isinstance(message, tuple) else (message,):
                if text:
                    found.setdefault(text, (f"templates/{name}", line))
    return found


def check_catalogues(theme: str | Path, languages: tuple[str, ...], shown_theme: str = "theme") -> list[ContentError]:
    """Every problem of the catalogues of `languages` (LANGUAGES): a missing file, a text without
    translation, a text of the templates the catalogue lacks."""
    errors: list[ContentError] = []
    wanted = template_messages(theme) if languages else {}
    for lang in languages:
        path = catalogue_path(theme, lang)
        shown = f"{shown_theme}/{CATALOGUE.format(lang=lang)}"
        if not path.is_file():
            errors.append(ContentError(shown, f"Der Katalog der Oberflächentexte für „{lang}“ fehlt (LANGUAGES). "
                                       "Anlegen mit `invoke translations`."))
            continue
        try:
            catalogue = _read(path, lang)
        except Exception as exc:  # Babel reports a broken file in many ways; the editor needs the file named
            errors.append(ContentError(shown, f"Der Katalog lässt sich nicht lesen: {exc}"))
            continue
        known = set()
        for message in catalogue:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            known.update(ids)
            texts = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(texts) or message.fuzzy:
                what = "ist nur vorläufig (fuzzy)" if all(texts) else "hat keine Übersetzung (msgstr)"
                errors.append(ContentError(shown, f"Der Text „{ids[0]}“ {what}.", line=message.lineno))
        for text, (template, line) in wanted.items():
            if text not in known:
                errors.append(ContentError(shown, f"Der Text „{text}“ aus {shown_theme}/{template}, Zeile {line}, "
                                           "fehlt im Katalog. Ergänzen mit `invoke translations`."))
    return errors


class Interface:
    """The interface texts of every language and the language the page being drawn is in: the
    theme's `_()` and the date filters follow it (`speaking`). One per process; a forked worker
    draws its pages with its own copy."""

    def __init__(self, theme: str | Path, languages: tuple[str, ...]):
        self.original = languages[0] if languages else "de"
        self.current = self.original
        self.catalogues: dict[str, gettext.NullTranslations] = {}
        for lang in languages:
            path = catalogue_path(theme, lang)
            try:
                self.catalogues[lang] = _compiled(path, lang)
            except (OSError, ValueError):  # reported by check_catalogues; the texts stay German
                self.catalogues[lang] = gettext.NullTranslations()

    def gettext(self, message: str) -> str:
        catalogue = self.catalogues.get(self.current)
        return catalogue.gettext(message) if catalogue else message

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        catalogue = self.catalogues.get(self.current)
        if catalogue:
            return catalogue.ngettext(singular, plural, count)
        return singular if count == 1 else plural

    def language(self) -> str:
        return self.current

    def in_original(self, link: bool = False) -> Markup:
        """` lang="de"` for a German text (a menu label, a Thema) on a page in another language, else
        nothing (WCAG 3.1.2: every change of language is marked); a `link` to a German page also says
        where it leads (hreflang)."""
        if self.current == self.original:
            return Markup("")
        return Markup(f' lang="{self.original}"' + (f' hreflang="{self.original}"' if link else ""))

    def language_home(self, lang: str | None = None) -> str:
        """The site path of a language's home page: the site's own for the originals' language."""
        lang = lang or self.current
        return "" if lang == self.original else f"{lang}/"

    def language_link(self, lang: str, alternates=None) -> str:
        """Where the language switch leads: this page in `lang` if there is one, else that language's home."""
        return dict(alternates or ()).get(lang) or self.language_home(lang)

    @contextmanager
    def speaking(self, lang: str):
        before, self.current = self.current, lang
        try:
            yield
        finally:
            self.current = before

    def long_date(self, value: datetime) -> str:
        """'20. November 2026' in German, the language's own long date otherwise."""
        if self.current == self.original:
            return german_date(value)
        from babel.dates import format_date

        return format_date(value.astimezone(BERLIN) if isinstance(value, datetime) else value, "long",
                           locale=self.current)

    def long_datetime(self, value: datetime) -> str:
        if self.current == self.original:
            return german_datetime(value)
        from babel.dates import format_date, format_time

        moment = value.astimezone(BERLIN)
        return f"{format_date(moment, 'long', locale=self.current)}, {format_time(moment, 'short', locale=self.current)}"


_INTERFACES: dict[tuple, Interface] = {}


def interface_for(settings: dict) -> Interface:
    """The process's Interface for these settings (every generator's environment shares it)."""
    theme, languages = str(settings["THEME"]), tuple(settings["LANGUAGES"])
    stamps = []
    for lang in languages:  # an edited catalogue is read again by a process that builds more than once
        try:
            stamp = catalogue_path(theme, lang).stat()
            stamps.append((stamp.st_mtime_ns, stamp.st_size))
        except OSError:
            stamps.append(None)
    key = (theme, languages, tuple(stamps))
    found = _INTERFACES.get(key)
    if found is None:
        found = _INTERFACES[key] = Interface(theme, languages)
    return found


def update_catalogues(theme: str | Path, languages: tuple[str, ...]) -> list[Path]:
    """Bring every language's catalogue in line with the templates' texts (`invoke translations`):
    new texts are added without translation (the originals' language: the text itself), texts the
    templates no longer use are dropped, translations kept. Written in a fixed order and without
    dates, so the same texts give the same file."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    wanted = template_messages(theme)
    written = []
    for number, lang in enumerate(languages):
        path = catalogue_path(theme, lang)
        old = _read(path, lang) if path.is_file() else None
        catalogue = Catalog(locale=lang, project="Newsroom Düsseldorf", version="1", fuzzy=False,
                            creation_date=datetime(2026, 1, 1, tzinfo=BERLIN),
                            revision_date=datetime(2026, 1, 1, tzinfo=BERLIN))
        for text, (template, line) in sorted(wanted.items(), key=lambda pair: (pair[1], pair[0])):
            kept = old.get(text) if old is not None else None
            string = kept.string if kept is not None and kept.string and not kept.fuzzy else ""
            catalogue.add(text, string or (text if number == 0 else ""), locations=[(template, line)])
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        write_po(buffer, catalogue, width=120, omit_header=False, include_lineno=True)
        data = buffer.getvalue()
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
            written.append(path)
    return written
