"""The schema of every newsroom setting: name, type, default, meaning and group.

A default lives here and nowhere else: `load_settings` (newsroom.build.runner) fills every
setting the settings file leaves out, and checks every known setting's type at once. Code
reads a setting by index, never with a fallback of its own. Settings that do not come from a
settings file (a test's dict) go through `with_defaults`. docs/settings.md and the README's
table are made from this list (`invoke settings-doc`).
"""

from __future__ import annotations

import copy
import difflib
import pprint
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from pelican.settings import DEFAULT_CONFIG

from newsroom.dates import parse_datetime
from newsroom.errors import SettingsErrors
from newsroom.feeds.formats import FORMATS
from newsroom.share_links import CHANNELS as SHARE_CHANNELS


def shown(value) -> str:
    return f"„{value}“"


# ---------------------------------------------------------------------------------------------
# Types: each says what it accepts (`label`, for the documentation) and what is wrong with a
# value (`problem`: a German sentence, or None).


class Kind:
    label = ""

    def problem(self, value) -> str | None:
        raise NotImplementedError


@dataclass(frozen=True)
class Bool(Kind):
    label = "bool"

    def problem(self, value):
        return None if isinstance(value, bool) else f"{shown(value)} ist nicht True oder False."


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Int(Kind):
    minimum: int | None = None

    @property
    def label(self):
        return "int" if self.minimum is None else f"int ≥ {self.minimum}"

    def problem(self, value):
        if _integer(value) and (self.minimum is None or value >= self.minimum):
            return None
        return f"{shown(value)} ist keine ganze Zahl" + ("." if self.minimum is None else f" ab {self.minimum}.")


@dataclass(frozen=True)
class Number(Kind):
    """Seconds and the like: an int or a float."""

    minimum: float = 0

    @property
    def label(self):
        return f"number ≥ {self.minimum}"

    def problem(self, value):
        if (_integer(value) or isinstance(value, float)) and value >= self.minimum:
            return None
        return f"{shown(value)} ist keine Zahl ab {self.minimum}."


@dataclass(frozen=True)
class Text(Kind):
    """A str; with `choices` one of them."""

    choices: tuple[str, ...] = ()

    @property
    def label(self):
        return "one of " + ", ".join(f"`{c}`" for c in self.choices) if self.choices else "str"

    def problem(self, value):
        if not isinstance(value, str):
            return f"{shown(value)} ist kein Text."
        if self.choices and value not in self.choices:
            return f"{shown(value)} ist nicht erlaubt (möglich: {', '.join(self.choices)})."
        return None


@dataclass(frozen=True)
class OrNone(Kind):
    """`kind`, or None (what None means, the description says)."""

    kind: Kind

    @property
    def label(self):
        return f"{self.kind.label} or None"

    def problem(self, value):
        found = None if value is None else self.kind.problem(value)
        return None if found is None else found.removesuffix(".") + " und nicht None."


@dataclass(frozen=True)
class Moment(Kind):
    """A point in time: a datetime, a text like "2026-11-26 09:00", or None for the clock."""

    label = "datetime, str or None"

    def problem(self, value):
        if value is None or value == "" or isinstance(value, datetime):
            return None
        try:
            parse_datetime(str(value))
        except ValueError as exc:
            return str(exc)
        return None


@dataclass(frozen=True)
class Texts(Kind):
    """A list (or tuple) of str; with `choices` each one of them, else `unknown` names the strays."""

    choices: tuple[str, ...] = ()
    unknown: str = "unbekannter Eintrag"

    @property
    def label(self):
        return "list of str" + (f" ({', '.join(self.choices)})" if self.choices else "")

    def problem(self, value):
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            return f"{shown(value)} ist keine Liste von Texten."
        strays = [v for v in value if self.choices and v not in self.choices]
        if strays:
            return f"{self.unknown} {', '.join(strays)} (möglich: {', '.join(self.choices)})."
        return None


@dataclass(frozen=True)
class Pair(Kind):
    """A fixed number of values, each of its own kind: a tuple (or list)."""

    kinds: tuple[Kind, ...]

    @property
    def label(self):
        return "(" + ", ".join(k.label for k in self.kinds) + ")"

    def problem(self, value):
        if (not isinstance(value, (list, tuple)) or len(value) != len(self.kinds)
                or any(k.problem(v) for k, v in zip(self.kinds, value))):
            return f"{shown(value)} ist kein Paar der Form {self.label}."
        return None


@dataclass(frozen=True)
class Pairs(Kind):
    """A list of pairs, e.g. (label, site path)."""

    pair: Pair

    @property
    def label(self):
        return f"list of {self.pair.label}"

    def problem(self, value):
        if not isinstance(value, (list, tuple)):
            return f"{shown(value)} ist keine Liste von Paaren {self.pair.label}."
        return next((f"Eintrag {found}" for found in map(self.pair.problem, value) if found), None)


@dataclass(frozen=True)
class Table(Kind):
    """A dict; with `keys`/`values` each key and value of that kind."""

    keys: Kind | None = None
    values: Kind | None = None

    @property
    def label(self):
        return f"dict[{self.keys.label}, {self.values.label}]" if self.keys and self.values else "dict"

    def problem(self, value):
        if not isinstance(value, dict):
            return f"{shown(value)} ist kein dict."
        for key, item in value.items():
            found = (self.keys and self.keys.problem(key)) or (self.values and self.values.problem(item))
            if found:
                return f"Eintrag {shown(key)}: {found}"
        return None


@dataclass(frozen=True)
class Digits(Kind):
    """A str of exactly `count` digits (a regional key)."""

    count: int

    @property
    def label(self):
        return f"str of {self.count} digits"

    def problem(self, value):
        if isinstance(value, str) and len(value) == self.count and value.isascii() and value.isdigit():
            return None
        return f"{shown(value)} sind nicht genau {self.count} Ziffern (als Text in Anführungszeichen)."


@dataclass(frozen=True)
class Ratio(Kind):
    """An aspect ratio "width:height" of two positive numbers ("16:9", "1.91:1")."""

    label = "str \"width:height\""

    def problem(self, value):
        if isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?:\d+(\.\d+)?", value) \
                and all(float(part) > 0 for part in value.split(":")):
            return None
        return f"{shown(value)} ist kein Seitenverhältnis „Breite:Höhe“ wie „16:9“ oder „1.91:1“."


BOOL, TEXT, TEXTS = Bool(), Text(), Texts()
OPTIONAL_TEXT = OrNone(TEXT)
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
CLOCK = Text(tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 15, 30, 45)))  # a time of day, quarter hours
COUNT = Int(1)  # how many, at least one
SIZE = Int(0)  # bytes or characters
LINKS = Pairs(Pair((TEXT, TEXT)))  # (label, site path)
BLUESKY_LABELS = ("graphic-media", "nudity", "sexual", "porn")  # the self-labels Bluesky's app interprets


