"""sitemap: a sitemap index with one sitemap per year of stories plus one for all other
pages, and robots.txt pointing at it. Lists are named by their own address only (the
stories plugin leaves out their older pages, seite/N/, whose stories are all named anyway).

Its PLUGIN declaration requires "sitemap", so it runs after every plugin that adds pages to
the BuildContext's sitemap (a page offered later is an error). Split by year, a new story rewrites one small sitemap, not one
with 30,000 addresses (the protocol's limit is 50,000 per file anyway); a part is rebuilt
only when its pages or dates changed.
"""

from __future__ import annotations

import pickle
import re
from collections import defaultdict
from datetime import datetime
from xml.sax.saxutils import escape

from pelican import signals
from pelican.generators import Generator

from newsroom.build.context import of
from newsroom.dates import BERLIN, iso
from newsroom.site import SiteUrls

_YEAR = re.compile(r"^[^/]+/(\d{4})/")
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"


def _moment(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, BERLIN)


def part_of(path: str) -> str:
    """'aktuelles/2026/11/…' → '2026'; every other page → 'seiten'."""
    match = _YEAR.match(path)
    return match.group(1) if match else "seiten"


class SitemapGenerator(Generator):
    def generate_context(self) -> None:
        self.build = of(self.context)

    def generate_output(self, writer) -> None:
        urls = SiteUrls.from_settings(self.settings)
        sitemap = self.build.sitemap
        sitemap.close("sitemap")  # every plugin that provides "sitemap" ran before (PLUGIN)
        # Entries: (site path, last change as datetime or timestamp or None[, part]). The story pages
        # come grouped by part already (25,000 of them); the rest is grouped here.
        parts: dict[str, list] = defaultdict(list)
        for part, entries in sitemap.parts.items():
            parts[part].extend(entries)
        for entry in sitemap.entries:  # (path, last change[, part])
            if isinstance(entry[1], datetime):
                entry = (entry[0], entry[1].timestamp(), *entry[2:])
            parts[entry[2] if len(entry) > 2 else part_of(entry[0])].append(entry)
        # Pages in more than one language name each other (xhtml:link hreflang), German as x-default.
        translated = self.build.archive.translations.by_path() if self.build.archive else {}
        index = []
        for part in sorted(parts):
            entries = parts[part]
            filename = f"sitemap-{part}.xml"
            newest = max((e[1] for e in entries if e[1]), default=None)
            index.append((filename, newest))
            # The producers' order is deterministic, so the digest needs no sorting. Pickled, not
            # repr'd: at 25,000 entries that is twice as fast (a changed digest only redraws a part).
            alternates = _alternates_of(entries, translated) if translated else {}
            writer.page(filename, lambda entries=entries, alternates=alternates: _urlset(entries, urls, alternates),
                        owner="Sitemap", inputs=pickle.dumps((urls.siteurl, entries, alternates), protocol=5))
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{NAMESPACE}">']
        for filename, newest in index:
            lines.append(f"<sitemap><loc>{escape(urls.absolute(filename))}</loc>"
                         + (f"<lastmod>{iso(_moment(newest))}</lastmod>" if newest else "") + "</sitemap>")
        lines.append("</sitemapindex>")
        writer.write("sitemap.xml", "\n".join(lines) + "\n", owner="Sitemap")
        writer.write("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {urls.absolute('sitemap.xml')}\n",
                     owner="Sitemap")


def _alternates_of(entries: list, translated: dict) -> dict:
    get = translated.get
    return {entry[0]: found for entry in entries if (found := get(entry[0]))}


def _urlset(entries: list, urls: SiteUrls, alternates: dict | None = None) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<urlset xmlns="{NAMESPACE}" xmlns:xhtml="{XHTML}">' if alternates else f'<urlset xmlns="{NAMESPACE}">']
    for path, lastmod, *_part in sorted(entries, key=lambda entry: entry[0]):
        links = ""
        if alternates and path in alternates:
            pairs = alternates[path]
            links = "".join(f'<xhtml:link rel="alternate" hreflang="{lang}" href="{escape(urls.absolute(where))}"/>'
                            for lang, where in (*pairs, ("x-default", pairs[0][1])))
        lines.append(f"<url><loc>{escape(urls.absolute(path))}</loc>"
                     + (f"<lastmod>{iso(_moment(lastmod))}</lastmod>" if lastmod else "") + links + "</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def get_generators(_pelican):
    return SitemapGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
