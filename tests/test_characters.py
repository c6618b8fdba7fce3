"""Invisible and direction characters in one-line texts: refused with their Unicode name and
position, in stories, static pages and media descriptions, whether typed or written as a
YAML escape; a zero-width joiner inside an emoji is fine in channel texts."""

import pytest

from newsroom.content.characters import find_invisible
from newsroom.errors import ContentErrors
from tests.support import Site, invoke, project_copy, story_text

FILE = "content/stories/2026/radwege.md"
RLO = "\u202e"


def errors_of(site) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        site.check()
    return [str(e) for e in caught.value.errors]


@pytest.mark.parametrize("character, name", [
    ("\u202e", "RIGHT-TO-LEFT OVERRIDE"), ("\u202a", "LEFT-TO-RIGHT EMBEDDING"), ("\u2066", "LEFT-TO-RIGHT ISOLATE"),
    ("\u2069", "POP DIRECTIONAL ISOLATE"), ("\u200e", "LEFT-TO-RIGHT MARK"), ("\u200f", "RIGHT-TO-LEFT MARK"),
    ("\u061c", "ARABIC LETTER MARK"), ("\u200b", "ZERO WIDTH SPACE"), ("\u200c", "ZERO WIDTH NON-JOINER"),
    ("\u200d", "ZERO WIDTH JOINER"), ("\u2060", "WORD JOINER"), ("\ufeff", "ZERO WIDTH NO-BREAK SPACE"),
    ("\u2028", "LINE SEPARATOR"), ("\u2029", "PARAGRAPH SEPARATOR"),
])
def test_each_invisible_character_in_a_title_is_named_with_its_position(site, character, name):
    site.story(title=f"Radwege{character} am Rhein")
    code = f"U+{ord(character):04X}"
    reason = {"U+2028": "bricht die Zeile um", "U+2029": "bricht die Zeile um"}.get(code, "")
    [error] = errors_of(site)
    assert error.startswith(f"{FILE}:3: Feld „title“: Unsichtbares Zeichen {code} {name} an Position 8 "
                            "(nach „Radwege“). "), error
    assert reason in error and error.endswith("Bitte entfernen, am sichersten durch Neutippen der Stelle.")


def test_title_spoofing_with_a_right_to_left_override_fails_invoke_check(tmp_path):
    project = project_copy(tmp_path / "project")
    Site(project)
    (project / "content/stories/2026").mkdir(parents=True, exist_ok=True)
    (project / f"{FILE}").write_text(story_text(title=f"Rechnung{RLO}fdp.exe"), encoding="utf-8")
    result = invoke(project, "check", "--now", "2026-11-26 12:00")
    assert result.returncode == 1
    assert (f"FEHLER {FILE}:3: Feld „title“: Unsichtbares Zeichen U+202E RIGHT-TO-LEFT OVERRIDE an Position 9 "
            "(nach „Rechnung“). Es ändert die Schreibrichtung und kann so einen anderen Text vortäuschen.") \
        in result.stderr


@pytest.mark.parametrize("fields, field, line", [
    ({"summary": '"Die Stadt\\u2028baut."'}, "summary", 6),  # a YAML escape, not the character itself
    ({"summary": '"Die Stadt\\Nbaut."'}, "summary", 6),  # \N is U+0085 NEXT LINE
    ({"slug": '"rad\\u200bwege"'}, "slug", 15),
    ({"tags": '[Radverkehr, "Rhein\\u200dufer"]'}, "tags", 10),
    ({"category": '"Verkehr\\u200b"'}, "category", 7),
    ({"contact": '\n  name: "Presse\\u202e"\n  phone: "0211 89-93131"'}, "contact.name", 12),
    ({"contact": '\n  name: Presse\n  phone: "0211\\u200b 89-93131"'}, "contact.phone", 13),
    ({"contact": '\n  name: Presse\n  email: "presse@duesseldorf.de\\u2060"'}, "contact.email", 13),
    ({"date": '"2026-11-20\\u200e 10:00"'}, "date", 4),
    ({"channels": '\n  mastodon:\n    text: "Neu: Radwege\\u202e"'}, "channels.mastodon.text", 17),
])
def test_every_one_line_field_refuses_them(site, fields, field, line):
    site.story(**fields)
    errors = errors_of(site)
    assert any(e.startswith(f"{FILE}:{line}: Feld „{field}“: Unsichtbares Zeichen U+") for e in errors), errors