@dataclass(frozen=True)
class Setting:
    name: str
    kind: Kind
    default: object
    description: str  # German, one line: for editors and operators
    group: str = ""

    @property
    def pelican(self) -> bool:
        """Pelican defines it too (the schema's default still applies)."""
        return self.name in DEFAULT_CONFIG


def group(name: str, *settings: Setting) -> list[Setting]:
    return [replace(setting, group=name) for setting in settings]


# ---------------------------------------------------------------------------------------------
# The schema. Defaults are the development site's values (pelicanconf.py sets what a city's
# operator fills in); publishconf.py changes what the live site needs.

SCHEMA: tuple[Setting, ...] = (
    *group(
        "Website",
        Setting("SITENAME", TEXT, "Düsseldorf – Nachrichten der Landeshauptstadt",
                "Name der Website: Titelzeile, Feeds, Vorschauen."),
        Setting("SITE_SHORTNAME", TEXT, "Landeshauptstadt Düsseldorf",
                "Kurzname der Stadt: Kopfzeile, Absender in Feeds und sozialen Kanälen."),
        Setting("SITE_DESCRIPTION", TEXT,
                "Aktuelle Meldungen der Landeshauptstadt Düsseldorf: Pressemitteilungen, "
                "Nachrichten aus den Ämtern und den zehn Stadtbezirken.",
                "Beschreibung der Website für Suchmaschinen, Startseite und Feeds."),
        Setting("SITEURL", TEXT, "http://localhost:8000",
                "Absolute Adresse der Website ohne / am Ende: Grundlage für kanonische Links, Sitemap und Feeds."),
        Setting("TIMEZONE", TEXT, "Europe/Berlin", "Zeitzone aller Zeitangaben."),
        Setting("DEFAULT_LANG", TEXT, "de", "Sprache der Seiten (lang-Attribut)."),
        Setting("LANGUAGES", Table(TEXT, TEXT), {"de": "Deutsch", "en": "English"},
                "Sprachen der Website: Sprachcode → Name in der Sprache selbst; die erste ist die der Originale "
                "(DEFAULT_LANG). Jede weitere braucht theme/translations/<code>/LC_MESSAGES/messages.po; "
                "Übersetzungen stehen unter /<code>/ (docs/redaktion.md)."),
        Setting("TRANSLATION_URL", TEXT, "{lang}/news/{date:%Y}/{date:%m}/{slug}/",
                "Adresse einer übersetzten Meldung ({lang}: Sprachcode; Datum der deutschen Meldung)."),
        Setting("PAGE_URL", TEXT, "{slug}/", "Adresse einer statischen Seite (Impressum, Kontakt …)."),
        Setting("LIST_PAGE_SIZE", COUNT, 20, "Meldungen pro Listenseite (Archiv, Themen, Ämter, Stadtbezirke)."),
        Setting("HOME_LATEST", COUNT, 12, "So viele der neuesten Meldungen zeigt die Startseite."),
        Setting("RELATED_STORIES", SIZE, 3, "So viele verwandte Meldungen stehen unter einer Meldung."),
        Setting("SHARE_LINKS", Texts(SHARE_CHANNELS, "unbekannter Kanal"), list(SHARE_CHANNELS),
                "Links zum Teilen einer Meldung, in dieser Reihenfolge (ohne Skript und ohne Anfrage beim Laden); "
                "[]: keine."),
        Setting("MENU", LINKS, [
            ("Aktuelles", "archiv/"),
            ("Themen", "themen/"),
            ("Stadtbezirke", "stadtbezirke/"),
            ("Ämter", "aemter/"),
            ("Presse", "presse/"),
            ("Medienportal", "medienportal/"),
            ("Kontakt", "kontakt/"),
            ("Suche", "suche/"),
        ], "Hauptnavigation: (Beschriftung, Pfad auf der Website)."),
        Setting("FOOTER_LINKS", LINKS, [
            ("Impressum", "impressum/"),
            ("Datenschutz", "datenschutz/"),
            ("Erklärung zur Barrierefreiheit", "barrierefreiheit/"),
            ("Barriere melden", "barrierefreiheit/#barriere-melden"),
            ("Leichte Sprache", "leichte-sprache/"),
            ("Gebärdensprache", "gebaerdensprache/"),
            ("Kontakt", "kontakt/"),
            ("RSS-Feeds", "feeds/"),
            ("E-Mail-Abonnements", "abonnieren/"),
            ("Termine für die Presse", "presse/termine/"),
        ], "Links in der Fußzeile: (Beschriftung, Pfad auf der Website)."),
        Setting("ACCESSIBILITY_FEEDBACK_EMAIL", OPTIONAL_TEXT, "barrierefreiheit@duesseldorf.de",
                "Adresse, an die das Formular „Barriere melden“ über das Mailprogramm sendet."),
    ),
    *group(
        "Meldungen",
        Setting("STORIES_DIR", TEXT, "stories", "Ordner der Meldungen unterhalb von PATH."),
        Setting("PAGES_DIR", TEXT, "pages", "Ordner der statischen Seiten unterhalb von PATH."),
        Setting("STORY_URL", TEXT, "aktuelles/{date:%Y}/{date:%m}/{slug}/", "Adresse einer Meldung auf der Website."),
        Setting("THEMEN", TEXTS, [
            "Verkehr",
            "Umwelt & Klima",
            "Bildung",
            "Kultur",
            "Soziales",
            "Gesundheit",
            "Sicherheit & Ordnung",
            "Bauen & Wohnen",
            "Wirtschaft",
            "Sport & Freizeit",
            "Digitales",
            "Rat & Verwaltung",
            "Jugend & Familie",
            "Veranstaltungen",
        ], "Erlaubte Themen; ein anderes Thema in einer Meldung ist ein Fehler."),
        Setting("AEMTER", TEXTS, [
            "Amt für Kommunikation",
            "Amt für Verkehrsmanagement",
            "Umweltamt",
            "Schulverwaltungsamt",
            "Kulturamt",
            "Amt für Soziales und Arbeit",
            "Gesundheitsamt",
            "Ordnungsamt",
            "Feuerwehr",
            "Amt für Wohnungswesen",
            "Stadtplanungsamt",
            "Jugendamt",
            "Sportamt",
            "Amt für Digitalisierung",
            "Garten-, Friedhofs- und Forstamt",
            "Amt für Wirtschaftsförderung",
            "Bürgerservice",
        ], "Erlaubte Ämter; ein anderes Amt in einer Meldung ist ein Fehler."),
        Setting("STADTBEZIRKE", Table(COUNT, TEXT), {
            1: "Altstadt, Carlstadt, Stadtmitte, Pempelfort, Derendorf, Golzheim",
            2: "Flingern-Süd, Flingern-Nord, Düsseltal",
            3: "Oberbilk, Friedrichstadt, Unterbilk, Hafen, Hamm, Volmerswerth, Bilk, Flehe",
            4: "Oberkassel, Heerdt, Lörick, Niederkassel",
            5: "Stockum, Lohausen, Kaiserswerth, Wittlaer, Angermund, Kalkum",
            6: "Lichtenbroich, Unterrath, Rath, Mörsenbroich",
            7: "Gerresheim, Grafenberg, Ludenberg, Hubbelrath, Knittkuhl",
            8: "Eller, Lierenfeld, Vennhausen, Unterbach",
            9: "Wersten, Himmelgeist, Holthausen, Reisholz, Benrath, Urdenbach, Itter, Hassels",
            10: "Garath, Hellerhof",
        }, "Stadtbezirke: Nummer → Stadtteile."),
        Setting("STORY_BODY_MAX_BYTES", COUNT, 200_000,
                "Höchstgröße des Textes einer Meldung in Bytes (UTF-8: ein Umlaut zählt 2)."),
        Setting("STORY_FRONT_MATTER_MAX_BYTES", COUNT, 64_000,
                "Höchstgröße des Kopfteils einer Meldung (zwischen den ---) in Bytes."),
        Setting("STORY_MAX_TAGS", SIZE, 20, "Höchstzahl der Schlagwörter einer Meldung."),
        Setting("STORY_TAG_MAX_LENGTH", COUNT, 80, "Höchstlänge eines Schlagworts in Zeichen."),
        Setting("PUBLIC_AUTHORS", Table(TEXT, TEXT), {},
                "Öffentliche Namen für die Git-E-Mail-Adressen der Autorinnen und Autoren; sonst steht „Redaktion“."),
        Setting("NEW_STORY", Table(), {
            "summary": "Anreißer: ein bis zwei Sätze, worum es geht.",
            "contact": {
                "name": "Presse- und Informationsdienst",
                "phone": "0211 89-93131",
                "email": "presse@duesseldorf.de",
            },
            "body": "Hier steht der Text der Meldung. Zwischenüberschriften beginnen mit ##.",
        }, "Vorlage für „invoke new“; steht der Platzhaltertext noch in einer Meldung, ist das ein Fehler."),
    ),
    *group(
        "Krisenmodus",
        Setting("CRISIS_FILE", TEXT, "content/krise.yml",
                "Datei der Krisenmeldung (Krisenmodus), relativ zum Projektordner und innerhalb von PATH; ohne die "
                "Datei gibt es keine Lage."),
        Setting("CRISIS_PHONE", OPTIONAL_TEXT, None,
                "Bürgertelefon der Stadt in einer Lage, auf der Notfallseite neben 112 und 110; None: nur die "
                "Notrufe."),
        Setting("CAP_SENDER", TEXT, "presse@duesseldorf.de",
                "Absender der Krisenmeldungen im CAP-Feed (krise/cap.xml): eine Funktionsadresse der Stadt, nie die "
                "einer Person; ohne Leerzeichen, Kommas, < und &."),
        Setting("CAP_AREA", TEXT, "Stadt Düsseldorf", "Gebiet der Krisenmeldungen im CAP-Feed (areaDesc)."),
        Setting("CAP_AREA_CODE", OPTIONAL_TEXT, "051110000000",
                "Amtlicher Regionalschlüssel (12 Ziffern) des Gebiets im CAP-Feed, wie ihn MoWaS als „SHN“ führt; "
                "None: keiner."),
        Setting("NINA_ARS", OrNone(Digits(12)), None,
                "Amtlicher Regionalschlüssel für die Warnungen des Bundes (NINA), die letzten 7 Ziffern 0 "
                "(Düsseldorf: \"051110000000\"); None: keine amtlichen Warnungen."),
        Setting("NINA_BASE_URL", TEXT, "https://warnung.bund.de/api31",
                "Adresse der NINA-Schnittstelle des Bundesamts für Bevölkerungsschutz (BBK)."),
        Setting("NINA_TIMEOUT", Number(0.1), 10,
                "Sekunden, die „invoke warnings“ auf jede Antwort der NINA-Schnittstelle wartet."),
        Setting("WARNINGS_STATE", TEXT, ".cache/warnungen.json",
                "Datei, in der „invoke warnings“ die abgerufenen Warnungen mit ihrer Zeit festhält; der Build "
                "zeigt, was darin steht (nicht unter content/ oder OUTPUT_PATH)."),
        Setting("WARNINGS_MAX_AGE_MINUTES", COUNT, 180,
                "So lange zeigt die Website die zuletzt abgerufenen Warnungen, wenn der Dienst nicht antwortet; "
                "danach statt ihrer den Hinweis, dass sie nicht abgerufen werden können."),
        Setting("WARNINGS_INCLUDE", Text(("ssi", "inline")), "ssi",
                "Wie die Warnungen in jede Seite kommen: „ssi“ als Server Side Include von /_teile/warnungen.html "
                "(nginx, Apache, invoke serve); „inline“ im Krisenbereich jeder Seite (S3 und Hosts ohne SSI)."),
    ),
    *group(
        "Medientermine",
        Setting("APPOINTMENTS_DIR", TEXT, "termine",
                "Ordner der Medientermine unterhalb von PATH (eine Datei pro Termin, z. B. termine/2026/*.md)."),
        Setting("APPOINTMENTS_URL", TEXT, "presse/termine/",
                "Adresse der Seite „Termine für die Presse“; jeder Termin hat seine Seite darunter (<jahr>/<datei>/)."),
        Setting("APPOINTMENTS_CALENDAR", TEXT, "presse/termine.ics",
                "Adresse des Kalenders aller Medientermine zum Abonnieren (iCalendar)."),
        Setting("APPOINTMENTS_DIGEST_DAYS", COUNT, 7,
                "So viele Tage ab heute zeigt die Seite „Termine der nächsten Tage“ (…/heute/)."),
        Setting("APPOINTMENTS_FEED", TEXT, "termine",
                "Name des Feeds der kommenden Medientermine: feeds/termine/rss.xml."),
    ),
    *group(
        "Veröffentlichung",
        Setting("CHANNELS", TEXTS, ["press", "facebook", "instagram", "instagram_story", "x", "youtube", "mastodon",
                                    "bluesky", "threads", "linkedin", "telegram", "whatsapp", "buerger"],
                "Kanäle, die eine Meldung wählen kann; jeden sendet das Plugin gleichen Namens."),
        Setting("PUBLISH_SEND", BOOL, False, "Nur mit True sendet „invoke publish“ wirklich (publishconf.py)."),
        Setting("PUBLISH_WINDOW_HOURS", COUNT, 48,
                "Fällige Meldungen werden nur so viele Stunden nach ihrer Zeit automatisch gesendet."),
        Setting("PUBLISH_AHEAD_CHANNELS", TEXTS, ["press"],
                "Kanäle, die eine Meldung schon ab ihrer Sperrfrist (embargo) erhalten."),
        Setting("APPROVAL_SINCE", Moment(), None,
                "Sendungen, die ab diesem Zeitpunkt fällig werden, brauchen eine Freigabe durch eine zweite Person "
                "(docs/freigabe.md); None: keine Freigabe nötig."),
        Setting("APPROVAL_REQUIRE_SIGNED", BOOL, False,
                "Nur Freigaben zählen, deren Commit mit dem SSH-Schlüssel der Person aus approvers.yml signiert ist "
                "(Betrieb: True)."),
        Setting("APPROVALS_DIR", TEXT, "approvals", "Ordner der Freigaben unterhalb von PATH (eine Datei pro Freigabe)."),
        Setting("DESK_DIR", TEXT, "desk",
                "Ordner des Desks unterhalb von PATH: approvers.yml (wer freigibt), send-stop.yml (Sendestopp)."),
        Setting("PUBLISH_CREDENTIALS_WARN_DAYS", COUNT, 14,
                "So viele Tage vor dem Ablauf von Zugangsdaten (wo die Plattform ihn nennt) wird der Dienst "
                "per Mail gewarnt."),
        Setting("PUBLISH_RECEIPTS_DIR", TEXT, "receipts",
                "Ordner des Versandprotokolls unterhalb von PATH (eine YAML-Datei pro Meldung)."),
        Setting("PUBLISH_REMOTE", TEXT, "origin", "Git-Remote, zu dem das Versandprotokoll gepusht wird."),
        Setting("PUBLISH_BRANCH", OPTIONAL_TEXT, None,
                "Zweig des Versandprotokolls; None: der ausgecheckte Zweig (main ohne Zweig)."),
        Setting("PUBLISH_GIT_AUTHOR", Pair((TEXT, TEXT)), ("Newsroom-Versand", "newsroom@duesseldorf.de"),
                "Git-Autor der Commits des Versandprotokolls: (Name, E-Mail)."),
        Setting("PUBLISH_CLAIM_LEASE_MINUTES", SIZE, 30,
                "Nach so vielen Minuten gilt ein begonnener Versand als abgebrochen."),
        Setting("PUBLISH_RETRY_SECONDS", Number(0), 120,
                "So viele Sekunden werden Wiederholungen eines Versands versucht (429, 5xx, Verbindungsabbruch)."),
        Setting("PUBLISH_HTTP_TIMEOUT", Pair((Number(0), Number(0))), (5, 30),
                "Sekunden für den Verbindungsaufbau und für jede Antwort der Plattformen."),
        Setting("PUBLISH_PREVIEW_PATH", TEXT, "preview",
                "Ordner der Kanalvorschauen, der Übersicht für den Chef vom Dienst und der Entwurfsseiten "
                "(entwurf/, bei invoke serve unter /entwurf/); nie ausgeliefert."),
        Setting("PUBLISH_OVERVIEW_DAYS", COUNT, 14, "So viele Tage umfasst die Übersicht für den Chef vom Dienst."),
    ),
    *group(
        "Feeds",
        Setting("FEED_ENTRIES", COUNT, 50, "Einträge pro Feed, die neuesten zuerst."),
        Setting("FEED_FULL_CONTENT", BOOL, True, "True: der ganze Text in jedem Eintrag; False: Anreißer und Link."),
        Setting("FEED_FORMATS", Texts(tuple(FORMATS), "unbekanntes Format"), ["rss", "atom", "json"],
                "Formate jedes Feeds: RSS 2.0, Atom, JSON Feed 1.1."),
        Setting("FEED_ID_AUTHORITY", TEXT, "duesseldorf.de",
                "Domain in den Kennungen der Einträge (tag:-URI); nach dem Start nie ändern."),
        Setting("FEED_ID_DATE", TEXT, "2022", "Datum in den Kennungen der Einträge (tag:-URI); nach dem Start nie ändern."),
        Setting("FEED_PRESS_CHANNEL", OPTIONAL_TEXT, "press",
                "Meldungen mit diesem Kanal bilden den Feed der Pressemitteilungen; None: kein solcher Feed."),
        Setting("FEED_MEDIA_PORTAL", TEXT, "medien", "Name des Medienportal-Feeds: feeds/medien/rss.xml."),
    ),
    *group(
        "Soziale Kanäle",
        Setting("SOCIAL_HASHTAGS", TEXTS, ["Düsseldorf"],
                "Hashtags jedes Beitrags, vor denen des Themas und den Schlagwörtern der Meldung."),
        Setting("SOCIAL_THEMA_HASHTAGS", Table(TEXT, TEXTS), {
            "Verkehr": ["Mobilität"],
            "Umwelt & Klima": ["Klimaschutz"],
            "Bildung": ["Bildung"],
            "Kultur": ["Kultur"],
            "Soziales": ["Soziales"],
            "Gesundheit": ["Gesundheit"],
            "Sicherheit & Ordnung": ["Sicherheit"],
            "Bauen & Wohnen": ["Wohnen"],
            "Wirtschaft": ["Wirtschaft"],
            "Sport & Freizeit": ["Sport"],
            "Digitales": ["Digitalisierung"],
            "Rat & Verwaltung": ["Stadtrat"],
            "Jugend & Familie": ["Familie"],
            "Veranstaltungen": ["Veranstaltungen"],
        }, "Hashtags je Thema (Thema → Liste), nach SOCIAL_HASHTAGS und vor den Schlagwörtern der Meldung."),
        Setting("SOCIAL_MAX_HASHTAGS", Table(TEXT, SIZE), {"threads": 1},
                "Höchstzahl der Hashtags je Kanal, wo die Plattform eine setzt (Threads: ein Themen-Tag); "
                "Instagram: INSTAGRAM_MAX_HASHTAGS."),
        Setting("MASTODON_MAX_CHARACTERS", COUNT, 500,
                "Zeichengrenze für „invoke check“; beim Senden gilt die Grenze der Instanz."),
        Setting("MASTODON_CONTENT_WARNINGS", Table(TEXT, TEXT), {},
                "Inhaltswarnung auf Mastodon je Thema, z. B. {\"Sicherheit & Ordnung\": \"Gewalt, Verletzte\"}."),
        Setting("SOCIAL_THREAD_MAX_POSTS", COUNT, 5,
                "Höchstzahl der Beiträge, in die Mastodon und Bluesky einen zu langen eigenen Text teilen (Thread)."),
        Setting("X_MAX_WEIGHTED_LENGTH", COUNT, 280, "Gewichtete Länge eines Beitrags auf X (Emoji zählen 2)."),
        Setting("X_URL_LENGTH", COUNT, 23, "So viel zählt ein Link auf X."),
        Setting("X_IMAGE_MAX_BYTES", COUNT, 5 * 1024 * 1024, "Größere Aufmacherbilder gehen ohne Bild auf X."),
        Setting("FACEBOOK_MAX_CHARACTERS", COUNT, 63206, "Zeichengrenze eines Facebook-Beitrags."),
        Setting("META_GRAPH_API_VERSION", TEXT, "v26.0", "Version der Graph API für Facebook und Instagram."),
        Setting("INSTAGRAM_CAPTION_MAX", COUNT, 2200, "Zeichengrenze einer Instagram-Bildunterschrift."),
        Setting("INSTAGRAM_MAX_HASHTAGS", SIZE, 30, "Höchstzahl der Hashtags eines Instagram-Beitrags."),
        Setting("INSTAGRAM_MAX_MENTIONS", SIZE, 20, "Höchstzahl der Erwähnungen (@) eines Instagram-Beitrags."),
        Setting("INSTAGRAM_IMAGE_MAX_BYTES", COUNT, 8_000_000, "Höchstgröße des Instagram-Bildes (nur JPEG)."),
        Setting("INSTAGRAM_ASPECT_RATIO", Pair((Pair((COUNT, COUNT)), Pair((COUNT, COUNT)))), ((4, 5), (191, 100)),
                "Erlaubte Seitenverhältnisse Breite:Höhe, von hochkant bis quer."),
        Setting("INSTAGRAM_CROP", Text(("4:5", "1:1")), "4:5",
                "Zuschnitt des Instagram-Bildes um den Fokuspunkt: hochkant 4:5 oder quadratisch 1:1."),
        Setting("INSTAGRAM_POLL_SECONDS", Number(0), 3, "Sekunden zwischen den Fragen, ob Meta das Bild geholt hat."),
        Setting("INSTAGRAM_POLL_ATTEMPTS", COUNT, 20,
                "So oft wird gefragt; danach macht der nächste Lauf mit demselben Container weiter."),
        Setting("THREADS_MAX_CHARACTERS", COUNT, 500, "Zeichengrenze eines Threads-Beitrags (Emoji zählen ihre Bytes)."),
        Setting("THREADS_API_VERSION", TEXT, "v1.0", "Version der Threads API (graph.threads.net)."),
        Setting("THREADS_POLL_SECONDS", Number(0), 3, "Sekunden zwischen den Fragen, ob Threads das Bild geholt hat."),
        Setting("THREADS_POLL_ATTEMPTS", COUNT, 20,
                "So oft wird gefragt; danach macht der nächste Lauf mit demselben Container weiter."),
        Setting("INSTAGRAM_VIDEO_POLL_SECONDS", Number(0), 10,
                "Sekunden zwischen den Fragen, ob Meta ein Video (Reel, Story) geholt und umgewandelt hat."),
        Setting("INSTAGRAM_VIDEO_POLL_ATTEMPTS", COUNT, 12,
                "So oft wird je Lauf nach einem Video gefragt (höchstens PUBLISH_RETRY_SECONDS lang); danach macht "
                "der nächste Lauf mit demselben Container weiter."),
        Setting("INSTAGRAM_REELS_SHARE_TO_FEED", BOOL, True,
                "Reels erscheinen auch im Profil-Feed, nicht nur unter „Reels“."),
        Setting("INSTAGRAM_REELS_MAX_BYTES", COUNT, 300_000_000, "Höchstgröße eines Reel-Videos (MP4 oder MOV)."),
        Setting("INSTAGRAM_REELS_SECONDS", Pair((Number(0), Number(0))), (3, 900),
                "Kürzeste und längste Dauer eines Reels in Sekunden."),
        Setting("INSTAGRAM_STORY_VIDEO_MAX_BYTES", COUNT, 100_000_000, "Höchstgröße eines Story-Videos."),
        Setting("INSTAGRAM_STORY_SECONDS", Pair((Number(0), Number(0))), (3, 60),
                "Kürzeste und längste Dauer eines Story-Videos in Sekunden."),
        Setting("INSTAGRAM_VIDEO_MAX_WIDTH", COUNT, 1920, "Höchstbreite eines Videos für Instagram in Pixeln."),
        Setting("YOUTUBE_TITLE_MAX", COUNT, 100, "Zeichengrenze eines YouTube-Titels."),
        Setting("YOUTUBE_DESCRIPTION_MAX_BYTES", COUNT, 5000, "Höchstgröße einer YouTube-Beschreibung in Bytes (UTF-8)."),
        Setting("YOUTUBE_CATEGORY_ID", TEXT, "25", "YouTube-Kategorie der Videos (25: Nachrichten & Politik)."),
        Setting("YOUTUBE_PRIVACY", Text(("public", "unlisted", "private")), "public",
                "Sichtbarkeit hochgeladener Videos."),
        Setting("BLUESKY_MAX_GRAPHEMES", COUNT, 300, "Zeichengrenze eines Bluesky-Beitrags (Grapheme)."),
        Setting("BLUESKY_THUMB_MAX_BYTES", COUNT, 1_000_000,
                "Größere Aufmacherbilder gehen ohne Bild auf Bluesky (dann mit Linkkarte)."),
        Setting("BLUESKY_SELF_LABELS", Table(TEXT, Text(BLUESKY_LABELS)), {},
                "Selbst-Kennzeichnung auf Bluesky je Thema, z. B. {\"Sicherheit & Ordnung\": \"graphic-media\"}."),
        Setting("LINKEDIN_VERSION", TEXT, "202611",
                "Version der LinkedIn-API (JJJJMM, Kopfzeile LinkedIn-Version); LinkedIn bedient jede etwa ein Jahr."),
        Setting("LINKEDIN_MAX_CHARACTERS", COUNT, 3000,
                "Zeichengrenze eines LinkedIn-Beitrags (mit den umgekehrten Schrägstrichen vor Klammern und ähnlichen Zeichen)."),
        Setting("SOCIAL_CROPS", Table(TEXT, Pair((Ratio(), COUNT))), {
            "instagram": ("4:5", 1080), "card": ("1.91:1", 1200), "wide": ("16:9", 1600), "story": ("9:16", 1080),
        }, "Zuschnitte des Aufmacherbilds um seinen Fokuspunkt: Zweck → (Seitenverhältnis, Breite in Pixeln); "
           "kleinere Bilder werden nicht vergrößert. „card“ ist auch das Vorschaubild der Meldungsseite (og:image); "
           "das Seitenverhältnis von „instagram“ bestimmt INSTAGRAM_CROP."),
        Setting("CHANNEL_CROPS", Table(TEXT, TEXT), {
            "instagram": "instagram", "threads": "instagram", "facebook": "card", "linkedin": "card",
            "whatsapp": "card", "x": "wide", "mastodon": "wide", "bluesky": "wide", "telegram": "wide",
            "instagram_story": "story",
        }, "Welcher Zuschnitt aus SOCIAL_CROPS an welchen Kanal geht: Kanal → Zweck."),
        Setting("SOCIAL_CROP_MAX_BYTES", COUNT, 1_000_000,
                "Höchstgröße jedes Zuschnitts (JPEG, Qualität notfalls gesenkt); 1 MB nimmt jede Plattform."),
        Setting("TELEGRAM_CAPTION_MAX", COUNT, 1024,
                "Zeichengrenze einer Bildunterschrift auf Telegram (Emoji zählen 2); längere Texte gehen als "
                "Nachricht mit Linkvorschau."),
        Setting("TELEGRAM_MESSAGE_MAX", COUNT, 4096, "Zeichengrenze einer Telegram-Nachricht (Emoji zählen 2)."),
    ),
    *group(
        "Pressemitteilungen",
        Setting("PRESS_NUMBER_FORMAT", TEXT, "PM {number}/{year}", "Nummer einer Pressemitteilung, jedes Jahr ab 1."),
        Setting("PRESS_SENDER", TEXT, "Landeshauptstadt Düsseldorf · Amt für Kommunikation",
                "Absender im Kopf jeder Pressemitteilung."),
        Setting("PRESS_PLACE", TEXT, "Düsseldorf", "Ort vor dem Datum („Düsseldorf, 26. November 2026“)."),
        Setting("PRESS_FOOTER", TEXT,
                "Sie erhalten diese Pressemitteilung über den Presseverteiler der Landeshauptstadt "
                "Düsseldorf. Abmelden: {unsubscribe}",
                "Fußzeile jeder Pressemitteilung; {unsubscribe} wird zum Abmeldeweg."),
        Setting("PRESS_LIST_ID", TEXT, "Presseverteiler Landeshauptstadt Düsseldorf <presse.duesseldorf.de>",
                "Kopfzeile List-Id der Mails."),
        Setting("PRESS_UNSUBSCRIBE", OPTIONAL_TEXT, None,
                "Abmeldeweg (mailto: oder https:); None: eine Mail an die Antwort- oder Absenderadresse."),
        Setting("PRESS_ATTACH_IMAGE", BOOL, False, "True: das Aufmacherbild geht als Anhang mit (verlinkt ist es immer)."),
        Setting("PRESS_ATTACHMENT_MAX_BYTES", SIZE, 2_000_000, "Höchstgröße des Bildanhangs in Bytes."),
        Setting("PRESS_BATCH", COUNT, 25,
                "Empfänger pro Stapel; nach einem Absturz sind höchstens so viele unklar."),
        Setting("PRESS_SMTP_TIMEOUT", Number(0), 60, "Sekunden, die auf jede Antwort des SMTP-Servers gewartet wird."),
        Setting("PRESS_SMTP_RECONNECTS", SIZE, 3,
                "Neue Verbindungen nach einem Abbruch in einem Lauf; dann macht ein späterer Lauf weiter."),
    ),
    *group(
        "Abonnements",
        Setting("SUBSCRIPTIONS_URL", TEXT, "http://127.0.0.1:8010/abo/",
                "Öffentliche Adresse des Abonnement-Dienstes (Anmeldung, Verwaltung); die Website verlinkt sie, "
                "die Mails nennen sie."),
        Setting("SUBSCRIPTIONS_UPSTREAM", TEXT, "127.0.0.1:8010",
                "Adresse:Port, auf dem der Dienst (uvicorn) lauscht; liegt SUBSCRIPTIONS_URL auf der Adresse der "
                "Website, leitet der Webserver deren Pfad dorthin weiter (invoke server-config)."),
        Setting("SUBSCRIPTIONS_CONSENT_VERSION", TEXT, "2026-12",
                "Fassung des Einwilligungstexts; jede Einwilligung hält fest, welcher Fassung sie galt."),
        Setting("SUBSCRIPTIONS_CONFIRM_HOURS", COUNT, 48,
                "So lange gilt der Bestätigungslink einer Anmeldung; danach ist sie verfallen."),
        Setting("SUBSCRIPTIONS_PENDING_DAYS", COUNT, 7,
                "Nie bestätigte Anmeldungen werden nach so vielen Tagen gelöscht."),
        Setting("SUBSCRIPTIONS_RETENTION_DAYS", COUNT, 30,
                "Abgemeldete und gesperrte Adressen werden so viele Tage nach ihrer letzten Änderung gelöscht "
                "(beim Start des Dienstes und mit jedem Lesen des Rückläufer-Postfachs)."),
        Setting("SUBSCRIPTIONS_HARD_BOUNCES", COUNT, 3,
                "Nach so vielen endgültigen Unzustellbarkeiten (5.x.x) wird eine Adresse gesperrt."),
        Setting("SUBSCRIPTIONS_COMPLAINTS", COUNT, 1,
                "Nach so vielen Spam-Beschwerden (ARF) wird eine Adresse gesperrt."),
        Setting("SUBSCRIPTIONS_ALERTS_SINCE", Moment(), None,
                "Ab diesem Zeitpunkt geht jede veröffentlichte Meldung an die E-Mail-Benachrichtigungen (Kanal "
                "buerger; abwählen mit „channels: {buerger: false}“), und die täglichen und wöchentlichen "
                "Zusammenfassungen gehen hinaus; None: nur Meldungen, die den Kanal wählen, keine Zusammenfassungen."),
        Setting("SUBSCRIPTIONS_DAILY_AT", CLOCK, "17:00",
                "Uhrzeit der täglichen Zusammenfassung; sie nennt die Meldungen der 24 Stunden davor."),
        Setting("SUBSCRIPTIONS_WEEKLY_ON", Pair((Text(WEEKDAYS), CLOCK)), ("Freitag", "17:00"),
                "Wochentag und Uhrzeit der wöchentlichen Zusammenfassung; sie nennt die Meldungen der 7 Tage davor."),
        Setting("SUBSCRIPTIONS_BATCH", COUNT, 50,
                "Empfänger pro Stapel der E-Mail-Benachrichtigungen; nach einem Absturz sind höchstens so viele "
                "unklar."),
        Setting("SUBSCRIPTIONS_LIST_ID", TEXT, "Nachrichten der Landeshauptstadt Düsseldorf <abo.duesseldorf.de>",
                "Kopfzeile List-Id der E-Mail-Benachrichtigungen und Zusammenfassungen."),
    ),
    *group(
        "Medienportal",
        Setting("MEDIA_DIR", TEXT, "media", "Ordner der Fotos, Videos und Dokumente unterhalb von PATH."),
        Setting("MEDIA_URL", TEXT, "medien/{path}", "Adresse einer Mediendatei auf der Website."),
        Setting("MEDIA_RENDITIONS", Table(TEXT), {"widths": [320, 640, 1024, 1600], "formats": ["webp", "jpg"],
                                                  "jpeg_quality": 82, "webp_quality": 78},
                "Breiten, Formate und Qualität der Bildfassungen; eine Änderung zeichnet jedes Foto einmal neu."),
        Setting("MEDIA_SERIES", Table(TEXT, TEXT), {
            "Video-Wochenrückblick": "Jeden Freitag die Woche in der Landeshauptstadt in drei Minuten: "
                                     "was der Rat beschlossen hat, was sich in den Stadtbezirken tut und was ansteht.",
        }, "Serien des Medienportals mit eigener Seite: Name → Beschreibung."),
        Setting("MEDIA_RIGHTS_WARN_DAYS", COUNT, 30,
                "So viele Tage vor dem Ende der Nutzungsrechte eines Fotos („rechte_bis“) warnen „invoke check“ "
                "und der Desk."),
    ),
    *group(
        "Deploy",
        Setting("DEPLOY_TARGET", OPTIONAL_TEXT, None,
                "Ziel von „invoke deploy“: Ordner, rsync:host:/ordner oder s3://bucket/präfix "
                "(NEWSROOM_DEPLOY_TARGET geht vor)."),
        Setting("DEPLOY_KEEP_RELEASES", COUNT, 3,
                "So viele Fassungen bleiben in einem Ordner- oder rsync-Ziel, die laufende eingeschlossen."),
        Setting("DEPLOY_CACHE_CONTROL", LINKS, [
            ("admin/*", "no-cache"),
            ("*.html", "public, max-age=300"),
            ("*.xml", "public, max-age=300"),
            ("*.json", "public, max-age=300"),
            ("*.txt", "public, max-age=300"),
            ("medien/*", "public, max-age=86400"),
            ("*", "public, max-age=3600"),
        ], "Cache-Control je Pfadmuster für Objektspeicher und CDN; das erste passende gilt."),
    ),
    *group(
        "Sicherheits-Header",
        Setting("CSP_FRAME_SOURCES", TEXTS, ["https://www.youtube-nocookie.com"],
                "Quellen, die als Frame laden dürfen (der YouTube-Player nach Einwilligung)."),
        Setting("CSP_FORM_ACTION", TEXTS, [], "Weitere Ziele für Formulare, z. B. ein Newsletter-Dienst."),
        Setting("CSP_FRAME_ANCESTORS", Text(("'none'", "'self'")), "'none'",
                "Wer die Seiten einbetten darf (nur als Header)."),
        Setting("SERVER_ROOT", TEXT, "/srv/www/newsroom/current",
                "Dokumentenwurzel des Webservers (der laufende Ordner des Deploy-Ziels)."),
        Setting("SERVER_NAME", OPTIONAL_TEXT, None, "Hostname(n) des Webservers; None: der Host von SITEURL."),
        Setting("SERVER_LISTEN", TEXT, "443", "Port oder Adresse:Port des Webservers („80“, wenn TLS davor endet)."),
        Setting("SERVER_TLS_CERTIFICATE", OPTIONAL_TEXT, "/etc/ssl/certs/newsroom.pem",
                "TLS-Zertifikat; None: nur HTTP (TLS endet vor dem Server)."),
        Setting("SERVER_TLS_KEY", OPTIONAL_TEXT, "/etc/ssl/private/newsroom.key", "Schlüssel zum TLS-Zertifikat."),
        Setting("SERVER_HSTS", TEXT, "max-age=31536000; includeSubDomains",
                "Strict-Transport-Security; \"\" sendet keinen."),
        Setting("SERVER_REFERRER_POLICY", TEXT, "strict-origin-when-cross-origin", "Referrer-Policy."),
        Setting("SERVER_PERMISSIONS_POLICY", TEXT,
                "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
                "Permissions-Policy."),
    ),
    *group(
        "Redaktionsoberfläche",
        Setting("ADMIN_PATH", TEXT, "admin", "Pfad der Redaktionsoberfläche; \"\" lässt sie weg."),
        Setting("ADMIN_CONTENT_FOLDER", TEXT, "content", "PATH vom Wurzelordner des Repositorys aus gesehen."),
        Setting("ADMIN_UPLOAD_FOLDER", TEXT, "fotos", "Ordner unter content/media für das Bild einer Meldung."),
        Setting("ADMIN_MEDIA_FOLDERS", Table(TEXT, Text(("photo", "video", "document"))),
                {"fotos": "photo", "videos": "video", "dokumente": "document"},
                "Ordner unter content/media, in die hochgeladen wird, mit der Art ihrer Dateien."),
        Setting("ADMIN_BACKEND", Table(TEXT), {
            "name": "gitlab",
            "repo": "amt-fuer-kommunikation/newsroom",
            "branch": "main",
            "auth_type": "pkce",
            "app_id": None,
            "base_url": "https://gitlab.duesseldorf.de",
            "api_root": "https://gitlab.duesseldorf.de/api/v4",
        }, "Anmeldung auf der Live-Website: GitLab-Projekt und OAuth-Anwendung (app_id ist nicht geheim)."),
        Setting("ADMIN_LIVE", BOOL, False,
                "True für die Live-Website: ohne app_id und base_url bricht der Build ab (publishconf.py)."),
        Setting("ADMIN_LOCAL_BACKEND_URL", OPTIONAL_TEXT, None,
                "Adresse von decap-server; None: http://localhost:8081/api/v1 („invoke cms“)."),
        Setting("ADMIN_CHANNEL_LABELS", Table(TEXT, TEXT), {
            "press": "Pressemitteilung per E-Mail", "facebook": "Facebook", "instagram": "Instagram",
            "instagram_story": "Instagram-Story", "x": "X", "youtube": "YouTube", "mastodon": "Mastodon",
            "bluesky": "Bluesky", "threads": "Threads", "linkedin": "LinkedIn", "telegram": "Telegram",
            "whatsapp": "WhatsApp-Kanal", "buerger": "E-Mail-Benachrichtigungen",
        }, "Beschriftung der Kanäle in der Redaktionsoberfläche."),
    ),
    *group(
        "Build",
        Setting("PATH", TEXT, "content", "Ordner der Inhalte."),
        Setting("OUTPUT_PATH", TEXT, "output", "Ordner der gebauten Website."),
        Setting("THEME", TEXT, "theme", "Ordner der Vorlagen, Styles und Skripte."),
        Setting("CACHE_PATH", OPTIONAL_TEXT, ".cache",
                "Ordner des Build-Caches (gelesene Meldungen, Bildfassungen); None: keiner."),
        Setting("PLUGIN_PATHS", TEXTS, ["."], "Ordner, der das Paket plugins enthält (relativ zur Einstellungsdatei)."),
        Setting("PLUGINS", TEXTS, [
            "plugins.template_filters", "plugins.stories", "plugins.translations", "plugins.static_pages", "plugins.assets",
            "plugins.media_portal", "plugins.appointments", "plugins.press_room", "plugins.admin", "plugins.feeds",
            "plugins.sitemap", "plugins.crisis_alerts", "plugins.mastodon", "plugins.channel_preview", "plugins.facebook",
            "plugins.instagram", "plugins.x", "plugins.youtube", "plugins.bluesky", "plugins.threads",
            "plugins.linkedin", "plugins.telegram", "plugins.whatsapp", "plugins.instagram_story", "plugins.press",
            "plugins.alerts", "plugins.search", "plugins.desk", "plugins.official_warnings", "plugins.crisis",
            "plugins.crisis_cap", "plugins.easy_read",
        ], "Die geladenen Plugins; ihre Reihenfolge ergibt sich aus dem, was sie liefern und lesen."),
        Setting("JINJA_ENVIRONMENT", Table(TEXT), {
            "autoescape": True,
            "trim_blocks": True,
            "lstrip_blocks": True,
            "extensions": [],
        }, "Einstellungen von Jinja; autoescape zeigt Markup in Titeln als Text, statt es auszuführen."),
        Setting("BUILD_NOW", Moment(), None, "„Jetzt“ für die Zeitplanung; None: die Uhr (Tests und Vorschauen setzen es)."),
        Setting("BUILD_WORKERS", OrNone(COUNT), None, "Prozesse zum Lesen der Meldungen; None: einer pro Kern."),
        Setting("BUILD_FULL", BOOL, False, "True: alles neu bauen, statt auf dem letzten Build aufzubauen (--full)."),
    ),
)

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SCHEMA}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(setting.group for setting in SCHEMA))
# An unknown setting starting like one of the newsroom's own is a typo, not a setting of its own.
PREFIXES: tuple[str, ...] = tuple(sorted({s.name.split("_")[0] + "_" for s in SCHEMA if "_" in s.name and not s.pelican}))
# What Pelican's read_settings adds besides its own defaults.
_PELICAN_DERIVED = {"FEED_DOMAIN"}


