"""The template filters that change a text's HTML for its web page (plugins/template_filters)."""

from __future__ import annotations

from newsroom.content.markup import BodyRenderer
from plugins.template_filters.template_filters import scrollable_tables

FRAME = '<div class="table-scroll" role="region" aria-label="Tabelle" tabindex="0">'
TEXT = """Die Wahllokale öffnen um 8 Uhr.

| Stadtbezirk | Wahlberechtigte | Briefwahlanträge |
|---|---|---|
| 1 | 62 000 | 21 400 |

Eine zweite Tabelle:

| Ort | Uhrzeit |
|---|---|
| Rathaus | 18 Uhr |
"""


def test_each_table_of_a_text_stands_in_a_frame_that_scrolls_on_a_phone():
    html = BodyRenderer().render(TEXT).html
    framed = str(scrollable_tables(html))
    assert framed.count(FRAME + "<table>") == 2
    assert framed.count("</table></div>") == 2
    assert framed.replace(FRAME, "").replace("</table></div>", "</table>") == html


def test_a_text_without_tables_and_escaped_table_tags_stay_as_they_are():
    html = BodyRenderer().render("Ein Absatz mit `<table>` als Code und <table> als Text.").html
    assert "&lt;table&gt;" in html
    assert scrollable_tables(html) == html


def test_a_page_in_another_language_names_the_frame_in_its_own_words():
    html = BodyRenderer().render(TEXT).html
    framed = str(scrollable_tables(html, "Table <data>"))
    frame = '<div class="table-scroll" role="region" aria-label="Table &lt;data&gt;" tabindex="0"><table>'
    assert framed.count(frame) == 2
    assert 'aria-label="Tabelle"' not in framed
