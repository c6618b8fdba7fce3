"""sitemap: sitemap.xml and robots.txt from the pages the other generators wrote.

A generator listed last in PLUGINS: its generate_output runs after every other
generator has added its pages to `context["sitemap"]`.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from pelican import signals
from pelican.generators import Generator

from newsroom.dates import iso
from newsroom.site import SiteUrls


class SitemapGenerator(Generator):
    def generate_context(self) -> None:
        self.context.setdefault("sitemap", [])

    def generate_output(self, writer) -> None:
        urls = SiteUrls.from_settings(self.settings)
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        for path, lastmod in sorted(self.context["sitemap"], key=lambda entry: entry[0]):
            lines.append(f"<url><loc>{escape(urls.absolute(path))}</loc>"
                         + (f"<lastmod>{iso(lastmod)}</lastmod>" if lastmod else "") + "</url>")
        lines.append("</urlset>")
        writer.write("sitemap.xml", "\n".join(lines) + "\n", owner="Sitemap")
        writer.write("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {urls.absolute('sitemap.xml')}\n",
                     owner="Sitemap")


def get_generators(_pelican):
    return SitemapGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
