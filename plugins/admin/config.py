"""The Decap CMS configuration (admin/config.yml), made from the same settings and field lists
the reader checks against, so the browser form and `invoke check` cannot drift apart.

Every field of a story (newsroom.reader.STORY_FIELDS), a page (static_pages.PAGE_FIELDS) and a
media description (newsroom.media.SIDECAR_FIELDS) has a widget here; tests/test_admin.py
fails when the schema gains a field this file does not know.
"""

from __future__ import annotations

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


def _story_fields(settings: dict) -> list[dict]:
    districts = settings["STADTBEZIRKE"]
    channel_names = settings.get("ADMIN_CHANNEL_LABELS", {})
    return [
        {"name": "id", "label": "ID", "widget": "storyid", "hint": ID_HINT},
        {"name": "title", "label": "Titel", "widget": "string", "pattern": TITLE_PATTERN},
        {"name": "date", "label": "Veröffentlichung (Datum und Uhrzeit)", **DATETIME, "default": "{{now}}",
         "hint": "Liegt der Zeitpunkt in der Zukunft, erscheint die Meldung erst dann."},
        {"name": "status", "label": "Status", "widget": "select", "default": "draft",
         "options": [{"label": "Entwurf (nicht online)", "value": "draft"},
                     {"label": "Zur Veröffentlichung freigegeben", "value": "published"}]},
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
         "hint": "Jedes Bild braucht eine Beschreibung mit Alternativtext und Bildnachweis (Sammlung „Medien“)."},
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
         "hint": "Eigene Texte pro Kanal werden in Git eingetragen (siehe Redaktionshandbuch).",
         "fields": [{"name": name, "label": channel_names.get(name, name), "widget": "boolean", "required": False}
                    for name in settings["CHANNELS"]]},
        {"name": "leichte_sprache", "label": "Leichte Sprache", "widget": "markdown", "required": False,
         "buttons": ["bold", "link", "heading-two", "bulleted-list"], "editor_components": [],
         "modes": ["raw", "rich_text"], "hint": "Die Meldung in Leichter Sprache: ein Satz pro Zeile."},
        {"name": "body", "label": "Text", "widget": "markdown", "buttons": ["bold", "italic", "link", "heading-two",
         "heading-three", "quote", "bulleted-list", "numbered-list"], "editor_components": [],
         "modes": ["rich_text", "raw"]},
    ]


def _page_fields() -> list[dict]:
    from static_pages.static_pages import PAGE_FORMS

    return [
        {"name": "title", "label": "Titel", "widget": "string", "pattern": TITLE_PATTERN},
        {"name": "summary", "label": "Kurzbeschreibung", "widget": "text", "required": False},
        {"name": "slug", "label": "Adresse (slug)", "widget": "string", "required": False, "pattern": SLUG_PATTERN},
        {"name": "form", "label": "Formular unter dem Text", "widget": "select", "required": False,
         "options": list(PAGE_FORMS)},
        {"name": "leichte_sprache", "label": "Seite in Leichter Sprache", "widget": "boolean", "required": False,
         "default": False, "hint": "Jeder Zeilenumbruch bleibt erhalten, die Schrift ist größer."},
        {"name": "body", "label": "Text", "widget": "markdown"},
    ]


def _media_fields(settings: dict) -> list[dict]:
    """The sidecar's fields that newsroom.media knows (the media portal adds some), in this order."""
    from newsroom.media import SIDECAR_FIELDS

    known = [
        {"name": "title", "label": "Titel", "widget": "string", "required": False},
        {"name": "alt", "label": "Alternativtext", "widget": "text", "required": False,
         "hint": "Pflicht für Bilder: was auf dem Bild zu sehen ist, für Menschen, die es nicht sehen."},
        {"name": "credit", "label": "Bildnachweis", "widget": "string",
         "hint": "z. B. Foto: Landeshauptstadt Düsseldorf/Name"},
        {"name": "caption", "label": "Bildunterschrift", "widget": "text", "required": False},
        {"name": "license", "label": "Nutzungsrechte", "widget": "text", "required": False},
        {"name": "date", "label": "Aufnahmedatum", "widget": "datetime", "format": "YYYY-MM-DD",
         "date_format": "DD.MM.YYYY", "time_format": False, "required": False},
        {"name": "tags", "label": "Schlagwörter", "widget": "list", "required": False},
        {"name": "album", "label": "Album", "widget": "string", "required": False},
        {"name": "themen", "label": "Themen", "widget": "select", "multiple": True, "required": False,
         "options": list(settings["THEMEN"])},
        {"name": "series", "label": "Serie", "widget": "string", "required": False},
        {"name": "poster", "label": "Vorschaubild (Video)", "widget": "string", "required": False,
         "hint": "Pfad unter content/media/, z. B. videos/rundgang-poster.jpg"},
        {"name": "captions", "label": "Untertitel (WebVTT)", "widget": "string", "required": False,
         "hint": "Pfad unter content/media/, z. B. videos/rundgang.vtt"},
        {"name": "youtube", "label": "YouTube-Video-ID", "widget": "string", "required": False,
         "pattern": ["^[A-Za-z0-9_-]{11}$", "Die elfstellige ID aus der YouTube-Adresse."]},
        {"name": "original", "label": "Original zum Herunterladen anbieten", "widget": "boolean", "required": False,
         "default": True},
    ]
    chosen = [field for field in known if field["name"] in SIDECAR_FIELDS]
    named = {field["name"] for field in known}
    # A field this file does not know yet stays editable as text (tests/test_admin.py asks for a widget).
    chosen += [{"name": name, "label": name, "widget": "string", "required": False}
               for name in sorted(SIDECAR_FIELDS - named)]
    return chosen


def cms_config(settings: dict) -> dict:
    path, media = settings["ADMIN_CONTENT_FOLDER"], settings["MEDIA_DIR"]
    config = {
        "locale": "de",
        "backend": {**{k: v for k, v in settings["ADMIN_BACKEND"].items() if v is not None},
                    "commit_messages": COMMIT_MESSAGES},
        # Used only when the admin is opened on localhost and `invoke cms` runs decap-server there.
        "local_backend": ({"url": settings["ADMIN_LOCAL_BACKEND_URL"]} if settings.get("ADMIN_LOCAL_BACKEND_URL")
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
            {"name": "pages", "label": "Feste Seiten", "label_singular": "Seite",
             "folder": f"{path}/{settings['PAGES_DIR']}", "create": True, "extension": "md",
             "format": "yaml-frontmatter", "slug": "{{slug}}", "fields": _page_fields()},
            {"name": "media", "label": "Medien (Beschreibungen)", "label_singular": "Medienbeschreibung",
             "folder": f"{path}/{media}/{settings['ADMIN_UPLOAD_FOLDER']}", "extension": "yml", "format": "yml",
             "create": False, "delete": False, "identifier_field": "credit", "summary": "{{filename}}",
             "description": "Beschreibung zu jeder Mediendatei (datei.jpg → datei.jpg.yml). Neue Dateien "
                            "mit Beschreibung kommen über Git oder das Medienportal hinzu.",
             "fields": _media_fields(settings)},
        ],
    }
    return config
