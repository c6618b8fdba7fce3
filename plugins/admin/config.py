"""The Decap CMS configuration (admin/config.yml), made from the same settings and field lists
the reader checks against, so the browser form and `invoke check` cannot drift apart.

Every field of a story (newsroom.content.reader.STORY_FIELDS), a translation
(newsroom.languages.translation.FIELDS, one collection per language), a page (static_pages.PAGE_FIELDS),
a media description (newsroom.media.library.SIDECAR_FIELDS) and the crisis message
(newsroom.crisis.reader.CRISIS_FIELDS, one file) has a widget here; tests/test_admin.py fails when
the schema gains a field this file does not know. Two widgets and the sidecar format are ours
(cms/admin/newsroom-admin.js): "channel" (switch plus own text), "mediafile" (the described file,
which names the description) and "newsroom-sidecar"; the script also keeps translation files out
of the stories' collection.
"""

from __future__ import annotations

from newsroom.content.page import PAGE_FORMS
from newsroom.errors import ConfigurationError
from newsroom.media.library import IMAGE_SUFFIXES

# German commit messages: editors read them in `git log` and in the "Aktualisiert" history.
COMMIT_MESSAGES = {
    "create": "Neue {{collection}} „{{slug}}“",
    "update": "{{collection}} „{{slug}}“ geändert",
    "delete": "{{collection}} „{{slug}}“ gelöscht",
    "uploadMedia": "Mediendatei „{{path}}“ hochgeladen",
    "deleteMedia": "Mediendatei „{{path}}“ gelöscht",
}
DATETIME = {"widget": "datetime", "format": "YYYY-MM-DD HH:mm", "date_format": "DD.MM.YYYY",
            "time_format": "HH:mm", "picker_utc": False}
ID_HINT = "Wird automatisch vergeben und nie geändert."
SLUG_PATTERN = ["^[a-z0-9]+(-[a-z0-9]+)*$", "Nur a–z, 0–9 und einzelne Bindestriche."]
# Titles YAML 1.1 would read as true/false: Decap writes them unquoted, the build would refuse them.
TITLE_PATTERN = ["^(?![Jj]a$|[Nn]ein$|[Yy]es$|[Nn]o$|[Oo]n$|[Oo]ff$|[Tt]rue$|[Ff]alse$|[YyNn]$)[\\s\\S]{1,200}$",
                 "1 bis 200 Zeichen; nicht nur „ja“, „nein“, „on“, „off“ o. Ä."]


def _story_url(settings: dict) -> str | None:
    """STORY_URL as the channel widget fills it in ({year}, {month}, {slug}); None when it needs more."""
    pattern = settings["STORY_URL"].replace("{date:%Y}", "{year}").replace("{date:%m}", "{month}")
    rest = pattern.replace("{year}", "").replace("{month}", "").replace("{slug}", "")
    return None if "{" in rest else f"{settings['SITEURL'].rstrip('/')}/{pattern}"


# Where an own text is not the post itself: the press release shows it above the release.
OWN_TEXT = {"press": {"text_label": "Hinweis für die Redaktionen",
                      "text_note": "Steht oben in der Pressemitteilung, z. B. ein Fototermin.",
                      "empty_note": "Leer lassen: die Pressemitteilung ohne Hinweis."}}


def _channel_fields(settings: dict) -> list[dict]:
    """One "channel" widget per channel (newsroom-admin.js): a switch and an own text, written as
    `name: true` or `name: {text: …}` as the reader takes them, counted against the adapter's limit."""
    from newsroom.content.reader import CHANNEL_TEXT_MAX
    from newsroom.publishing.channel import channel_classes
    from newsroom.site import SiteUrls

    names = settings["ADMIN_CHANNEL_LABELS"]
    urls = SiteUrls.from_settings(settings)
    adapters = channel_classes()
    fields = []
    for name in settings["CHANNELS"]:
        adapter = adapters[name](settings, urls, environ={}) if name in adapters else None
        # The count adds the story's link where the channel appends it to an own text.
        linked = adapter is None or adapter.link_in_text
        field = {"name": name, "label": names.get(name, name), "widget": "channel", "required": False,
                 "text_max": CHANNEL_TEXT_MAX, "story_url": _story_url(settings) if linked else None,
                 **OWN_TEXT.get(name, {})}
        if adapter is not None and not adapter.takes_text:  # a Story: the switch alone, no text to write
            field.update(no_text=True, text_note=f"„{field['label']}“ zeigt das Aufmacherbild (oder das Video) "
                                                 "ohne Text; ein eigener Text ist nicht möglich.")
            fields.append(field)
            continue
        limit = adapter.text_limit() if adapter is not None else None
        if limit:
            field["limit"] = {"maximum": limit.maximum, "unit": limit.unit, "url_length": limit.url_length}
            if limit.thread > 1:
                field["limit"]["thread"] = limit.thread
        fields.append(field)
    return fields


