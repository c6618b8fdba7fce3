"""Static pages: their optional form and Leichte Sprache, checked like stories."""

from __future__ import annotations

import pytest

from newsroom.errors import ContentErrors

FILE = "content/pages/barrierefreiheit.md"


def test_form_field_adds_the_feedback_form(site):
    site.write("pages/barrierefreiheit.md", "---\ntitle: Erklärung zur Barrierefreiheit\nform: barriere-melden\n---\n"
                                            "Text.\n")
    site.build()
    html = site.page("barrierefreiheit/index.html")
    assert '<form action="mailto:barrierefreiheit@duesseldorf.de?subject=Barriere%20melden" method="post"' in html
    assert '<script src="/theme/js/barriere-melden.js" defer></script>' in html


def test_page_in_leichte_sprache_keeps_its_line_breaks(site):
    site.write("pages/leichte-sprache.md", "---\ntitle: Leichte Sprache\nleichte_sprache: true\n---\n"
                                          "Hier sind Nachrichten.\nDie Stadt schreibt sie.\n")
    site.build()
    html = site.page("leichte-sprache/index.html")
    assert "<p>Hier sind Nachrichten.<br>\nDie Stadt schreibt sie.</p>" in html
    assert 'class="static-page easy-read-page"' in html


@pytest.mark.parametrize("line, expected", [
    ("form: kontakt", f"{FILE}:3: Feld „form“: „kontakt“ ist nicht erlaubt. Erlaubt: barriere-melden, abonnieren."),
    ("leichte_sprache: vielleicht", f"{FILE}:3: Feld „leichte_sprache“: Erwartet wird true oder false."),
])
def test_bad_values_are_german_errors(site, line, expected):
    site.write("pages/barrierefreiheit.md", f"---\ntitle: Barrierefreiheit\n{line}\n---\nText.\n")
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert expected in [str(e) for e in caught.value.errors]
