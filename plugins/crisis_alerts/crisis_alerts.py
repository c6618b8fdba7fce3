"""crisis_alerts: the crisis message (content/krise.yml) offered to the publish run as sends of its
own: the first alert, each update and the all-clear, on every channel it lists, exactly once and
before everything else in the run (newsroom/crisis/sends.py). Draws no page: the banner and the
emergency page are the core's.
"""

from __future__ import annotations

from pelican import signals
from pelican.generators import Generator

from newsroom.build.context import of
from newsroom.crisis.sends import CrisisSends


class CrisisAlertsGenerator(Generator):
    def generate_context(self) -> None:
        build = of(self.context)
        crisis = build.crisis
        if crisis is None:
            return
        build.offer_sendables(CrisisSends(crisis, self.settings, build.now, media=build.media,
                                          media_pages=lambda: build.media_pages))

    def generate_output(self, writer) -> None:
        pass


def get_generators(_pelican):
    return CrisisAlertsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