def _story_fields(settings: dict) -> list[dict]:
    districts = settings["STADTBEZIRKE"]
    return [
        {"name": "id", "label": "ID", "widget": "storyid", "hint": ID_HINT},
        # Written by `invoke rename-id`; kept as it is, never shown (the key of the record of sends).
        {"name": "former_ids", "label": "Frühere IDs", "widget": "hidden", "required": False},
        {"name": "title", "label": "Titel", "widget": "string", "pattern": TITLE_PATTERN},
        {"name": "date", "label": "Veröffentlichung (Datum und Uhrzeit)", **DATETIME, "default": "{{now}}",
         "hint": "Liegt der Zeitpunkt in der Zukunft, erscheint die Meldung erst dann."},
        {"name": "status", "label": "Status", "widget": "select", "default": "draft",
         "options": [{"label": "In Planung (nur Titel, Zuständigkeit, Zieltermin)", "value": "planned"},
                     {"label": "Entwurf (nicht online)", "value": "draft"},
                     {"label": "Zur Veröffentlichung freigegeben", "value": "published"},
                     {"label": "Zurückgezogen (Seite bleibt mit Hinweis, aus allen Listen und Feeds entfernt)",
                      "value": "withdrawn"}]},
        {"name": "owner", "label": "Zuständig (Kurzzeichen oder Amt)", "widget": "string", "required": False,
         "hint": "Wer die Meldung schreibt; der Desk zeigt es im Wochenplan."},
        {"name": "target", "label": "Zieltermin (nur „In Planung“)", **DATETIME, "required": False,
         "hint": "Wann die geplante Meldung erscheinen soll. Beim Schreiben durch „Veröffentlichung“ ersetzen."},
        {"name": "summary", "label": "Anreißer", "widget": "text",
         "pattern": ["^[\\s\\S]{1,300}$", "Höchstens 300 Zeichen."],
         "hint": "Ein bis zwei Sätze, höchstens 300 Zeichen."},
        {"name": "category", "label": "Thema", "widget": "select", "options": list(settings["THEMEN"])},
        {"name": "department", "label": "Amt", "widget": "select", "options": list(settings["AEMTER"])},
        {"name": "districts", "label": "Stadtbezirke", "widget": "select", "multiple": True, "required": False,
         "options": [{"label": f"{number} – {names}", "value": number} for number, names in districts.items()]},
        {"name": "tags", "label": "Schlagwörter", "widget": "list", "required": False,
         "hint": "Durch Kommas getrennt, z. B. Radverkehr, Rheinufer"},
        {"name": "image", "label": "Aufmacherbild", "widget": "image", "required": False, "choose_url": False,
         "hint": "Ein neues Bild zuerst unter „Fotos“ hochladen und beschreiben (Alternativtext, "
                 "Bildnachweis), dann hier auswählen."},
        {"name": "contact", "label": "Kontakt für Rückfragen", "widget": "object", "collapsed": False,
         "fields": [{"name": "name", "label": "Name", "widget": "string"},
                    {"name": "phone", "label": "Telefon", "widget": "string", "required": False},
                    {"name": "email", "label": "E-Mail", "widget": "string", "required": False}]},
        {"name": "slug", "label": "Adresse (slug)", "widget": "string", "required": False, "pattern": SLUG_PATTERN,
         "hint": "Leer lassen: wird aus dem Titel gebildet."},
        {"name": "related", "label": "Verwandte Meldungen", "widget": "relation", "collection": "stories",
         "value_field": "id", "search_fields": ["title"], "display_fields": ["title"], "multiple": True,
         "required": False},
        {"name": "embargo", "label": "Sperrfrist der Pressemitteilung", **DATETIME, "required": False,
         "hint": "Nur für die Pressemitteilung: ab wann sie vorab an die Presse geht."},
        {"name": "channels", "label": "Kanäle", "widget": "object", "required": False, "collapsed": True,
         "hint": "Ankreuzen, wohin die Meldung außer ins Web geht. Ohne eigenen Text bekommt jeder Kanal Titel, "
                 "Anreißer, Link und Schlagwörter; ein eigener Text ersetzt sie (der Link wird angehängt).",
         "fields": _channel_fields(settings)},
        *_amendment_fields(),
        {"name": "leichte_sprache", "label": "Leichte Sprache", "widget": "markdown", "required": False,
         "buttons": ["bold", "link", "heading-two", "bulleted-list"], "editor_components": [],
         "modes": ["raw", "rich_text"], "hint": "Die Meldung in Leichter Sprache: ein Satz pro Zeile."},
        {"name": "body", "label": "Text", "widget": "markdown", "buttons": ["bold", "italic", "link", "heading-two",
         "heading-three", "quote", "bulleted-list", "numbered-list"], "editor_components": [],
         "modes": ["rich_text", "raw"]},
    ]