def default(name: str):
    """A copy of the setting's default (lists and dicts are never shared)."""
    return copy.deepcopy(BY_NAME[name].default)


def missing_defaults(given) -> dict:
    """Defaults of every schema setting not in `given` (names)."""
    return {setting.name: default(setting.name) for setting in SCHEMA if setting.name not in given}


def problems(settings: Mapping, given=None) -> list[str]:
    """Every problem of `settings`, one German line each: wrong types, and unknown names in
    `given` (the names the settings file and the caller set) that look like newsroom settings."""
    found = []
    for setting in SCHEMA:
        if setting.name in settings:
            problem = setting.kind.problem(settings[setting.name])
            if problem:
                found.append(f"{setting.name}: {problem}")
    if given is None or "SOCIAL_THEMA_HASHTAGS" in given:  # the defaults do not bind a city's own THEMEN
        found += _unknown_themen(settings)
    for name in sorted(given if given is not None else settings):
        if (isinstance(name, str) and name.isupper() and name not in BY_NAME and name not in DEFAULT_CONFIG
                and name not in _PELICAN_DERIVED and name.startswith(PREFIXES)):
            near = difflib.get_close_matches(name, BY_NAME, n=1, cutoff=0.6)
            hint = f" Gemeint ist wohl {near[0]}." if near else ""
            found.append(f"{name}: unbekannte Einstellung.{hint}")
    return found


