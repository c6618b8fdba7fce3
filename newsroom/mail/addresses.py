"""E-mail addresses kept out of what is recorded or logged."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"<?[^\s<>()\[\]\\,;:@\"]+@[^\s<>()\[\]\\,;:@\"]+\.[^\s<>()\[\]\\,;:@\"]+>?")


def mask_addresses(text: str) -> str:
    """Server replies often quote the address ("550 <x@y.de>: unknown"): keep it out of records."""
    return _EMAIL.sub("<Adresse>", text)