def _amendment_fields() -> list[dict]:
    """After publication (newsroom/content/amendments.py): change notes, corrections, withdrawal. No
    defaults inside: Decap would fill them into every new story, and a `withdrawal` without
    `status: withdrawn` is refused by the build."""
    from newsroom.content.amendments import NOTE_MAX

    note = ["^[\\s\\S]{1,%d}$" % NOTE_MAX, f"Höchstens {NOTE_MAX} Zeichen."]
    return [
        {"name": "changes", "label": "Änderungshinweise", "label_singular": "Änderungshinweis", "widget": "list",
         "required": False, "collapsed": True, "summary": "{{fields.date}}: {{fields.note}}",
         "hint": "Nur bei Änderungen in der Sache: erscheint über dem Text als „Aktualisiert am …“ und in den "
                 "Feeds. Tippfehler und kleine Verbesserungen ohne Hinweis korrigieren.",
         "fields": [{"name": "date", "label": "Zeitpunkt der Änderung", **DATETIME},
                    {"name": "note", "label": "Was wurde geändert?", "widget": "text", "pattern": note,
                     "hint": "Ein Satz, z. B. „Die Uhrzeit der Veranstaltung wurde ergänzt.“"}]},
        {"name": "corrections", "label": "Berichtigungen", "label_singular": "Berichtigung", "widget": "list",
         "required": False, "collapsed": True, "summary": "{{fields.date}}: {{fields.right}}",
         "hint": "Wenn eine Angabe falsch war: erscheint über dem Text als „Berichtigung vom …“ und geht an "
                 "alle Kanäle, die die Meldung hatten. Den Zeitpunkt danach nicht mehr ändern.",
         "fields": [{"name": "date", "label": "Zeitpunkt der Berichtigung", **DATETIME},
                    {"name": "wrong", "label": "Falsch war", "widget": "text", "pattern": note,
                     "hint": "Die falsche Angabe, wie sie in der Meldung stand."},
                    {"name": "right", "label": "Richtig ist", "widget": "text", "pattern": note,
                     "hint": "Die richtige Angabe; den Text der Meldung zusätzlich berichtigen."}]},
        {"name": "withdrawal", "label": "Rücknahme (nur mit Status „Zurückgezogen“)", "widget": "object",
         "required": False, "collapsed": True,
         "hint": "Mit Status „Zurückgezogen“ sind Zeitpunkt und Grund Pflicht. Die Seite bleibt unter ihrer "
                 "Adresse mit dem Hinweis „Diese Meldung wurde am … zurückgezogen: Grund“; sie verschwindet aus "
                 "Listen, Feeds, Sitemap und Suche.",
         # Not required here: Decap checks an object's fields even when it is left empty, and
         # every story without a withdrawal would be refused. The build demands both with the status.
         "fields": [{"name": "date", "label": "Zeitpunkt der Rücknahme", **DATETIME, "required": False},
                    {"name": "reason", "label": "Grund (öffentlich)", "widget": "text", "pattern": note,
                     "required": False,
                     "hint": "Erscheint auf der Seite und in den Feeds, z. B. „Die Veranstaltung wurde abgesagt.“"},
                    {"name": "gone", "label": "Text nicht mehr zeigen (rechtliche Gründe)", "widget": "boolean",
                     "required": False,
                     "hint": "Nur nach Rücksprache mit dem Rechtsamt: die Seite zeigt dann nur Titel und Grund und "
                             "antwortet mit „410 Gone“."}]},
    ]


