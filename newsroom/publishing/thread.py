"""Threads: an editor's own text too long for one post, split into numbered parts.

Each part ends with its number ("(2/3)"), the first holds the story's link as well, and each
fits the channel's limit as the channel counts (`count`: Mastodon's characters with links as
23, Bluesky's graphemes), numbers and link included. A part ends at a paragraph where one fits,
else at a sentence, else at a word; only a single word longer than a whole post is cut inside.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_PARAGRAPH = re.compile(r"\n\s*\n")
# A sentence ends with . ! ? or … (closing quotes and brackets after it belong to it), then space.
_SENTENCE = re.compile(r"[.!?…][\"'“”„«»)\]]*(?=\s)")
_WORD = re.compile(r"\S(?=\s)")
_LEVELS = (_PARAGRAPH, _SENTENCE, _WORD)
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}  # zero-width joiner, variation selectors: part of the character before


def numbered(chunk: str, number: int, total: int, link: str | None) -> str:
    """One part as posted: its text and number; the first with the link below."""
    text = f"{chunk} ({number}/{total})"
    return f"{text}\n\n{link}" if number == 1 and link and link not in chunk else text


def recorded_parts(detail) -> list[str]:
    """The ids of a thread's parts an earlier attempt recorded (detail `thread`), in order."""
    return [str(item) for item in detail.get("thread") or ()]


def part_key(key: str, number: int) -> str:
    """The idempotency key of a thread's part: the send's own for the first, so a thread's first post
    is found like a single post; the part's number added for the others."""
    return key if number == 1 else f"{key}#{number}"


def thread_parts(text: str, link: str | None, *, count: Callable[[str], int], limit: int) -> tuple[str, ...]:
    """`text` (an editor's own text; the link is added to the first part unless the text holds it)
    as a thread's parts in order; empty when it fits one post with its link."""
    text = text.strip()
    whole = text if not link or link in text else f"{text}\n\n{link}"
    if count(whole) <= limit:
        return ()
    total, seen = 2, set()
    while True:
        chunks = _split(text, link, total, count, limit)
        if len(chunks) == total or total in seen:
            return tuple(numbered(chunk, n, len(chunks), link) for n, chunk in enumerate(chunks, 1))
        seen.add(total)
        total = len(chunks)


def _split(text: str, link: str | None, total: int, count, limit: int) -> list[str]:
    """Greedy: each part as long as fits, ending at the strongest boundary that fits."""
    chunks: list[str] = []
    rest = text
    while rest:
        number = len(chunks) + 1

        def fits(chunk: str) -> bool:
            return count(numbered(chunk, number, max(total, number), link)) <= limit

        if fits(rest):
            chunks.append(rest)
            break
        end = _cut(rest, fits)
        chunks.append(rest[:end].rstrip())
        rest = rest[end:].lstrip()
    return chunks


def _cut(text: str, fits) -> int:
    """Where the part taken from the start of `text` ends: the last paragraph end that fits, else
    the last sentence end, else the last word end; else as many characters as fit (at least one)."""
    for level in _LEVELS:
        ends = [end for end in (match.start() if level is _PARAGRAPH else match.end() for match in level.finditer(text))
                if text[:end].strip()]
        # A longer prefix never counts less: the last end that fits, found by halving.
        low, high = 0, len(ends)
        while low < high:
            middle = (low + high) // 2
            if fits(text[:ends[middle]].rstrip()):
                low = middle + 1
            else:
                high = middle
        if low:
            return ends[low - 1]
    low, high = 1, len(text)
    while low < high:  # the longest prefix that fits
        middle = (low + high + 1) // 2
        if fits(text[:middle]):
            low = middle
        else:
            high = middle - 1
    end = low
    # Never inside a character a reader sees as one (an accent, an emoji sequence).
    while 1 < end < len(text) and (text[end] in _JOINERS or text[end - 1] == "\u200d"
                                    or unicodedata.combining(text[end]) or "\U0001f3fb" <= text[end] <= "\U0001f3ff"):
        end -= 1
    return end


def thread_problems(label: str, channel: str, post, maximum: int, limit: int) -> list[str]:
    """The German problem of a thread longer than SOCIAL_THREAD_MAX_POSTS allows; empty when it is not."""
    if len(post.parts) <= maximum:
        return []
    return [f"{label}: Der eigene Text braucht {len(post.parts)} Beiträge (je höchstens {limit} Zeichen), erlaubt "
            f"sind {maximum} (SOCIAL_THREAD_MAX_POSTS). Bitte unter channels.{channel}.text kürzen."]
