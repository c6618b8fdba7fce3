"""The theme's interface texts per language: gettext catalogues in
theme/translations/<code>/LC_MESSAGES/messages.po, compiled with Babel at build time (no .mo files
in the repository: a fresh checkout compiles the same bytes), kept in the build cache by the
digest of what they were compiled from.

The message ids are the German texts; the German catalogue repeats them as its msgstr (`invoke
translations` fills them in), so German pages read the same either way. Every configured language
must translate every message the translated templates use: a missing one is an error naming the
.po file and line (`check_catalogues`).
"""

from __future__ import annotations

import gettext
import hashlib
import io
import pickle
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from markupsafe import Markup

from newsroom.atomic import atomic_write
from newsroom.dates import BERLIN, german_date, german_datetime
from newsroom.errors import ContentError

CATALOGUE = "translations/{lang}/LC_MESSAGES/messages.po"  # below the theme folder
# The templates whose texts the catalogues must cover (the pages drawn in every language).
TRANSLATED_TEMPLATES = ("base.html", "_macros.html", "translation.html", "translations.html", "search.html")
FORMAT = "1"  # of the compiled record in the build cache; another value compiles anew


def catalogue_path(theme: str | Path, lang: str) -> Path:
    return Path(theme) / CATALOGUE.format(lang=lang)


def _read(path: Path, lang: str):
    from babel.messages.pofile import read_po

    with open(path, "rb") as handle:
        return read_po(handle, locale=lang, abort_invalid=False)


