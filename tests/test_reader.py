"""Every kind of bad input gets a German message naming file, line and field."""

import pytest

from newsroom.errors import ContentErrors
from tests.support import story_text

FILE = "content/stories/2026/radwege.md"


def errors_of(site, text: str | bytes) -> list[str]:
    site.write("stories/2026/radwege.md", text)
    with pytest.raises(ContentErrors) as caught:
        site.check()
    return [str(e) for e in caught.value.errors]


def test_a_valid_story_passes(site):
    site.story()
    build = site.check()
    assert [s.id for s in build.all_stories] == ["a1b2c3d4e5f6"]


@pytest.mark.parametrize("fields, expected", [
    ({"date": "2026-02-30 10:00"}, f"{FILE}:4: Feld „date“: Den 30.02.2026 gibt es nicht."),
    ({"date": "nächsten Montag"},
     f"{FILE}:4: Feld „date“: „nächsten Montag“ ist kein Zeitpunkt. "
     "Erwartet wird JJJJ-MM-TT HH:MM, zum Beispiel 2026-11-30 10:00."),
    ({"title": "no"},
     f"{FILE}:3: Feld „title“: „no“ wird von YAML als Wahrheitswert (ja/nein) gelesen, nicht als Text. "
     'Bitte in Anführungszeichen setzen: title: "no"'),
    ({"embargo": "10:30"},
     f"{FILE}:15: Feld „embargo“: „10:30“ ist kein Zeitpunkt. Erwartet wird JJJJ-MM-TT HH:MM, "
     "zum Beispiel 2026-11-30 10:00. (YAML liest „10:30“ als Zahl 630.)"),
    ({"status": "online"}, f"{FILE}:5: Feld „status“: „online“ ist nicht erlaubt. Erlaubt: planned, draft, published, withdrawn."),
    ({"category": "Verkehrr"},
     f"{FILE}:7: Feld „category“: „Verkehrr“ ist nicht erlaubt. Meinten Sie „Verkehr“? "
     "Erlaubt: Verkehr, Umwelt & Klima, Bildung, Kultur, Soziales, Gesundheit, Sicherheit & Ordnung, "
     "Bauen & Wohnen, Wirtschaft, Sport & Freizeit, Digitales, Rat & Verwaltung, Jugend & Familie, "
     "Veranstaltungen."),
    ({"department": "umweltamt"},
     f"{FILE}:8: Feld „department“: „umweltamt“ ist nicht erlaubt. Meinten Sie „Umweltamt“? Erlaubt: "
     "Amt für Kommunikation, Amt für Verkehrsmanagement, Umweltamt,"),
    ({"districts": "[3, 11]"},
     f"{FILE}:9: Feld „districts“: „11“ ist keine Zahl von 1 bis 10. Erlaubt: 1 (Altstadt, Carlstadt, "
     "Stadtmitte, Pempelfort, Derendorf, Golzheim); 2 (Flingern-Süd, Flingern-Nord, Düsseltal); 3 (Oberbilk,"),
    ({"districts": "[Bilk]"},
     f"{FILE}:9: Feld „districts“: „Bilk“ ist keine Zahl von 1 bis 10. Meinten Sie 3 (Oberbilk, Friedrichstadt, "
     "Unterbilk, Hafen, Hamm, Volmerswerth, Bilk, Flehe)? Erlaubt: 1 (Altstadt,"),
    ({"tags": "!!python/object:os.system [ls]"},
     f"{FILE}:10: Das YAML-Tag „!!python/object:os.system“ ist nicht erlaubt."),
    ({"image": "../../../etc/passwd"},
     f"{FILE}:15: Feld „image“: „../../../etc/passwd“ verweist auf eine Datei außerhalb von content/media/."),
    ({"image": "/etc/passwd"}, f"{FILE}:15: Feld „image“: „/etc/passwd“ ist kein Pfad innerhalb von content/media/."),
    ({"image": "fotos/fehlt.jpg"},
     f"{FILE}:15: Feld „image“: Die Mediendatei „fotos/fehlt.jpg“ gibt es nicht in content/media/."),
    ({"catgory": "Verkehr"}, f"{FILE}:15: Feld „catgory“: Unbekanntes Feld. Meinten Sie „category“? Erlaubt: "
                             "category, changes, channels, contact, corrections, date, department, districts,"),
    ({"channels": "\n  mastodn: true"},
     f"{FILE}:16: Feld „channels.mastodn“: Unbekanntes Feld. Meinten Sie „channels.mastodon“? Erlaubt: "),
    ({"contact": '\n  name: Presse\n  phone: 0211'},
     f"{FILE}:13: Feld „contact.phone“: „0211“ wird von YAML als Zahl gelesen, nicht als Text. "
     'Bitte in Anführungszeichen setzen: phone: "0211"'),
])
def test_front_matter_errors(site, fields, expected):
    errors = errors_of(site, story_text(**fields))
    assert any(error.startswith(expected) for error in errors), errors


