"""official_warnings: the official warnings of the federal warning system (NINA) as one small fragment,
`_teile/warnungen.html`, made from the state `invoke warnings` recorded (newsroom/warnings).

Every page includes it by a server-side include (theme/templates/warnings/_include.html), so a
new or expired warning redraws this one file, never the archive. Its inputs are what it shows
at the build's time, so an incremental build equals a cold one for the same recorded state.
The fragment is written whenever NINA_ARS is set, empty when there is nothing to say: a missing
file would make the web server show an error in its place.
"""

from __future__ import annotations

from pelican import signals
from pelican.generators import Generator

from newsroom.build.context import of
from newsroom.warnings.view import current_view

FRAGMENT = "_teile/warnungen.html"
TEMPLATE = "warnings/_fragment.html"


class WarningsGenerator(Generator):
    def generate_context(self) -> None:
        build = of(self.context)
        self.view = current_view(self.settings, build.now)

    def generate_output(self, writer) -> None:
        view = self.view
        if view is None or self.settings["WARNINGS_INCLUDE"] != "ssi":
            return
        template = self.get_template(TEMPLATE.removesuffix(".html"))

        def render() -> str:
            return template.render(self.context, warnings_view=view)

        writer.page(FRAGMENT, render, owner="Amtliche Warnungen", inputs=view.key())


def get_generators(_pelican):
    return WarningsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
