"""Change notes, corrections and the withdrawal as an editor writes them, and every mistake named."""

import pytest

from newsroom.errors import ContentErrors
from tests.support import story_text

FILE = "content/stories/2026/radwege.md"

CHANGES = ("\n  - date: 2026-11-20 19:00\n    note: Die Umleitung ist ergänzt."
           "\n  - date: 2026-11-21 12:30\n    note: Neuer Termin für die Freigabe.")
CORRECTIONS = ("\n  - date: 2026-11-22 08:00\n    wrong: Die Sperrung dauert bis Freitag."
               "\n    right: Die Sperrung dauert bis Sonntag.")
WITHDRAWAL = "\n  date: 2026-11-23 10:00\n  reason: Die Baustelle wurde verschoben.\n  gone: true"


def errors_of(site, **fields) -> list[str]:
    """The errors of a story to publish; a draft's, which never stop the build, as its warnings."""
    site.write("stories/2026/radwege.md", story_text(**fields))
    if fields.get("status") == "draft":
        return [str(e) for e in site.check().draft_problems]
    with pytest.raises(ContentErrors) as caught:
        site.check()
    return [str(e) for e in caught.value.errors]


def story_of(site, **fields):
    site.write("stories/2026/radwege.md", story_text(**fields))
    build = site.check()
    card = build.all_stories[0]
    return card, build.archive.full_story(card)


def test_changes_and_corrections_are_read_in_their_order(site):
    card, story = story_of(site, changes=CHANGES, corrections=CORRECTIONS)
    assert [n.note for n in story.changes] == ["Neuer Termin für die Freigabe.", "Die Umleitung ist ergänzt."]
    assert [(c.key, c.wrong, c.right) for c in story.corrections] == [
        ("202611220800", "Die Sperrung dauert bis Freitag.", "Die Sperrung dauert bis Sonntag.")]
    assert story.noted == story.corrections[0].date
    assert card.corrections == (("202611220800", story.corrections[0].date.timestamp()),)
    assert card.noted_ts == story.noted.timestamp() and card.withdrawn_ts is None


def test_a_withdrawn_story_carries_date_reason_and_the_legal_option(site):
    card, story = story_of(site, status="withdrawn", withdrawal=WITHDRAWAL)
    assert card.status == "withdrawn" and story.withdrawal.gone
    assert story.withdrawal.reason == "Die Baustelle wurde verschoben."
    assert card.withdrawn_ts == story.withdrawal.date.timestamp()


@pytest.mark.parametrize("fields, expected", [
    ({"status": "withdrawn"}, f"{FILE}: Feld „withdrawal“: Pflichtfeld fehlt oder ist leer."),
    ({"withdrawal": WITHDRAWAL}, f"{FILE}:16: Feld „withdrawal“: „withdrawal“ gilt nur zusammen mit „status: withdrawn“."),
    ({"status": "withdrawn", "withdrawal": "\n  date: 2026-11-23 10:00"},
     f"{FILE}: Feld „withdrawal.reason“: Pflichtfeld fehlt oder ist leer."),
    ({"changes": "\n  - date: 2026-11-01 09:00\n    note: Zu früh."},
     f"{FILE}:16: Feld „changes[1].date“: Die Änderung (01.11.2026 09:00) liegt vor der Veröffentlichung der "
     "Meldung (20.11.2026 10:00)."),
    ({"changes": "\n  - Nur ein Text"},
     f"{FILE}:16: Feld „changes“: Erwartet wird je Eintrag eine Gruppe von Feldern"),
    ({"corrections": "\n  - date: 2026-11-22 08:00\n    wrong: Freitag."},
     f"{FILE}: Feld „corrections[1].right“: Pflichtfeld fehlt oder ist leer."),
    ({"corrections": "\n  - date: 2026-11-22 08:00\n    wrong: a\n    right: b\n    richtig: c"},
     f"{FILE}:19: Feld „corrections[1].richtig“: Unbekanntes Feld."),
    ({"corrections": CORRECTIONS + CORRECTIONS.replace("Sonntag", "Montag")},
     f"{FILE}:16: Feld „corrections“: Zwei Berichtigungen haben dieselbe Minute"),
    ({"status": "draft", "corrections": CORRECTIONS},
     f"{FILE}:16: Feld „corrections“: Ein Entwurf ist nicht erschienen"),
    ({"changes": "\n  - date: 2026-11-22 08:00\n    note: \"Umgeleitet \\u202E über\""},
     f"{FILE}:17: Feld „changes[1].note“:"),
])
def test_mistakes_are_named_by_file_line_and_field(site, fields, expected):
    found = errors_of(site, **fields)
    assert any(e.startswith(expected) for e in found), found
