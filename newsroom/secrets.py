"""Credentials from the environment, and the redaction that keeps them out of every output.

Every value read through `Credentials` is remembered by the process-wide `REDACTOR`;
the logging filter and every text that goes into a receipt, a preview or the
terminal pass through `redact()`, so a token echoed in an error body never leaks.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping

from newsroom.errors import PublishError

PREFIX = "NEWSROOM_"
MASK = "***"


class Redactor:
    def __init__(self):
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str) -> None:
        if value and len(value) >= 4:  # shorter values would mask ordinary words
            with self._lock:
                self._values.add(value)

    def __call__(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, MASK)
        return text


REDACTOR = Redactor()


def redact(text: object) -> str:
    return REDACTOR(str(text))


class RedactingFilter(logging.Filter):
    """Masks known secrets in every log record, whatever logger wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_filter() -> None:
    root = logging.getLogger()
    for handler in root.handlers or []:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    if not any(isinstance(f, RedactingFilter) for f in root.filters):
        root.addFilter(RedactingFilter())


class Credentials:
    """`NEWSROOM_<CHANNEL>_<NAME>` variables of one channel, e.g. NEWSROOM_MASTODON_TOKEN."""

    def __init__(self, channel: str, environ: Mapping[str, str] | None = None):
        self.channel = channel
        self.prefix = f"{PREFIX}{channel.upper()}_"
        self.environ = os.environ if environ is None else environ

    def name(self, key: str) -> str:
        return self.prefix + key.upper()

    def get(self, key: str, default: str | None = None, *, secret: bool = True) -> str | None:
        value = self.environ.get(self.name(key), "").strip() or default
        if value and secret:
            REDACTOR.add(value)
        return value

    def require(self, key: str, *, secret: bool = True) -> str:
        value = self.get(key, secret=secret)
        if not value:
            raise PublishError(f"Kanal {self.channel}: Umgebungsvariable {self.name(key)} ist nicht gesetzt.")
        return value

    def missing(self, keys) -> list[str]:
        """Which are not set. Only looked at, not read as secrets: a handle or a server name counted
        here must not be masked in every message (a Bluesky handle can be the city's own domain)."""
        return [self.name(k) for k in keys if not self.environ.get(self.name(k), "").strip()]

    def base_url(self, default: str) -> str:
        """The API's base URL, overridable for self-hosted instances and tests."""
        return (self.get("BASE_URL", default, secret=False) or default).rstrip("/")
