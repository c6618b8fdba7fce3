"""A story's Leichte Sprache version: front matter `leichte_sprache`, checked and shown beside the text."""

from __future__ import annotations

import pytest

from newsroom.errors import ContentErrors

FILE = "content/stories/2026/radwege.md"
STORY = "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html"
EASY = ("|\n  Die Stadt baut neue Rad·wege.\n  Die Rad·wege sind am Rhein.\n\n"
        "  ## Wann?\n\n  Die Arbeiten beginnen im Frühjahr.\n  Mehr dazu: [Rad·wege](story:b2c3d4e5f6a1)\n")


def errors_of(site, value: str) -> list[str]:
    site.story(leichte_sprache=value)
    with pytest.raises(ContentErrors) as caught:
        site.check()
    return [str(e) for e in caught.value.errors]


def test_shown_beside_the_standard_text_with_a_link_to_it(site):
    site.story("2026/alt.md", id="b2c3d4e5f6a1", title="Radwege im Sommer", date="2026-06-01 10:00")
    site.story(leichte_sprache=EASY, body="Die Arbeiten beginnen im Frühjahr.\n\n## Wann?\n\nIm März.\n")
    site.build()
    html = site.page(STORY)
    assert '<a href="#leichte-sprache">Diese Meldung in Leichter Sprache</a>' in html
    assert '<section class="easy-read" id="leichte-sprache" aria-labelledby="leichte-sprache-heading">' in html
    assert "<p>Die Stadt baut neue Rad·wege.<br>\nDie Rad·wege sind am Rhein.</p>" in html  # one sentence a line
    assert '<h3 id="leichte-sprache-wann">Wann?</h3>' in html  # below the section's h2, no clash with the body
    assert '<h2 id="wann">Wann?</h2>' in html
    assert '<a href="/aktuelles/2026/06/radwege-im-sommer/">Rad·wege</a>' in html


def test_a_story_without_it_has_no_section(site):
    site.story()
    site.build()
    html = site.page(STORY)
    assert 'id="leichte-sprache"' not in html and "Diese Meldung in Leichter Sprache" not in html


@pytest.mark.parametrize("value, expected", [
    ("Zu kurz.", f"{FILE}:15: Feld „leichte_sprache“: Die Fassung in Leichter Sprache ist zu kurz: bitte die "
                 "ganze Meldung in Leichter Sprache erzählen (oder das Feld weglassen)."),
    ("|\n  Hier ist ein Bild ohne Beschreibung für alle Leser der Meldung.\n  ![](media:fotos/rhein.jpg)\n",
     f"{FILE}:15: Feld „leichte_sprache“: Das Bild „media:fotos/rhein.jpg“ hat keinen Alternativtext: "
     "![Beschreibung](media:fotos/rhein.jpg)"),
    ("|\n  Mehr steht auf der Seite von der Stadt im Internet für alle Leser.\n  [Hier](../geheim.md)\n",
     f"{FILE}:15: Feld „leichte_sprache“: Link „../geheim.md“ verweist auf eine Datei außerhalb von content/. "
     "Für Medien bitte media:<pfad> verwenden, für Meldungen story:<id>."),
    ("|\n  Mehr dazu steht in einer anderen Meldung von der Stadt für alle Leser.\n  [Hier](story:fehltfehlt)\n",
     f"{FILE}: Link story: „fehltfehlt“: keine Meldung hat diese id."),
])
def test_problems_are_german_errors_with_file_line_and_field(site, value, expected):
    assert expected in errors_of(site, value)
