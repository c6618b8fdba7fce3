"""stories: the news pages: one page per story, lists per Thema, Amt, Stadtbezirk,
tag and month, the archive and the home page.

Adds its generator through `get_generators`, Pelican's hook for a whole generator.
"""

from __future__ import annotations

from pelican import signals

from .generator import StoriesGenerator


def get_generators(_pelican):
    return StoriesGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
