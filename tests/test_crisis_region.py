"""The crisis region of a page: found only where base.html puts it, filled and emptied exactly."""

from __future__ import annotations

import pytest

from newsroom.content.markup import BodyRenderer
from newsroom.crisis.region import END, START, WINDOW, compose_region, emptied, locate, splice
from newsroom.errors import NewsroomError

PAGE = (b"<!DOCTYPE html>\n<html lang=\"de\">\n<head><title>T</title></head>\n<body>\n"
        b"<a class=\"skip-link\" href=\"#inhalt\">Zum Inhalt springen</a>\n"
        + START + END + b"\n<main>Text</main>\n</body>\n</html>\n")
BANNER = b"<section class=\"krise\">Hochwasser</section>\n"


def test_fill_and_empty_give_back_the_very_bytes():
    filled = splice(PAGE, BANNER)
    assert filled == PAGE.replace(START + END, START + BANNER + END)
    assert splice(filled, BANNER) is filled  # already holding it: the same object, nothing to stage
    other = splice(filled, b"<section>Entwarnung</section>\n")
    assert other.count(START) == 1 and b"Hochwasser" not in other
    assert emptied(other) == PAGE and emptied(PAGE) is PAGE


def test_a_page_without_region_or_body_stays_as_it_is():
    for page in (b"<html><body><main>ohne</main></body></html>", b"<?xml version=\"1.0\"?><rss/>",
                 START + END, b"", PAGE.replace(END, b"")):
        assert locate(page) is None and splice(page, BANNER) is page


def test_markers_in_the_head_do_not_count():
    page = PAGE.replace(b"<title>T</title>", b"<title>T</title>" + START + END)
    filled = splice(page, BANNER)
    assert filled.index(BANNER) > filled.index(b"<body>")
    assert filled.count(BANNER) == 1


def test_a_marker_in_a_story_text_cannot_take_the_region():
    # Where the theme has none (another template), a marker far down in the page is not a region.
    story = b"<body>\n" + b"<p>Text</p>\n" * (WINDOW // 10) + START + END + b"</body>"
    assert locate(story) is None and splice(story, BANNER) is story
    # The page's own region comes first; a second pair further down is left alone.
    page = PAGE.replace(b"<main>Text</main>", b"<main>" + START + b"boese" + END + b"</main>")
    filled = splice(page, BANNER)
    assert filled.count(BANNER) == 1 and b"<main>" + START + b"boese" + END in filled
    # A start marker nested inside the region: not a region the writer fills.
    nested = PAGE.replace(START + END, START + START + END + END)
    assert splice(nested, BANNER) is nested


def test_markdown_escapes_a_marker_an_editor_writes():
    body = BodyRenderer().render("Vorher\n\n<!--newsroom:krise-->\n\nText <!--/newsroom:krise--> und "
                                 "`<!--newsroom:krise-->`\n\n    <!--newsroom:krise-->\n").html
    assert "<!--" not in body and "&lt;!--newsroom:krise--&gt;" in body


def test_the_region_is_composed_of_its_parts_in_order():
    assert compose_region({}) == b"" and compose_region({"krise": "", "warnungen": b"  \n"}) == b""
    assert compose_region({"warnungen": "<div>W</div>", "krise": b"<section>K</section>\n"}) == \
        b"<section>K</section>\n<div>W</div>\n"
    assert compose_region({"zusatz": "<p>Z</p>", "warnungen": "<div>W</div>"}) == b"<div>W</div>\n<p>Z</p>\n"
    with pytest.raises(NewsroomError, match="„warnungen“"):
        compose_region({"warnungen": "<!--/newsroom:krise--><script>"})