def template_messages(theme: str | Path) -> dict[str, tuple[str, int]]:
    """msgid → (template, line) of every `_()`/gettext text in the translated templates."""
    from jinja2 import Environment

    environment = Environment(extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    found: dict[str, tuple[str, int]] = {}
    folder = Path(theme) / "templates"
    for name in TRANSLATED_TEMPLATES:
        path = folder / name
        if not path.is_file():
            continue
        for line, _function, message in environment.extract_translations(path.read_text(encoding="utf-8")):
            for text in message if isinstance(message, tuple) else (message,):
                if text:
                    found.setdefault(text, (f"templates/{name}", line))
    return found


def _compile(theme: Path, languages: tuple[str, ...], shown_theme: str) -> tuple[list[tuple], dict[str, bytes]]:
    """(the problems as (path, message, line), each readable catalogue compiled to .mo bytes)."""
    from babel.messages.mofile import write_mo

    problems: list[tuple] = []
    compiled: dict[str, bytes] = {}
    wanted = template_messages(theme) if languages else {}
    for lang in languages:
        path = catalogue_path(theme, lang)
        shown = f"{shown_theme}/{CATALOGUE.format(lang=lang)}"
        if not path.is_file():
            problems.append((shown, f"Der Katalog der Oberflächentexte für „{lang}“ fehlt (LANGUAGES). "
                                    "Anlegen mit `invoke translations`.", None))
            continue
        try:
            catalogue = _read(path, lang)
        except Exception as exc:  # Babel reports a broken file in many ways; the editor needs the file named
            problems.append((shown, f"Der Katalog lässt sich nicht lesen: {exc}", None))
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
                problems.append((shown, f"Der Text „{ids[0]}“ {what}.", message.lineno))
        for text, (template, line) in wanted.items():
            if text not in known:
                problems.append((shown, f"Der Text „{text}“ aus {shown_theme}/{template}, Zeile {line}, "
                                        "fehlt im Katalog. Ergänzen mit `invoke translations`.", None))
        buffer = io.BytesIO()
        write_mo(buffer, catalogue)
        compiled[lang] = buffer.getvalue()
    return problems, compiled


class Compiled:
    """The catalogues checked and compiled, kept in the build cache's folder by a digest of the
    templates and .po files they come from: Babel and the templates' parser (a second per build)
    run only when one of them changed."""

    def __init__(self, theme: str | Path, languages: tuple[str, ...], cache_path: str | None,
                 shown_theme: str = "theme"):
        theme = Path(theme)
        digest = hashlib.sha256(f"{FORMAT}\0{shown_theme}\0{','.join(languages)}".encode())
        for path in [theme / "templates" / name for name in TRANSLATED_TEMPLATES] + [
                catalogue_path(theme, lang) for lang in languages]:
            digest.update(str(path).encode() + b"\0")
            digest.update(path.read_bytes() if path.is_file() else b"\0missing")
        key = digest.hexdigest()[:32]
        folder = Path(cache_path) / "catalogues" if cache_path else None
        record = folder / f"{key}.pickle" if folder else None
        try:
            self.problems, self.compiled = pickle.loads(record.read_bytes())
            return
        except (OSError, AttributeError, pickle.UnpicklingError, EOFError, ValueError):
            pass
        self.problems, self.compiled = _compile(theme, languages, shown_theme)
        if record is not None:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write(record, pickle.dumps((self.problems, self.compiled), protocol=5))

    def errors(self) -> list[ContentError]:
        return [ContentError(path, message, line=line) for path, message, line in self.problems]


def check_catalogues(theme: str | Path, languages: tuple[str, ...], cache_path: str | None = None,
                     shown_theme: str = "theme") -> list[ContentError]:
    """Every problem of the catalogues of `languages` (LANGUAGES): a missing file, a text without
    translation, a text of the templates the catalogue lacks."""
    return Compiled(theme, languages, cache_path, shown_theme).errors()


class Interface:
    """The interface texts of every language and the language the page being drawn is in: the
    theme's `_()` and the date filters follow it (`speaking`). One per process; a forked worker
    draws its pages with its own copy."""

    def __init__(self, theme: str | Path, languages: tuple[str, ...], cache_path: str | None = None):
        self.original = languages[0] if languages else "de"
        self.current = self.original
        self.compiled = Compiled(theme, languages, cache_path)
        # A catalogue that cannot be read is reported by the check, which stops the build.
        self.catalogues: dict[str, gettext.NullTranslations] = {
            lang: gettext.GNUTranslations(io.BytesIO(data)) for lang, data in self.compiled.compiled.items()}

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

    def locale(self) -> str:
        """The page's locale as its catalogue names it (base.html's og:locale, e.g. en_GB): dates are
        written as the page's texts are, British English on English pages, not American."""
        from babel import Locale, UnknownLocaleError

        named = self.gettext("de_DE")
        try:
            Locale.parse(named)
        except (ValueError, TypeError, UnknownLocaleError):  # a catalogue's slip costs the dates' region only
            return self.current
        return named

    def long_date(self, value: datetime) -> str:
        """'20. November 2026' in German, the language's own long date otherwise."""
        if self.current == self.original:
            return german_date(value)
        from babel.dates import format_date

        return format_date(value.astimezone(BERLIN) if isinstance(value, datetime) else value, "long",
                           locale=self.locale())

    def long_datetime(self, value: datetime) -> str:
        if self.current == self.original:
            return german_datetime(value)
        from babel.dates import format_date, format_time

        moment, locale = value.astimezone(BERLIN), self.locale()
        return f"{format_date(moment, 'long', locale=locale)}, {format_time(moment, 'short', locale=locale)}"


def install(environment, interface: Interface, languages: dict) -> None:
    """Give a Jinja environment that draws the theme's pages `_()`, the date filters and the
    language switch's values (every generator's, via plugins/template_filters; the subscription
    service's)."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(interface.gettext, interface.ngettext, newstyle=True)
    environment.filters.update(date_long=interface.long_date, datetime_long=interface.long_datetime)
    environment.globals.update(
        language=interface.language, in_original=interface.in_original, language_home=interface.language_home,
        language_link=interface.language_link, languages=languages, original_language=interface.original)


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
    key = (theme, languages, tuple(stamps), settings.get("CACHE_PATH"))
    found = _INTERFACES.get(key)
    if found is None:
        found = _INTERFACES[key] = Interface(theme, languages, settings.get("CACHE_PATH"))
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