@pytest.mark.parametrize("field, line", [("title", 3), ("summary", 6), ("category", 7)])
def test_missing_required_field(site, field, line):
    errors = errors_of(site, story_text(drop=(field,)))
    assert f"{FILE}: Feld „{field}“: Pflichtfeld fehlt oder ist leer." in errors


def test_empty_required_field_names_its_line(site):
    assert f"{FILE}:3: Feld „title“: Pflichtfeld fehlt oder ist leer." in errors_of(site, story_text(title=""))


def test_duplicate_field(site):
    text = story_text().replace("status: published", "status: published\ntitle: Nochmal")
    assert f"{FILE}:6: Feld „title“: Das Feld steht doppelt im Kopfbereich." in errors_of(site, text)


def test_invalid_utf8_names_the_line(site):
    raw = story_text(summary="Zwei Kilometer Radweg").encode("utf-8").replace(b"Kilometer", b"Kilom\xe8ter")
    assert errors_of(site, raw) == [
        f"{FILE}:6: Die Datei ist nicht in UTF-8 gespeichert (ungültiges Byte 0xe8). Bitte als UTF-8 speichern."
    ]


def test_control_character_in_title(site):
    assert errors_of(site, story_text(title="Radwege\x08 am Rhein")) == [
        f"{FILE}:3: Feld „title“: Unsichtbares Steuerzeichen U+0008 gefunden; bitte entfernen."
    ]


def test_control_character_in_body(site):
    errors = errors_of(site, story_text(body="Erste Zeile.\n\nZweite\x1b Zeile.\n"))
    assert errors == [f"{FILE}:18: Unsichtbares Steuerzeichen U+001B gefunden; bitte entfernen."]


def test_unclosed_front_matter(site):
    text = story_text().replace("\n---\n", "\n", 1)
    assert errors_of(site, text) == [f"{FILE}:1: Der Kopfbereich wird nicht mit einer Zeile --- abgeschlossen."]


def test_missing_front_matter(site):
    assert errors_of(site, "Nur Text ohne Kopfbereich.\n") == [
        f"{FILE}:1: Die Datei beginnt nicht mit einem Kopfbereich (erste Zeile: ---)."
    ]


def test_yaml_syntax_error_is_german(site):
    text = story_text(summary="Achtung: Sperrung: ab Montag")
    assert errors_of(site, text) == [
        f"{FILE}:6: Doppelpunkt an unerwarteter Stelle. Enthält der Wert einen Doppelpunkt, "
        "bitte in Anführungszeichen setzen."
    ]


def test_aliases_are_refused(site):
    text = story_text(title="&s Ein Text", summary="*s")
    assert f"{FILE}:6: Feld „summary“: YAML-Anker und -Aliase (&name, *name) sind nicht erlaubt." in errors_of(site, text)


@pytest.mark.parametrize("body, expected", [
    ("Siehe [Akte](../../../secret.txt).",
     f"{FILE}:16: Link „../../../secret.txt“ verweist auf eine Datei außerhalb von content/. "
     "Für Medien bitte media:<pfad> verwenden, für Meldungen story:<id>."),
    ("![Bild](media:../../tasks.py)",
     f"{FILE}:16: „../../tasks.py“ verweist auf eine Datei außerhalb von content/media/."),
    ("[Klick](javascript:alert(1))", f"{FILE}:16: Link mit „javascript:“ ist nicht erlaubt: javascript:alert(1)"),
    ("![](media:fotos/rhein.jpg)",
     f"{FILE}:16: Das Bild „media:fotos/rhein.jpg“ hat keinen Alternativtext: ![Beschreibung](media:fotos/rhein.jpg)"),
])
def test_body_references(site, body, expected):
    assert expected in errors_of(site, story_text(body=body))


