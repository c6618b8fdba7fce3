"""The crisis region of every page: `<!--newsroom:krise-->…<!--/newsroom:krise-->` in base.html.

Pages are rendered with the region empty; the site writer (newsroom/build/output.py) puts the
region's bytes into every .html file it stages, and when they differ from the last build's, a
banner pass refills the pages it kept. So a crisis, an update of it or its end never re-renders
a page, and with no crisis the region is empty again: every page is byte for byte as before.

Where the region is: its start marker within the first `WINDOW` bytes after `<body`, closed by
the first end marker after it. The theme puts it right after the skip link; a story's text comes
far later and cannot carry a marker anyway (Markdown escapes raw HTML, templates escape every
value, JSON-LD's `tojson` escapes `<`), and the region's own parts may hold no marker.

The region is composed of parts (`compose_region`), each offered by name during the build's
reading (BuildContext.offer_region_part): the banner ("krise", plugins/crisis), and the official
warnings shown inline on hosts without server-side includes ("warnungen", WARNINGS_INCLUDE =
"inline"). `PART_ORDER` is their order on the page; a part of another name follows, by name.
"""

from __future__ import annotations

from collections.abc import Mapping

from newsroom.errors import NewsroomError

START = b"<!--newsroom:krise-->"
END = b"<!--/newsroom:krise-->"
_MARKER = b"<!--newsroom:"
_END_MARKER = b"<!--/newsroom:"
WINDOW = 1024  # bytes after `<body` in which the region must start (base.html: after the skip link)
PART_ORDER = ("krise", "warnungen")


def compose_region(parts: Mapping[str, bytes | str]) -> bytes:
    """The region's bytes from its parts (name → HTML), in PART_ORDER, then by name; empty parts
    leave no trace, so no crisis and no inline warnings is the empty region."""
    order = {name: rank for rank, name in enumerate(PART_ORDER)}
    joined = []
    for name in sorted(parts, key=lambda name: (order.get(name, len(order)), name)):
        part = parts[name]
        data = part.encode("utf-8") if isinstance(part, str) else bytes(part)
        if _MARKER in data or _END_MARKER in data:
            raise NewsroomError(f"Der Teil „{name}“ des Krisenbereichs enthält eine Markierung <!--newsroom:…-->.")
        if data.strip():
            joined.append(data.strip() + b"\n")
    return b"".join(joined)


def locate(page: bytes) -> tuple[int, int] | None:
    """(first, end) of the region's inside in `page`, or None when the page has no region."""
    body = page.find(b"<body")
    if body < 0:
        return None
    start = page.find(START, body, body + WINDOW + len(START))
    if start < 0:
        return None
    inside = start + len(START)
    end = page.find(END, inside)
    if end < 0 or page.find(_MARKER, inside, end) >= 0:  # unclosed, or a marker inside: not ours
        return None
    return inside, end


def splice(page: bytes, region: bytes) -> bytes:
    """`page` with its region holding `region` (the page itself when it has no region)."""
    found = locate(page)
    if found is None:
        return page
    first, end = found
    if page[first:end] == region:
        return page
    return page[:first] + region + page[end:]


def emptied(page: bytes) -> bytes:
    """The page as rendered, before the region was filled: what the search index hashes."""
    return splice(page, b"")
