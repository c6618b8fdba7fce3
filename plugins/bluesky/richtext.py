"""Bluesky's text rules: graphemes, facets with UTF-8 byte offsets, record keys (TIDs).

- Length is counted in graphemes (what a reader sees as one character: "ä", "👍🏽" and a
  family emoji of seven code points are one each), at most 300, and at most 3,000 bytes.
- Links and hashtags are not recognised by the server: the client marks them as facets,
  `index: {byteStart, byteEnd}` into the UTF-8 bytes of the text (start inclusive, end
  exclusive), so every umlaut before a link shifts it by two bytes, an emoji by four.
- A post's record key is a TID: 13 characters base32-sortable, a 64-bit number with the
  top bit 0, 53 bits of microseconds since 1970 and a 10-bit clock id.
"""

from __future__ import annotations

import hashlib

import regex

GRAPHEME = regex.compile(r"\X")
LINK = regex.compile(r"https?://[^\s<>\"]+")
TAG = regex.compile(r"(?:^|(?<=\s))#([^\s#]+)")
TRAILING = ".,:;!?'\")]}"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
LINK_FEATURE = "app.bsky.richtext.facet#link"
TAG_FEATURE = "app.bsky.richtext.facet#tag"


def graphemes(text: str) -> int:
    return len(GRAPHEME.findall(text))


def _byte(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def facets(text: str) -> list[dict]:
    """Link and hashtag facets of `text`, ordered by position."""
    found = []
    for match in LINK.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in TRAILING:
            end -= 1
        found.append((start, end, {"$type": LINK_FEATURE, "uri": text[start:end]}))
    for match in TAG.finditer(text):
        start, end = match.span()
        while end > start + 1 and text[end - 1] in TRAILING:
            end -= 1
        name = text[start + 1:end]
        if not name or name.isdigit() or graphemes(name) > 64:
            continue
        found.append((start, end, {"$type": TAG_FEATURE, "tag": name}))
    return [{"index": {"byteStart": _byte(text, start), "byteEnd": _byte(text, end)}, "features": [feature]}
            for start, end, feature in sorted(found, key=lambda item: item[0])]


def facet_problems(text: str, marks: list[dict]) -> list[str]:
    """Facets whose bytes do not hold what they claim (a text edited after marking)."""
    data = text.encode("utf-8")
    problems = []
    for mark in marks:
        start, end = mark["index"]["byteStart"], mark["index"]["byteEnd"]
        feature = mark["features"][0]
        expected = feature.get("uri") or f"#{feature.get('tag')}"
        if not (0 <= start < end <= len(data)) or data[start:end] != expected.encode("utf-8"):
            problems.append(f"Bluesky: Die Markierung für „{expected}“ (Bytes {start}–{end}) passt nicht "
                            "zum Text.")
    return problems


def tid(micros: int, clock: int) -> str:
    value = ((micros & ((1 << 53) - 1)) << 10) | (clock & 0x3FF)
    return "".join(TID_ALPHABET[(value >> (5 * shift)) & 31] for shift in range(12, -1, -1))


def record_key(key: str, published: float) -> str:
    """The TID for one send: derived from its idempotency key (so a retry with the same key
    collides with the first attempt instead of posting twice) and placed at the story's
    publication second, so the post sorts where it belongs."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    micros = int(published) * 1_000_000 + int.from_bytes(digest[:4], "big") % 1_000_000
    return tid(micros, int.from_bytes(digest[4:6], "big"))


def is_tid(value: str) -> bool:
    return (len(value) == 13 and all(c in TID_ALPHABET for c in value)
            and value[0] in TID_ALPHABET[:16])