def _translation_collection(settings: dict, lang: str) -> dict:
    """Translations into one language (newsroom/languages/translation.py): the `<name>.<lang>.md` files
    beside the German stories, with exactly the fields the reader takes. The stories' collection
    leaves these files out (newsroom-admin.js)."""
    from newsroom.content.reader import SUMMARY_MAX
    from newsroom.languages.translation import ALT_MAX, CAPTION_MAX, ORIGINAL_ONLY

    language = settings["LANGUAGES"][lang]
    path = settings["ADMIN_CONTENT_FOLDER"]
    return {
        "name": f"translations_{lang}", "label": f"Übersetzungen ({language})",
        "label_singular": f"Übersetzung ({language})",
        "description": f"Meldungen auf {language}: je Meldung eine Datei „….{lang}.md“ neben der deutschen. "
                       "Datum, Thema, Amt, Stadtbezirke und Bild kommen von der deutschen Meldung.",
        "folder": f"{path}/{settings['STORIES_DIR']}", "create": True, "extension": f"{lang}.md",
        "format": "yaml-frontmatter", "path": "{{year}}/{{year}}-{{month}}-{{day}}-{{slug}}",
        "slug": "{{slug}}", "identifier_field": "title", "summary": "{{title}}", "sortable_fields": ["title"],
        "fields": [
            {"name": "translation_of", "label": "Übersetzung von (deutsche Meldung)", "widget": "relation",
             "collection": "stories", "value_field": "id", "search_fields": ["title", "id"],
             "display_fields": ["title"], "hint": "Titel der deutschen Meldung eintippen und auswählen; "
                                                  "gespeichert wird ihre ID."},
            {"name": "title", "label": "Titel", "widget": "string", "pattern": TITLE_PATTERN},
            {"name": "summary", "label": "Anreißer", "widget": "text",
             "pattern": ["^[\\s\\S]{1,%d}$" % SUMMARY_MAX, f"Höchstens {SUMMARY_MAX} Zeichen."]},
            {"name": "status", "label": "Status", "widget": "select", "default": "draft",
             "options": [{"label": "Entwurf (nicht online)", "value": "draft"},
                         {"label": "Zur Veröffentlichung freigegeben (erscheint, solange die deutsche Meldung "
                                   "online ist)", "value": "published"}]},
            {"name": "slug", "label": "Adresse (slug)", "widget": "string", "required": False,
             "pattern": SLUG_PATTERN, "hint": "Leer lassen: wird aus dem Titel gebildet."},
            {"name": "image_alt", "label": "Alternativtext des Bildes", "widget": "string", "required": False,
             "pattern": ["^[\\s\\S]{1,%d}$" % ALT_MAX, f"Höchstens {ALT_MAX} Zeichen."],
             "hint": "Nur wenn die deutsche Meldung ein Bild hat. Leer: der deutsche Alternativtext."},
            {"name": "image_caption", "label": "Bildunterschrift", "widget": "text", "required": False,
             "pattern": ["^[\\s\\S]{1,%d}$" % CAPTION_MAX, f"Höchstens {CAPTION_MAX} Zeichen."],
             "hint": "Nur wenn die deutsche Meldung ein Bild hat. Leer: die deutsche Bildunterschrift."},
            {"name": "channels", "label": "Kanäle", "widget": "object", "required": False, "collapsed": True,
             "hint": f"Nur ankreuzen, wenn die Meldung auch auf {language} auf den Kanälen erscheinen soll; ohne "
                     "Auswahl geht nichts hinaus. Pressemitteilung und Bürger-E-Mail bleiben deutsch.",
             "fields": [f for f in _channel_fields(settings) if f["name"] not in ORIGINAL_ONLY]},
            {"name": "body", "label": "Text", "widget": "markdown", "buttons": ["bold", "italic", "link",
             "heading-two", "heading-three", "quote", "bulleted-list", "numbered-list"], "editor_components": [],
             "modes": ["rich_text", "raw"]},
        ],
    }


