"""crisis: the crisis on the site while it is active (content/krise.yml, newsroom/crisis).

The banner (theme template crisis/_banner.html) is rendered once per build and offered as the
"krise" part of the crisis region, which the writer puts into every page (newsroom/crisis/region.py);
the emergency page krise/index.html exists only while the crisis is active. It is not in the
sitemap: it is temporary, and when the crisis ends every page is as before.
"""

from __future__ import annotations

from pelican import signals
from pelican.generators import Generator

from newsroom.build.context import of
from newsroom.crisis.model import active_crisis
from newsroom.site import SiteUrls

PAGE = "krise/index.html"


class CrisisGenerator(Generator):
    def generate_context(self) -> None:
        build = self.build = of(self.context)
        self.crisis = active_crisis(build.crisis, build.now)
        if self.crisis is not None:
            update = self.crisis.latest_update(build.now)
            banner = self.get_template("crisis/_banner").render(self.context, crisis=self.crisis, update=update)
            build.offer_region_part("krise", banner)
        build.stats["crisis_active"] = int(self.crisis is not None)

    def generate_output(self, writer) -> None:
        crisis, now = self.crisis, self.build.now
        if crisis is None:
            return
        urls = SiteUrls.from_settings(self.settings)
        phone = self.settings["CRISIS_PHONE"]

        def render() -> str:
            return self.get_template("crisis/page").render(
                self.context, crisis=crisis, updates=crisis.updates_until(now), phone=phone, page_path="krise/",
                canonical=urls.absolute("krise/"))

        writer.page(PAGE, render, owner=crisis.source, inputs=(crisis.shown(now), phone))


def get_generators(_pelican):
    return CrisisGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