def test_a_next_line_control_typed_into_the_file_is_refused(site):
    site.story(title="Radwege\x85am Rhein")
    assert errors_of(site) == [f"{FILE}:3: Feld „title“: Unsichtbares Steuerzeichen U+0085 gefunden; bitte entfernen."]


def test_a_joiner_inside_an_emoji_is_fine_in_channel_texts_only(site):
    firefighter, rainbow = "\U0001f469\u200d\U0001f692", "\U0001f3f3\ufe0f\u200d\U0001f308"
    site.story(channels=f'\n  mastodon:\n    text: "Danke {firefighter} und {rainbow}!"')
    build = site.check()
    story = build.archive.full_story(build.all_stories[0])
    assert story.channels[0].text == f"Danke {firefighter} und {rainbow}!"
    site.story(channels='\n  mastodon:\n    text: "Danke\\u200dschön \U0001f469\\u200d"')  # between letters; at the end
    assert errors_of(site) == [f"{FILE}:17: Feld „channels.mastodon.text“: Unsichtbares Zeichen U+200D ZERO WIDTH "
                               "JOINER an Position 6 (nach „Danke“). Es ist nicht zu sehen, trennt oder verbindet aber "
                               "Wörter. Bitte entfernen, am sichersten durch Neutippen der Stelle."]
    site.story(title=f"Danke {firefighter}")
    assert errors_of(site)[0].startswith(f"{FILE}:3: Feld „title“: Unsichtbares Zeichen U+200D ZERO WIDTH JOINER")
    assert find_invisible(f"x {firefighter}", emoji_joiner=True) is None
    assert find_invisible(f"{firefighter}\u200d", emoji_joiner=True) == (3, "\u200d")


def test_media_descriptions_and_static_pages_refuse_them(site):
    site.add_media("fotos/markt.jpg", title='"Markt\\u202eplatz"', alt='"Markt\\u200b"', credit='"Foto: Stadt\\u2028"')
    site.story(image="fotos/markt.jpg")
    site.write("pages/kontakt.md", f"---\ntitle: Kon{RLO}takt\n---\nText.\n")
    errors = errors_of(site)
    sidecar = "content/media/fotos/markt.jpg.yml"
    assert any(e.startswith(f"{sidecar}:1: Feld „title“: Unsichtbares Zeichen U+202E RIGHT-TO-LEFT OVERRIDE "
                            "an Position 6 (nach „Markt“).") for e in errors), errors
    assert any(e.startswith(f"{sidecar}:2: Feld „alt“: Unsichtbares Zeichen U+200B ZERO WIDTH SPACE") for e in errors)
    assert any(e.startswith(f"{sidecar}:3: Feld „credit“: Unsichtbares Zeichen U+2028 LINE SEPARATOR") for e in errors)
    assert any(e.startswith("content/pages/kontakt.md:2: Feld „title“: Unsichtbares Zeichen U+202E") for e in errors)


def test_new_refuses_a_title_with_a_direction_character(tmp_path):
    project = project_copy(tmp_path / "project")
    Site(project)
    result = invoke(project, "new", "--title", f"Rechnung{RLO}fdp.exe")
    assert result.returncode == 1
    assert "Titel: Unsichtbares Zeichen U+202E RIGHT-TO-LEFT OVERRIDE an Position 9" in result.stderr
    assert not list((project / "content/stories").rglob("*.md"))


def test_texts_embedded_in_a_photo_obey_the_same_rule_unless_the_description_replaces_them(site):
    from tests.test_media_portal import photo, xmp

    site.write("media/fotos/agentur.jpg", photo(xmp=xmp(title=f"Rhein{RLO}ufer", credit="Foto: Agentur",
                                                         alt="Ein roter Platz")))
    assert errors_of(site) == [
        "content/media/fotos/agentur.jpg: Feld „title“: In den eingebetteten Bilddaten (IPTC/XMP): Unsichtbares "
        "Zeichen U+202E RIGHT-TO-LEFT OVERRIDE an Position 6 (nach „Rhein“). Es ändert die Schreibrichtung und kann "
        "so einen anderen Text vortäuschen. Bitte entfernen, am sichersten durch Neutippen der Stelle. Oder in "
        "agentur.jpg.yml einen eigenen Wert angeben; er hat Vorrang."]
    site.write("media/fotos/agentur.jpg.yml", "title: Rheinufer\n")
    site.check()
    site.build()
    assert RLO not in site.page("medienportal/medien/fotos/agentur/index.html")
