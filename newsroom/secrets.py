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


SECRETS_FILE = PREFIX + "SECRETS_FILE"  # the environment file refreshed credentials are written to


def update_secrets_file(path: str | os.PathLike, values: Mapping[str, str]) -> None:
    """Set `values` (full variable names → values) in the environment file at `path` (lines KEY=value, as
    systemd's EnvironmentFile reads them), keeping every other line: written to a temporary file of mode
    0600 beside it, then renamed over it, so a reader sees the old file or the new one, never half."""
    import tempfile
    from pathlib import Path

    target = Path(path)
    for key, value in values.items():
        if not key.startswith(PREFIX) or not key.replace("_", "").isalnum() or not value or \
                any(c.isspace() or c in "\"'\\" for c in value):
            raise PublishError(f"{target}: {key} lässt sich nicht als Zeile KEY=Wert schreiben; nichts geändert.")
    try:
        lines = target.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    except OSError as exc:
        raise PublishError(f"{target} ist nicht lesbar ({exc.strerror}); nichts geändert.") from None
    left = dict(values)
    kept = []
    for line in lines:
        key = line.split("=", 1)[0].strip()
        if "=" in line and not line.lstrip().startswith("#") and key in values:
            if key in left:
                kept.append(f"{key}={left.pop(key)}")
            continue  # a second line of the same key would override the new value
        kept.append(line)
    kept += [f"{key}={value}" for key, value in left.items()]
    data = ("\n".join(kept) + "\n").encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")  # mode 0600
    except OSError as exc:
        raise PublishError(f"Im Ordner von {target} lässt sich nicht schreiben ({exc.strerror}); nichts "
                           "geändert.") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
        folder = os.open(target.parent, os.O_RDONLY)  # the rename itself survives a power cut
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