def test_every_problem_of_a_file_is_reported_at_once(site):
    errors = errors_of(site, story_text(title="yes", status="fertig", date="2026-13-01 10:00"))
    assert [e.split(":")[2].strip() for e in errors] == ["Feld „title“", "Feld „date“", "Feld „status“"]


def test_media_without_sidecar_credit(site):
    site.add_media("fotos/ohne.jpg", alt="Ein Bild")
    errors = errors_of(site, story_text(image="fotos/ohne.jpg"))
    assert "content/media/fotos/ohne.jpg.yml: Feld „credit“: Pflichtfeld fehlt oder ist leer." in errors


def test_embargo_after_publication_is_refused(site):
    errors = errors_of(site, story_text(embargo="2026-11-21 08:00"))
    assert errors == [f"{FILE}:15: Feld „embargo“: Die Sperrfrist liegt nach der Veröffentlichung; sie muss davor liegen."]


def test_raw_html_and_markup_in_title_are_escaped(site):
    site.story(title="\"<img src=x onerror=alert(1)> Radwege\"",
               body="Text <script>alert(2)</script>\n\n<iframe src='https://example.org'></iframe>\n")
    site.commit("Meldung", "2026-11-20 09:00")
    site.build()
    html = site.page("aktuelles/2026/11/img-src-x-onerror-alert-1-radwege/index.html")
    assert "<script>alert" not in html and "<iframe" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; Radwege</h1>" in html
    assert "Text &lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_a_hash_sign_would_silently_cut_the_title(site):
    assert errors_of(site, story_text(title="Aktion #DUSliest startet")) == [
        f"{FILE}:3: Feld „title“: YAML liest alles ab „#DUSliest startet“ als Kommentar; der Wert wäre nur "
        "„Aktion“. Bitte den ganzen Wert in Anführungszeichen setzen."
    ]


def test_quoted_hash_sign_is_fine(site):
    site.story(title='"Aktion #DUSliest startet"')
    assert site.check().all_stories[0].title == "Aktion #DUSliest startet"


# Everything XML 1.0 forbids is refused, so no feed can ever be invalid (see docs/fehlermeldungen.md).
@pytest.mark.parametrize("fields, expected", [
    ({"title": "Radwege\ufffe am Rhein"},
     f"{FILE}:3: Feld „title“: Unsichtbares Steuerzeichen U+FFFE gefunden; bitte entfernen."),
    ({"summary": "Zwei Kilometer\x0c Radweg"},
     f"{FILE}:6: Feld „summary“: Unsichtbares Steuerzeichen U+000C gefunden; bitte entfernen."),
    ({"tags": "[Radverkehr, \"Rhein\x00ufer\"]"},
     f"{FILE}:10: Feld „tags“: Unsichtbares Steuerzeichen U+0000 gefunden; bitte entfernen."),
    ({"body": "Erste Zeile\uffff.\n"}, f"{FILE}:16: Unsichtbares Steuerzeichen U+FFFF gefunden; bitte entfernen."),
    ({"body": "Erste Zeile\x0b.\n"}, f"{FILE}:16: Unsichtbares Steuerzeichen U+000B gefunden; bitte entfernen."),
    ({"body": "Erste Zeile.\n\nSteuerzeichen &#27; im Text.\n"},
     f"{FILE}:18: „&#27;“ steht für das unzulässige Zeichen U+001B, das in Feeds (XML) nicht erlaubt ist; "
     "bitte entfernen."),
    ({"body": "Nullzeichen &#0; im Text.\n"},
     f"{FILE}:16: „&#0;“ steht für das unzulässige Zeichen U+0000, das in Feeds (XML) nicht erlaubt ist; "
     "bitte entfernen."),
    ({"body": "Ersatz &#xD800; im Text.\n"},
     f"{FILE}:16: „&#xD800;“ steht für das unzulässige Zeichen U+D800, das in Feeds (XML) nicht erlaubt ist; "
     "bitte entfernen."),
    ({"summary": "\"Radweg &#xFFFE; am Rhein\""},
     f"{FILE}:6: Feld „summary“: „&#xFFFE;“ steht für das unzulässige Zeichen U+FFFE, das in Feeds (XML) "
     "nicht erlaubt ist; bitte entfernen."),
    ({"body": "Zu groß &#1114112; für Unicode.\n"},
     f"{FILE}:16: „&#1114112;“ steht für das unzulässige Zeichen U+110000, das in Feeds (XML) nicht erlaubt ist; "
     "bitte entfernen."),
])
def test_characters_xml_forbids_are_refused(site, fields, expected):
    assert errors_of(site, story_text(**fields)) == [expected]


