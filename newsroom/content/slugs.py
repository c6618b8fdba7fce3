"""URL slugs that read well in German: ä → ae, ß → ss, & → und."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS",
     "&": " und ", "+": " plus ", "@": " at ", "€": " euro ", "§": " paragraf "}
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
MAX_SLUG_LENGTH = 80


@lru_cache(maxsize=65536)  # tags and Themen recur across thousands of stories
def slugify(text: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """Lower-case ASCII slug; German umlauts and ß transliterated, other accents dropped."""
    text = text.translate(_GERMAN)
    if not text.isascii():
        # Decompose remaining accents (é → e + ´) and drop the combining marks.
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    slug = _NON_ALNUM.sub("-", text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        # Cut at a word boundary so a slug never ends mid-word.
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


def tag_problem(tag: str) -> str | None:
    """Why a tag cannot have a page of its own (German), or None. Its page is
    schlagworte/<slug>/: dots alone or slashes read as a path, and a tag without letters or
    digits has no slug at all."""
    if tag.strip(".") == "" or "/" in tag or "\\" in tag:
        return (f"„{tag}“ ist kein gültiges Schlagwort: Schrägstriche und Punkte allein sind als Adresse "
                "nicht möglich. Bitte ein Wort verwenden.")
    if not slugify(tag):
        return (f"„{tag}“ ist kein gültiges Schlagwort: Es enthält keine Buchstaben oder Ziffern, "
                "aus denen sich die Adresse der Schlagwort-Seite bilden lässt.")
    return None