def _crisis_collection(settings: dict) -> dict:
    """The crisis message (content/krise.yml, newsroom/crisis/reader.py) as one file to edit: every
    field the reader takes but `urgent`, whose reason belongs to the approval."""
    from newsroom.crisis.model import LEVELS
    from newsroom.crisis.reader import ID_PATTERN, TEXT_MAX, TITLE_MAX

    text = ["^[\\s\\S]{1,%d}$" % TEXT_MAX, f"Höchstens {TEXT_MAX} Zeichen, ohne Formatierung."]
    labels = settings["ADMIN_CHANNEL_LABELS"]
    return {
        "name": "krise", "label": "Krisenmeldung", "delete": False, "editor": {"preview": False},
        "description": "Eine Lage (Hochwasser, Großbrand, Bombenentschärfung): ein Hinweis oben auf jeder Seite, "
                       "die Notfallseite /krise/ und eine Meldung an jeden gewählten Kanal, sobald freigegeben "
                       "(invoke approve krise-<id> --urgent \"Grund\"). Beenden: „Ende“ eintragen.",
        "files": [{
            "name": "krise", "label": "Krisenmeldung", "file": settings["CRISIS_FILE"],
            "fields": [
                {"name": "id", "label": "Kennung der Lage", "widget": "string",
                 "pattern": [f"^{ID_PATTERN.pattern}$", "3–64 Zeichen a–z, 0–9 und Bindestrich."],
                 "hint": "z. B. hochwasser-rhein-2026-12; nie ändern: benennt die Sendungen und die CAP-Meldungen."},
                {"name": "level", "label": "Stufe", "widget": "select", "options": list(LEVELS), "default": "Warnung"},
                {"name": "title", "label": "Überschrift", "widget": "string",
                 "pattern": [TITLE_PATTERN[0].replace("{1,200}", "{1,%d}" % TITLE_MAX),
                             f"1 bis {TITLE_MAX} Zeichen; nicht nur „ja“, „nein“, „on“, „off“ o. Ä."]},
                {"name": "text", "label": "Was die Menschen wissen und tun sollen", "widget": "text",
                 "pattern": list(text)},
                {"name": "start", "label": "Beginn (ab dann der Hinweis auf jeder Seite)", **DATETIME,
                 "default": "{{now}}"},
                {"name": "end", "label": "Ende (ab dann kein Hinweis mehr, die Entwarnung geht hinaus)", **DATETIME,
                 "required": False},
                {"name": "all_clear", "label": "Text der Entwarnung", "widget": "text", "required": False,
                 "pattern": list(text), "hint": "Leer lassen: ein Standardsatz."},
                {"name": "story", "label": "Meldung mit allen Einzelheiten", "widget": "relation",
                 "collection": "stories", "value_field": "id", "search_fields": ["title"],
                 "display_fields": ["title"], "required": False,
                 "hint": "Eine schon veröffentlichte Meldung."},
                {"name": "channels", "label": "Kanäle", "widget": "select", "multiple": True, "min": 1,
                 "options": [{"label": labels.get(name, name), "value": name} for name in settings["CHANNELS"]]},
                {"name": "image", "label": "Bild (Instagram braucht eins)", "widget": "image", "required": False,
                 "choose_url": False},
                {"name": "video", "label": "Video (YouTube braucht eins)", "widget": "file", "required": False,
                 "choose_url": False},
                {"name": "updates", "label": "Aktualisierungen", "label_singular": "Aktualisierung",
                 "widget": "list", "required": False, "summary": "{{fields.date}}: {{fields.text}}",
                 "hint": "Jede geht als Antwort auf die erste Meldung an die Kanäle; den Zeitpunkt danach nicht "
                         "mehr ändern.",
                 "fields": [{"name": "date", "label": "Zeitpunkt", **DATETIME},
                            {"name": "text", "label": "Text", "widget": "text", "pattern": list(text)}]},
            ],
        }],
    }


def _page_fields() -> list[dict]:
    return [
        {"name": "title", "label": "Titel", "widget": "string", "pattern": TITLE_PATTERN},
        {"name": "summary", "label": "Kurzbeschreibung", "widget": "text", "required": False},
        {"name": "slug", "label": "Adresse (slug)", "widget": "string", "required": False, "pattern": SLUG_PATTERN},
        {"name": "form", "label": "Formular unter dem Text", "widget": "select", "required": False,
         "options": list(PAGE_FORMS)},
        {"name": "leichte_sprache", "label": "Seite in Leichter Sprache", "widget": "boolean", "required": False,
         "default": False, "hint": "Jeder Zeilenumbruch bleibt erhalten, die Schrift ist größer."},
        {"name": "dgs_video", "label": "Video in Deutscher Gebärdensprache", "widget": "string", "required": False,
         "pattern": ["^videos/[^\\n]+\\.mp4$", "Pfad unter content/media/, z. B. videos/gebaerdensprache.mp4."],
         "hint": "Das Video zuerst unter „Videos“ hochladen und beschreiben (Untertitel, Vorschaubild); mindestens "
                 "320 × 240 Pixel und 25 Bilder je Sekunde. Es steht über dem Text, mit dem Symbol für "
                 "Gebärdensprache."},
        {"name": "startseite", "label": "Video auch auf der Startseite", "widget": "boolean", "required": False,
         "default": False, "hint": "Die Startseite erklärt die Website mit diesem Video (BITV 2.0 § 4); nur eine "
                                   "Seite kann das."},
        {"name": "body", "label": "Text", "widget": "markdown"},
    ]


