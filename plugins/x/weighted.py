"""How X counts a post: twitter-text's weighted length (configuration v3).

The text is NFC-normalised; every URL counts `url_length` (23, the t.co length) whatever
its own length; an emoji – also a sequence joined by zero-width joiners, a flag or one
with a skin tone – counts 2; every other code point counts 1 in the ranges below
(Latin, Greek, Cyrillic, Hebrew, Arabic … and general punctuation) and 2 elsewhere
(CJK, Hangul, most symbols). The limit is 280.
"""

from __future__ import annotations

import unicodedata

import regex

LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")
GRAPHEME = regex.compile(r"\X")

# URLs with a scheme, and bare domains as twitter-text links them (the common TLDs here).
_TRAILING = ".,:;!?'\")]}"
URL = regex.compile(
    r"https?://[^\s<>]+"
    r"|(?<![\w@.\-/])(?:www\.)?(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+"
    r"(?:de|com|org|net|eu|info|nrw|io|app|social|gov|edu)\b(?:/[^\s<>]*)?",
    regex.IGNORECASE)


def urls(text: str) -> list[tuple[int, int]]:
    """(start, end) of each link in `text`, trailing punctuation left out."""
    spans = []
    for match in URL.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        spans.append((start, end))
    return spans


def _weight(code: int) -> int:
    return 1 if any(low <= code <= high for low, high in LIGHT_RANGES) else 2


def weighted_length(text: str, url_length: int = 23) -> int:
    text = unicodedata.normalize("NFC", text)
    total, position = 0, 0
    for start, end in urls(text):
        total += _plain(text[position:start]) + url_length
        position = end
    return total + _plain(text[position:])


def _plain(text: str) -> int:
    total = 0
    for cluster in GRAPHEME.findall(text):
        if EMOJI.search(cluster):
            total += 2
        else:
            total += sum(_weight(ord(char)) for char in cluster)
    return total
