"""Text helpers shared by the social channels: hashtags, links, corrections, counting."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsroom.content.amendments import Correction
    from newsroom.publishing.channel import Release

_WORD = re.compile(r"[^\W_]+")
URL = re.compile(r"https?://\S+")


def hashtag(tag: str) -> str | None:
    """'Tag der offenen Tür' → '#TagDerOffenenTür'; None when nothing usable is left."""
    words = _WORD.findall(unicodedata.normalize("NFC", tag))
    if not words:
        return None
    joined = "".join(w if w[:1].isupper() else w[:1].upper() + w[1:] for w in words)
    return f"#{joined}" if not joined.isdigit() else None


def hashtags(tags, extra: tuple[str, ...] = ()) -> list[str]:
    seen: dict[str, str] = {}
    for tag in [*extra, *tags]:
        made = hashtag(tag)
        if made and made.lower() not in seen:
            seen[made.lower()] = made
    return list(seen.values())


def with_link(text: str, url: str) -> str:
    """An editor's own text with the story's address at its end, unless it holds it already."""
    text = text.strip()
    return text if url in text else f"{text}\n\n{url}"


@dataclass(frozen=True)
class Reply:
    """A reply to the first post that is not a correction (a crisis message's update or all-clear),
    sent through the same action: it opens with its own marker, which lookups match, and offers its
    texts longest first (the link in each); the channel takes the first that fits."""

    date: datetime
    marker: str
    texts: tuple[str, ...]


def correction_text(release: Release, correction: Correction | Reply, *, fits=None) -> str:
    """A correction as a reply: what was wrong, what is right, the link. Where the channel's limit
    (`fits`) does not take the whole of it, the link leads to the page, which shows it in full."""
    if isinstance(correction, Reply):
        return next((text for text in correction.texts if fits is None or fits(text)), correction.texts[-1])
    title, head = release.story.title, correction_marker(correction)
    candidates = [
        f"{head} zu unserer Meldung „{title}“: Falsch war: {correction.wrong} Richtig ist: {correction.right}"
        f"\n\n{release.url}",
        f"{head} zu unserer Meldung „{title}“: Richtig ist: {correction.right}\n\n{release.url}",
        f"{head} zu unserer Meldung „{title}“. Was richtig ist, steht in der Meldung:\n\n{release.url}",
        f"{head} zu unserer Meldung. Was richtig ist, steht in der Meldung:\n\n{release.url}",
    ]
    for text in candidates:
        if fits is None or fits(text):
            return text
    return candidates[-1]


def correction_marker(correction: Correction | Reply) -> str:
    """How every version of a correction begins: "Berichtigung vom 06.12.2026, 10:30 Uhr". Its time
    is the correction's key, so a lookup finds this correction among the story's others."""
    if isinstance(correction, Reply):
        return correction.marker
    return f"Berichtigung vom {correction.date:%d.%m.%Y, %H:%M} Uhr"


def weighted_length(text: str, url_length: int) -> int:
    """Length as Mastodon and X count it: every URL as `url_length` characters."""
    return len(URL.sub("x" * url_length, unicodedata.normalize("NFC", text)))


def count_hashtags(text: str) -> int:
    """Hashtags as the platforms see them: '#' after a space or at the start, then a word."""
    return len(HASHTAG.findall(text))


HASHTAG = re.compile(r"(?:^|(?<=\s))#[^\W_][\w]*", re.UNICODE)


def german_number(value: float, decimals: int = 0) -> str:
    """12345 → '12.345', (1.5, 1) → '1,5': numbers in German messages."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