def test_a_surrogate_in_the_bytes_is_invalid_utf8(site):
    raw = story_text(summary="Zwei Kilometer Radweg").encode("utf-8").replace(b"Kilometer", b"Kilo\xed\xa0\x80meter")
    assert errors_of(site, raw) == [
        f"{FILE}:6: Die Datei ist nicht in UTF-8 gespeichert (ungültiges Byte 0xed). Bitte als UTF-8 speichern."
    ]


def test_characters_xml_allows_pass(site):
    site.story(body="Tab\tim Text, Gedankenstrich &#x2013;, &#65;, &amp; und \u00ad weiches Trennzeichen.\n")
    assert [s.id for s in site.check().all_stories] == ["a1b2c3d4e5f6"]


def test_a_forbidden_character_in_a_media_description_is_refused(site):
    site.add_media("fotos/kaputt.jpg", alt="\"Blick\uffff über den Rhein\"", credit="Stadt")
    errors = errors_of(site, story_text(image="fotos/kaputt.jpg"))
    assert errors == ["content/media/fotos/kaputt.jpg.yml:1: Unsichtbares Steuerzeichen U+FFFF gefunden."]


def test_every_problem_of_a_file_arrives_in_one_round(site):
    """A YAML error does not hide the fields after it, nor a control character the text around it."""
    text = story_text(summary="Achtung: Sperrung: ab Montag", category="Verkehrr", districts="[11]",
                      body="Erste Zeile\x0b.\n\n[Klick](javascript:alert(1))\n")
    errors = errors_of(site, text)
    expected = [
        f"{FILE}:6: Doppelpunkt an unerwarteter Stelle.",  # summary: unreadable, and not "missing" on top
        f"{FILE}:7: Feld „category“: „Verkehrr“ ist nicht erlaubt. Meinten Sie „Verkehr“?",
        f"{FILE}:9: Feld „districts“: „11“ ist keine Zahl von 1 bis 10.",
        f"{FILE}:16: Unsichtbares Steuerzeichen U+000B gefunden; bitte entfernen.",
        f"{FILE}:18: Link mit „javascript:“ ist nicht erlaubt",
    ]
    assert len(errors) == len(expected) and all(e.startswith(x) for e, x in zip(errors, expected)), errors


def test_a_control_character_in_the_front_matter_does_not_hide_the_other_fields(site):
    errors = errors_of(site, story_text(title="Radwege\x08 am Rhein", department="Gartenamt"))
    assert errors[0] == f"{FILE}:3: Feld „title“: Unsichtbares Steuerzeichen U+0008 gefunden; bitte entfernen."
    assert errors[1].startswith(f"{FILE}:8: Feld „department“: „Gartenamt“ ist nicht erlaubt.")
    assert len(errors) == 2