def _unknown_themen(settings: Mapping) -> list[str]:
    """A Thema's hashtags under a name THEMEN does not know would never be used: a typo."""
    themen, tables = settings.get("THEMEN"), settings.get("SOCIAL_THEMA_HASHTAGS")
    if not isinstance(themen, (list, tuple)) or not isinstance(tables, dict):
        return []
    return [f"SOCIAL_THEMA_HASHTAGS: Das Thema {shown(name)} steht nicht in THEMEN." for name in tables
            if name not in themen]


def validate(settings: Mapping, given=None, source: str = "") -> None:
    """Raise one SettingsErrors naming every problem, or nothing."""
    found = problems(settings, given)
    if found:
        raise SettingsErrors(found, source)


def with_defaults(values: Mapping | None = None) -> dict:
    """Settings that do not come from a settings file (a test's dict): the defaults, then
    `values`; checked like a settings file."""
    values = dict(values or {})
    settings = {**missing_defaults(values), **values}
    validate(settings, given=values)
    return settings


# ---------------------------------------------------------------------------------------------
# Documentation: docs/settings.md and the README's table (`invoke settings-doc`).

README_START = "<!-- settings-table:start -->"
README_END = "<!-- settings-table:end -->"
_LONG = 60  # longer lists and dicts are shown in full below their group's table