# The description's own fields, in the order the form shows them; each kind of media picks its own
# (newsroom.media.library._merge says which it requires). A field this file does not know yet stays editable
# as text (tests/test_admin.py asks for a proper widget).
def _sidecar_fields(settings: dict) -> dict[str, dict]:
    return {
        "title": {"name": "title", "label": "Titel", "widget": "string", "required": False},
        "alt": {"name": "alt", "label": "Alternativtext", "widget": "string",
                "pattern": ["^[^\\n]{1,400}$", "Eine Zeile, höchstens 400 Zeichen."],
                "hint": "Was auf dem Bild zu sehen ist, für Menschen, die es nicht sehen."},
        "youtube": {"name": "youtube", "label": "YouTube-Video-ID", "widget": "string",
                    "pattern": ["^[A-Za-z0-9_-]{11}$", "Die elfstellige ID aus der YouTube-Adresse."],
                    "hint": "Aus der Adresse youtube.com/watch?v=…: die elf Zeichen nach „v=“."},
        "credit": {"name": "credit", "label": "Bildnachweis", "widget": "string",
                   "hint": "z. B. Foto: Landeshauptstadt Düsseldorf/Name"},
        "captions": {"name": "captions", "label": "Untertitel (WebVTT-Datei)", "widget": "file", "choose_url": False,
                     "hint": "Pflicht für Videos: eine .vtt-Datei, die mit „WEBVTT“ beginnt."},
        "poster": {"name": "poster", "label": "Vorschaubild", "widget": "image", "choose_url": False,
                   "hint": "Wird gezeigt, bevor das Video startet."},
        "caption": {"name": "caption", "label": "Bildunterschrift", "widget": "text", "required": False},
        "license": {"name": "license", "label": "Nutzungsrechte", "widget": "text", "required": False},
        "date": {"name": "date", "label": "Aufnahmedatum", "widget": "datetime", "format": "YYYY-MM-DD",
                 "date_format": "DD.MM.YYYY", "time_format": False, "required": False},
        "tags": {"name": "tags", "label": "Schlagwörter", "widget": "list", "required": False},
        "album": {"name": "album", "label": "Album", "widget": "string", "required": False},
        "themen": {"name": "themen", "label": "Themen", "widget": "select", "multiple": True, "required": False,
                   "options": list(settings["THEMEN"])},
        "series": {"name": "series", "label": "Serie", "widget": "string", "required": False},
        "original": {"name": "original", "label": "Original zum Herunterladen anbieten", "widget": "boolean",
                     "required": False, "default": True},
        "dgs": {"name": "dgs", "label": "Video in Deutscher Gebärdensprache", "widget": "boolean", "required": False,
                "default": False, "hint": "Mit dem Symbol für Gebärdensprache gezeigt; mindestens 320 × 240 Pixel und "
                                          "25 Bilder je Sekunde, mit Untertiteln und zum Herunterladen."},
        "focus": {"name": "focus", "label": "Fokuspunkt für Zuschnitte", "widget": "list", "required": False,
                  "min": 2, "max": 2, "collapsed": False,
                  "field": {"name": "anteil", "label": "Anteil", "widget": "number", "value_type": "float",
                            "min": 0, "max": 1, "step": 0.05},
                  "hint": "Was in jedem Zuschnitt (Instagram, Linkkarte, Querformat, Story) sichtbar bleiben soll: "
                          "zuerst waagerecht (0 = linker Rand, 1 = rechter Rand), dann senkrecht (0 = oberer Rand, "
                          "1 = unterer Rand). Leer: die Bildmitte."},
        "rechte_bis": {"name": "rechte_bis", "label": "Nutzungsrechte bis", "widget": "datetime",
                       "format": "YYYY-MM-DD", "date_format": "DD.MM.YYYY", "time_format": False, "required": False,
                       "hint": "Letzter Tag, an dem das Foto gezeigt werden darf. Ab dem Tag danach verschwindet es "
                               "aus Medienportal, Meldungen und Feeds. Leer: unbefristet."},
        "ersatz": {"name": "ersatz", "label": "Ersatzfoto nach Ablauf der Rechte", "widget": "image",
                   "choose_url": False, "required": False,
                   "hint": "Zeigen Meldungen nach dem Ende der Nutzungsrechte statt dieses Fotos. Leer: kein Bild."},
    }


