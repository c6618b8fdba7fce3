"""Characters a reader cannot see but that change what a text shows or how it breaks.

Bidi controls reverse what follows them (a title can spoof another in `<title>`, the mail
subject and social posts), zero-width characters hide inside words and addresses, and
line or paragraph separators break a one-line text where no line break is visible. Front
matter and media descriptions refuse them (`newsroom.content.schema`); a story's body may hold
them, since it is shown only as a page's own text.

A zero-width joiner (U+200D) between two emoji is part of the emoji (woman firefighter,
rainbow flag): channel texts for social networks may hold it there, nowhere else. Titles,
summaries and tags have no use for it; they go to `<title>`, mail subjects and addresses.
"""

from __future__ import annotations

import re
import unicodedata

from newsroom.content.frontmatter import FORBIDDEN_CHARACTERS

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff"
SEPARATORS = "\u2028\u2029\u0085"
INVISIBLE = re.compile(f"[{BIDI_CONTROLS}{ZERO_WIDTH}{SEPARATORS}]|{FORBIDDEN_CHARACTERS.pattern}")
ZWJ = "\u200d"
_EMOJI_TAIL = re.compile("[\ufe0f\U0001f3fb-\U0001f3ff]*$")  # variation selector, skin tones
_REASONS = [
    (re.compile(f"[{BIDI_CONTROLS}]"), "Es ändert die Schreibrichtung und kann so einen anderen Text vortäuschen."),
    (re.compile(f"[{ZERO_WIDTH}]"), "Es ist nicht zu sehen, trennt oder verbindet aber Wörter."),
    (re.compile(f"[{SEPARATORS}]"), "Es bricht die Zeile um, ohne dass man es sieht."),
]
_UNNAMED = {0x85: "NEXT LINE (NEL)"}  # control characters have no name in unicodedata


def _is_emoji(character: str) -> bool:
    return unicodedata.category(character) == "So"


def _joins_emoji(text: str, index: int) -> bool:
    before = _EMOJI_TAIL.sub("", text[:index])
    return bool(before) and _is_emoji(before[-1]) and index + 1 < len(text) and _is_emoji(text[index + 1])


def find_invisible(text: str, *, emoji_joiner: bool = False) -> tuple[int, str] | None:
    """(0-based index, character) of the first invisible or direction character, if any.
    With `emoji_joiner`, a zero-width joiner between two emoji is allowed."""
    for match in INVISIBLE.finditer(text):
        if emoji_joiner and match.group() == ZWJ and _joins_emoji(text, match.start()):
            continue
        return match.start(), match.group()
    return None


def character_name(character: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE'."""
    code = ord(character)
    name = unicodedata.name(character, None) or _UNNAMED.get(code, "CONTROL CHARACTER")
    return f"U+{code:04X} {name}"


def invisible_message(text: str, index: int, character: str) -> str:
    """The German explanation naming the character, its position (1-based) and what precedes it."""
    before = text[:index].strip()
    where = f" (nach „{'…' + before[-20:] if len(before) > 20 else before}“)" if before else " (am Anfang)"
    reason = next((why for pattern, why in _REASONS if pattern.match(character)),
                  "Es ist ein Steuerzeichen, das in Feeds und E-Mails nicht vorkommen darf.")
    return (f"Unsichtbares Zeichen {character_name(character)} an Position {index + 1}{where}. {reason} "
            "Bitte entfernen, am sichersten durch Neutippen der Stelle.")