def anchor(heading: str) -> str:
    """The anchor GitHub and GitLab give a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _literal(value) -> str:
    return repr(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def reference() -> str:
    """docs/settings.md."""
    lines = [
        "# Settings",
        "",
        "<!-- Generated from newsroom/settings.py by `invoke settings-doc`; do not edit. -->",
        "",
        "Every setting of the newsroom with its type and default. The defaults live in",
        "`newsroom/settings.py` and nowhere else: a settings file (`pelicanconf.py` for development,",
        "`publishconf.py` for the live site) sets only what differs. Every build checks all settings at",
        "once and names each wrong one; an unknown setting that starts like a newsroom setting",
        "(`FEED_`, `PRESS_`, …) is refused with the nearest known name. Settings Pelican defines too",
        "are marked *(Pelican)*.",
        "",
    ]
    for name in GROUPS:
        members = [s for s in SCHEMA if s.group == name]
        lines += [f"## {name}", "", "| Setting | Type | Default | Beschreibung |", "|---|---|---|---|"]
        long = []
        for setting in members:
            literal = _literal(setting.default)
            if len(literal) > _LONG and not isinstance(setting.default, str):
                long.append(setting)
                shown_default = "see below"
            else:
                shown_default = f"`{_cell(literal)}`"
            pelican = " *(Pelican)*" if setting.pelican else ""
            lines.append(f"| `{setting.name}`{pelican} | {_cell(setting.kind.label)} | {shown_default} "
                         f"| {_cell(setting.description)} |")
        lines.append("")
        for setting in long:
            lines += [f"`{setting.name}`:", "", "```python", _pretty(setting.default), "```", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _pretty(value) -> str:
    return pprint.pformat(value, width=100, sort_dicts=False)


def readme_table() -> str:
    """The README's part between README_START and README_END."""
    lines = ["| Group | Settings | Reference |", "|---|---|---|"]
    for name in GROUPS:
        names = ", ".join(f"`{s.name}`" for s in SCHEMA if s.group == name)
        lines.append(f"| {name} | {names} | [docs/settings.md](docs/settings.md#{anchor(name)}) |")
    return "\n".join(lines) + "\n"


def readme_with_table(readme: str) -> str:
    """`readme` with its settings table replaced (or a Settings section added before the last one)."""
    table = f"{README_START}\n{readme_table()}{README_END}"
    if README_START in readme and README_END in readme:
        head, rest = readme.split(README_START, 1)
        return head + table + rest.split(README_END, 1)[1]
    section = ("## Settings\n\nEvery setting, its type, default and meaning: [docs/settings.md](docs/settings.md), "
               "generated from `newsroom/settings.py` by `invoke settings-doc`.\n\n" + table + "\n")
    return readme.rstrip("\n") + "\n\n" + section
