"""A progress line for long steps: live in a terminal, silent in CI and in log files.

`Progress("Hochladen", 25000, "Dateien")` shows `Hochladen: 1.200 von 25.000 Dateien (310/s)`
on standard error, redrawn at most four times a second and ended with a line break.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping


def wanted(stream=None, environ: Mapping[str, str] | None = None) -> bool:
    """Only for a person watching: not when CI is set, not when the output is a file or pipe."""
    stream = sys.stderr if stream is None else stream
    environ = os.environ if environ is None else environ
    return not environ.get("CI") and hasattr(stream, "isatty") and stream.isatty()


def german_count(number: float) -> str:
    return f"{number:,.0f}".replace(",", ".")


class Progress:
    """`done`: work finished before this run (a mail run that continues); the rate counts this run's."""

    def __init__(self, label: str, total: int, unit: str, *, done: int = 0, stream=None,
                 enabled: bool | None = None):
        self.stream = sys.stderr if stream is None else stream
        self.enabled = wanted(self.stream) if enabled is None else enabled
        self.label, self.total, self.unit = label, total, unit
        self.done = self.first = done
        self.started = time.monotonic()
        self.shown = 0.0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def advance(self, count: int = 1) -> None:
        self.done = min(self.done + count, self.total)
        now = time.monotonic()
        if self.enabled and (now - self.shown >= 0.25 or self.done >= self.total):
            self.shown = now
            rate = (self.done - self.first) / max(now - self.started, 1e-6)
            self.stream.write(f"\r{self.label}: {german_count(self.done)} von {german_count(self.total)} "
                              f"{self.unit} ({german_count(rate)}/s)")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = 0.0
