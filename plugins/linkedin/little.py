"""LinkedIn's "little" text format, in which the Posts API reads a post's `commentary`.

The format reserves | { } @ [ ] ( ) < > # * _ ~ and the backslash for mentions, hashtags and
templates; every one of them that is meant as plain text carries a backslash before it, or
LinkedIn cuts the post off at the first one without an error. A hashtag (# at the start or
after a space, then letters or digits) stays a hashtag: LinkedIn links it. Comments are plain
text (Comments API), so only a post's commentary is escaped.
"""

from __future__ import annotations

import re

RESERVED = "\\|{}@[]()<>#*_~"
_HASHTAG = re.compile(r"(?:^|(?<=\s))#(?=[^\W_])")
_RESERVED = re.compile("[" + re.escape(RESERVED) + "]")


def escape(text: str) -> str:
    """`text` as little text: each reserved character escaped, hashtags kept."""
    keep = {match.start() for match in _HASHTAG.finditer(text)}
    return _RESERVED.sub(lambda match: match.group() if match.start() in keep else "\\" + match.group(), text)


def unescape(text: str) -> str:
    """Little text as readers see it (for matching what the platform gives back)."""
    return re.sub(r"\\([" + re.escape(RESERVED) + "])", r"\1", text)
