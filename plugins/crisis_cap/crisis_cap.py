"""crisis_cap: the city's crisis message as a CAP 1.2 feed (newsroom/crisis/cap.py) for warning
apps and other authorities: one document per version in krise/cap/ and the Atom index
krise/cap.xml, which is always there (without entries when there is no crisis file).

Each file goes through the writer's incremental rule with its own bytes as inputs: a handful of
small documents, cheaper to make than to reason about.
"""

from __future__ import annotations

from pelican import signals
from pelican.generators import Generator

from newsroom.build.context import of
from newsroom.crisis.cap import CapConfig, alert_document, index_document, messages
from newsroom.site import CAP_INDEX, SiteUrls

OWNER = "CAP-Feed"
EMERGENCY_PAGE = "krise/"


class CrisisCapGenerator(Generator):
    def generate_context(self) -> None:
        self.build = of(self.context)

    def generate_output(self, writer) -> None:
        build, settings = self.build, self.settings
        urls = SiteUrls.from_settings(settings)
        crisis = build.crisis
        # The details: the crisis's story (a lasting page) where it names one, else the emergency page
        # while it exists (only while the crisis is active, plugins/crisis), else the home page: a
        # CAP document must not link to a page that is gone.
        if crisis is not None and crisis.story_url:
            web = urls.absolute(crisis.story_url)
        elif crisis is not None and crisis.active(build.now):
            web = urls.absolute(EMERGENCY_PAGE)
        else:
            web = urls.absolute("")
        config = CapConfig.from_settings(settings, urls, web)
        found = messages(crisis, build.now, config)
        for message in found:
            document = alert_document(message, crisis, config)
            writer.page(message.path, lambda document=document: document, owner=OWNER, inputs=document)
        index = index_document(found, config)
        writer.page(CAP_INDEX, lambda: index, owner=OWNER, inputs=index)


def get_generators(_pelican):
    return CrisisCapGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
