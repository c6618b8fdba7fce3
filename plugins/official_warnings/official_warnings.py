"""official_warnings: the official warnings of the federal warning system (NINA) as one small fragment,
`_teile/warnungen.html`, made from the state `invoke warnings` recorded (newsroom/warnings).

Every page includes it by a server-side include (theme/templates/warnings/_include.html), so a
new or expired warning redraws this one file, never the archive. Its inputs are what it shows
at the build's time, so an incremental build equals a cold one for the same recorded state.
The fragment is written whenever NINA_ARS is set, empty when there is nothing to say: a missing
file would make the web server show an error in its place.

With WARNINGS_INCLUDE "inline" (hosts without server-side includes, such as S3) there is no
fragment file: the same HTML is offered as the "warnungen" part of the crisis region, which the
writer puts into every page and refills in kept ones (newsroom/crisis/region.py), still without
drawing a page again.
"""

from __future__ import annotations

from pelican import signals
from pelican.generators import Generator

from newsroom.build.context import of
from newsroom.warnings.view import current_view

FRAGMENT = "_teile/warnungen.html"
TEMPLATE = "warnings/_fragment.html"
REGION_PART = "warnungen"  # its name in the crisis region (newsroom/crisis/region.py, PART_ORDER)


class WarningsGenerator(Generator):
    def generate_context(self) -> None:
        build = of(self.context)
        self.view = current_view(self.settings, build.now)
        if self.view is not None and self.settings["WARNINGS_INCLUDE"] == "inline":
            build.offer_region_part(REGION_PART, self.render())

    def render(self) -> str:
        return self.get_template(TEMPLATE.removesuffix(".html")).render(self.context, warnings_view=self.view)

    def generate_output(self, writer) -> None:
        view = self.view
        if view is None or self.settings["WARNINGS_INCLUDE"] != "ssi":
            return
        writer.page(FRAGMENT, self.render, owner="Amtliche Warnungen", inputs=view.key())


def get_generators(_pelican):
    return WarningsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