# One admin collection per kind of media: the fields that kind has and those the build demands.
MEDIA_KINDS = {
    "photo": {"label": "Fotos", "singular": "Foto", "suffixes": sorted(IMAGE_SUFFIXES), "required": {"alt", "credit"},
              "fields": ["title", "alt", "credit", "caption", "license", "date", "tags", "album", "themen", "series",
                         "original", "focus", "rechte_bis", "ersatz"]},
    "video": {"label": "Videos", "singular": "Video", "suffixes": [".mp4"], "required": {"credit", "captions"},
              "fields": ["title", "credit", "captions", "poster", "caption", "license", "date", "tags", "album",
                         "themen", "series", "original", "dgs"]},
    "youtube": {"label": "YouTube-Videos", "singular": "YouTube-Video", "suffixes": [],
                "required": {"youtube", "poster", "credit"},
                "fields": ["title", "youtube", "poster", "credit", "caption", "license", "date", "tags", "album",
                           "themen", "series"]},
    "document": {"label": "Dokumente", "singular": "Dokument", "suffixes": [".pdf"], "required": {"credit"},
                 "fields": ["title", "credit", "caption", "license", "date", "tags", "album", "themen", "series",
                            "original"]},
}
# Keys newsroom-admin.js adds while an entry is open and never writes (the "newsroom-sidecar" format):
# the described file is the description's name (rheinufer.jpg → rheinufer.jpg.yml), not a field.
SIDECAR_FORMAT = "newsroom-sidecar"
FILE_KEY = "datei"
KIND_KEY = "art"


def _media_collection(settings: dict, folder: str, kind: str) -> dict:
    """A folder below content/media as a collection: its descriptions, and new files with their description."""
    from newsroom.media.library import SIDECAR_FIELDS

    spec = MEDIA_KINDS[kind]
    media_root = f"{settings['ADMIN_CONTENT_FOLDER']}/{settings['MEDIA_DIR']}"
    known = _sidecar_fields(settings)
    fields = []
    for name in spec["fields"]:
        field = dict(known[name])
        field["required"] = name in spec["required"]
        if field["widget"] in ("file", "image"):
            field["public_folder"] = folder  # written as "videos/rundgang.vtt": a path below content/media
        fields.append(field)
    if kind == "photo":  # a field this file does not know yet: on the photos, as text
        fields += [{"name": name, "label": name, "widget": "string", "required": False}
                   for name in sorted(SIDECAR_FIELDS - set(known))]
    if kind == "youtube":  # no file of its own: the clip is its description alone, rueckblick.youtube.yml
        # The widget checks the name itself: Decap's pattern would also judge a saved description.
        described = {"name": FILE_KEY, "label": "Name", "widget": "mediafile", "name_pattern": SLUG_PATTERN,
                     "media_root": f"{media_root}/",
                     "hint": "Nur a–z, 0–9 und Bindestriche; wird zum Dateinamen name.youtube.yml."}
        slug, what = "{{fields.%s}}.youtube" % FILE_KEY, "Beschreibungen von YouTube-Videos (name.youtube.yml)"
    else:
        widget_kind = "image" if kind == "photo" else "file"
        described = {"name": FILE_KEY, "label": "Datei", "widget": "mediafile", "file_widget": widget_kind,
                     "choose_url": False, "media_root": f"{media_root}/", "accept": spec["suffixes"],
                     "hint": "Beim Anlegen: Datei hochladen oder eine hochgeladene wählen. Die Beschreibung "
                             "heißt wie die Datei mit .yml dahinter; der Name bleibt."}
        # Stem and suffix apart: in one value Decap would turn the dot into a dash (newsroom-admin.js).
        slug = "{{fields.%s.name}}.{{fields.%s.endung}}" % (FILE_KEY, FILE_KEY)
        what = f"{spec['label']} mit ihrer Beschreibung (datei → datei.yml)"
    collection = {
        "name": f"media_{folder}", "label": f"{spec['label']} ({folder}/)", "label_singular": spec["singular"],
        "folder": f"{media_root}/{folder}", "extension": "yml", "format": SIDECAR_FORMAT,
        "create": True, "delete": False, "identifier_field": FILE_KEY, "slug": slug, "summary": "{{filename}}",
        # Uploads land in this folder; the form stores the bare file name, the description's name.
        "media_folder": f"/{media_root}/{folder}", "public_folder": "",
        "description": f"{what}. Pflichtangaben wie beim Bauen: ohne sie lässt sich nichts speichern.",
        "fields": [described, *fields],
    }
    if kind in ("video", "youtube"):  # both live in the videos folder: each collection shows its own
        collection["filter"] = {"field": KIND_KEY, "value": "youtube" if kind == "youtube" else "datei"}
    return collection


