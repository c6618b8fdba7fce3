"""sitemap: sitemap.xml and robots.txt from the pages the other generators wrote.

A generator listed last in PLUGINS: its generate_output runs after every other
generator has added its pages to `context["sitemap"]`. At archive scale the XML is
only rebuilt when the list of pages or their dates changed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from xml.sax.saxutils import escape

from pelican import signals
from pelican.generators import Generator

from newsroom.build import live_prefix
from newsroom.dates import BERLIN, iso
from newsroom.site import SiteUrls


def _moment(value) -> datetime:
    """Entries carry a datetime or, from the stories generator, a Unix timestamp."""
    return value if isinstance(value, datetime) else datetime.fromtimestamp(value, BERLIN)


class SitemapGenerator(Generator):
    def generate_context(self) -> None:
        self.context.setdefault("sitemap", [])

    def generate_output(self, writer) -> None:
        urls = SiteUrls.from_settings(self.settings)
        entries = sorted(self.context["sitemap"], key=lambda entry: entry[0])
        digest = hashlib.sha256(urls.siteurl.encode())
        digest.update("\n".join(f"{path}\t{lastmod}" for path, lastmod in entries).encode())
        cache, name = self.context["build_cache"], f"{live_prefix(self.output_path)}sitemap"
        saved = cache.blob(name)
        if saved and saved[0] == digest.hexdigest() and writer.keep("sitemap.xml", owner="Sitemap"):
            pass
        else:
            lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                     '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
            for path, lastmod in entries:
                lines.append(f"<url><loc>{escape(urls.absolute(path))}</loc>"
                             + (f"<lastmod>{iso(_moment(lastmod))}</lastmod>" if lastmod else "") + "</url>")
            lines.append("</urlset>")
            writer.write("sitemap.xml", "\n".join(lines) + "\n", owner="Sitemap")
            # Recorded now, used next time only if this build's output goes live.
            self.context.setdefault("after_commit", []).append(
                lambda: cache.save_blob(name, digest.hexdigest(), None))
        writer.write("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {urls.absolute('sitemap.xml')}\n",
                     owner="Sitemap")


def get_generators(_pelican):
    return SitemapGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