@pytest.mark.parametrize("tags, tag, reason", [
    ('[Radverkehr, "."]', ".", "Schrägstriche und Punkte allein"),
    ('[Radverkehr, ".."]', "..", "Schrägstriche und Punkte allein"),
    ('["../../etc"]', "../../etc", "Schrägstriche und Punkte allein"),
    ('["Rad/Weg"]', "Rad/Weg", "Schrägstriche und Punkte allein"),
    ('["Rad\\\\Weg"]', "Rad\\Weg", "Schrägstriche und Punkte allein"),
    ('["!!!"]', "!!!", "keine Buchstaben oder Ziffern"),
    ('["🚲"]', "🚲", "keine Buchstaben oder Ziffern"),
])
def test_a_tag_that_cannot_be_an_address_is_refused(site, tags, tag, reason):
    errors = errors_of(site, story_text(tags=tags))
    assert len(errors) == 1 and errors[0].startswith(f"{FILE}:10: Feld „tags“: „{tag}“ ist kein gültiges Schlagwort: ")
    assert reason in errors[0]


def test_an_empty_or_blank_tag_is_refused(site):
    assert errors_of(site, story_text(tags='[Radverkehr, "   "]')) == [
        f"{FILE}:10: Feld „tags“: „“ ist kein gültiger Eintrag (1–80 Zeichen, eine Zeile)."]


def test_too_many_tags_are_refused_with_the_setting_named(site):
    thousands = "[" + ", ".join(f"Schlagwort{n}" for n in range(10_000)) + "]"
    assert errors_of(site, story_text(tags=thousands)) == [  # too large to be read at all
        f"{FILE}:1: Der Kopfbereich ist 159.239 Bytes groß; erlaubt sind höchstens 64.000 Bytes "
        "(STORY_FRONT_MATTER_MAX_BYTES). Bitte kürzen."]
    many = "[" + ", ".join(f"Schlagwort{n}" for n in range(21)) + "]"
    assert errors_of(site, story_text(tags=many)) == [
        f"{FILE}:10: Feld „tags“: Die Meldung hat 21 Schlagworte; erlaubt sind höchstens 20 (STORY_MAX_TAGS). "
        "Bitte die wichtigsten auswählen."]
    site.write("stories/2026/radwege.md", story_text(tags="[" + ", ".join(f"S{n}" for n in range(20)) + "]"))
    assert len(site.check().all_stories) == 1  # 20 is the limit itself
    with pytest.raises(ContentErrors) as caught:
        site.check(STORY_MAX_TAGS=19)
    assert "erlaubt sind höchstens 19 (STORY_MAX_TAGS)" in str(caught.value)


def test_the_tag_length_is_a_setting(site):
    site.story(tags="[Radverkehr]")
    with pytest.raises(ContentErrors) as caught:
        site.check(STORY_TAG_MAX_LENGTH=5)
    assert [str(e) for e in caught.value.errors] == [
        f"{FILE}:10: Feld „tags“: „Radverkehr“ ist kein gültiger Eintrag (1–5 Zeichen, eine Zeile)."]


def test_a_five_megabyte_story_is_refused(site):
    body = "Ein langer Absatz über Radwege am Rhein.\n\n" * 125_000
    assert errors_of(site, story_text(body=body)) == [
        f"{FILE}:16: Der Text der Meldung ist 5.375.000 Bytes groß; erlaubt sind höchstens 200.000 Bytes "
        "(STORY_BODY_MAX_BYTES). Bitte kürzen oder auf mehrere Meldungen verteilen."]


def test_an_oversized_front_matter_is_refused_before_yaml_reads_it(site):
    summary = "\"" + "Sehr lang. " * 7000 + "\""
    assert errors_of(site, story_text(summary=summary)) == [
        f"{FILE}:1: Der Kopfbereich ist 77.314 Bytes groß; erlaubt sind höchstens 64.000 Bytes "
        "(STORY_FRONT_MATTER_MAX_BYTES). Bitte kürzen."]


def test_path_like_tags_in_a_media_description_are_refused(site):
    site.add_media("fotos/markt.jpg", alt="Markt", credit="Stadt", tags='[Markt, ".."]')
    errors = errors_of(site, story_text(image="fotos/markt.jpg"))
    assert errors == ["content/media/fotos/markt.jpg.yml:3: Feld „tags“: „..“ ist kein gültiges Schlagwort: "
                      "Schrägstriche und Punkte allein sind als Adresse nicht möglich. Bitte ein Wort verwenden."]
