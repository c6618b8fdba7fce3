"""Phase timings of a build, for `invoke build --timings` and the benchmark."""

from __future__ import annotations

import time
from contextlib import contextmanager

PHASES: dict[str, float] = {}


@contextmanager
def phase(name: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        PHASES[name] = PHASES.get(name, 0.0) + time.perf_counter() - started


def report() -> str:
    return "  ".join(f"{name} {seconds:.2f}s" for name, seconds in PHASES.items())