def _media_collections(settings: dict) -> list[dict]:
    collections = []
    for folder, kind in settings["ADMIN_MEDIA_FOLDERS"].items():
        collections.append(_media_collection(settings, folder, kind))
        if kind == "video":
            collections.append(_media_collection(settings, folder, "youtube") | {"name": f"media_{folder}_youtube"})
    return collections


# What Decap's GitLab sign-in (PKCE) cannot do without: an admin on the live site without them
# shows a login button that fails for every editor.
GITLAB_REQUIRED = {"app_id": "die Anwendungs-ID (Application ID) der OAuth-Anwendung in GitLab",
                   "base_url": "die Adresse der GitLab-Instanz, z. B. https://gitlab.duesseldorf.de"}


def check_live_backend(settings: dict) -> None:
    """With ADMIN_LIVE (publishconf.py) the GitLab backend must name its OAuth application."""
    backend = settings["ADMIN_BACKEND"]
    if not settings["ADMIN_LIVE"] or backend.get("name") != "gitlab":
        return
    missing = [f"„{key}“ ({what})" for key, what in GITLAB_REQUIRED.items()
               if not str(backend.get(key) or "").strip()]
    if missing:
        raise ConfigurationError(
            "ADMIN_BACKEND: Für die Anmeldung in der Redaktionsoberfläche der Live-Seite fehlt "
            f"{' und '.join(missing)}. In pelicanconf.py oder publishconf.py eintragen (siehe README, „Editing“), oder ADMIN_PATH = \"\" "
            "setzen, um die Seite ohne Redaktionsoberfläche zu bauen.")
    if not str(backend["base_url"]).startswith("https://"):
        raise ConfigurationError(f"ADMIN_BACKEND: base_url „{backend['base_url']}“ muss mit https:// beginnen: "
                                 "die Anmeldung darf nicht unverschlüsselt laufen.")


def cms_config(settings: dict) -> dict:
    path, media = settings["ADMIN_CONTENT_FOLDER"], settings["MEDIA_DIR"]
    config = {
        "locale": "de",
        "backend": {**{k: v for k, v in settings["ADMIN_BACKEND"].items() if v is not None},
                    "commit_messages": COMMIT_MESSAGES},
        # Used only when the admin is opened on localhost and `invoke cms` runs decap-server there.
        "local_backend": ({"url": settings["ADMIN_LOCAL_BACKEND_URL"]} if settings["ADMIN_LOCAL_BACKEND_URL"]
                          else True),
        "publish_mode": "editorial_workflow",
        "site_url": settings["SITEURL"],
        "display_url": settings["SITEURL"],
        "media_folder": f"{path}/{media}/{settings['ADMIN_UPLOAD_FOLDER']}",
        "public_folder": settings["ADMIN_UPLOAD_FOLDER"],
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "collections": [
            {"name": "stories", "label": "Meldungen", "label_singular": "Meldung",
             "folder": f"{path}/{settings['STORIES_DIR']}", "create": True, "extension": "md",
             "format": "yaml-frontmatter", "path": "{{year}}/{{year}}-{{month}}-{{day}}-{{slug}}",
             "slug": "{{slug}}", "identifier_field": "title", "summary": "{{title}} ({{date}})",
             "sortable_fields": ["date", "title"], "fields": _story_fields(settings)},
            *(_translation_collection(settings, lang) for lang in list(settings["LANGUAGES"])[1:]),
            {"name": "pages", "label": "Feste Seiten", "label_singular": "Seite",
             "folder": f"{path}/{settings['PAGES_DIR']}", "create": True, "extension": "md",
             "format": "yaml-frontmatter", "slug": "{{slug}}", "fields": _page_fields()},
            *_media_collections(settings),
            _crisis_collection(settings),
        ],
    }
    return config
