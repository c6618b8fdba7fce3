"""Feed items to bytes: RSS 2.0 and Atom with feedgen, JSON Feed 1.1 with json.

Every text passes through `xml_text` on its way out, so no character that XML 1.0
forbids can reach a feed, whatever produced the item; every date carries its offset
(Europe/Berlin). Nothing here reads a clock: a feed's own date is its newest entry's.

Titles, summaries, names and terms are plain text in every format. RSS readers take a
title's and a description's text as HTML, so there they are escaped as HTML as well
(`rss_text`): `<img onerror=…>` in a summary arrives as text, never as an element. Atom
text constructs and JSON Feed's `title`, `summary` and `content_text` are text already.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from html import escape

from newsroom.content.frontmatter import CHARACTER_REFERENCE, FORBIDDEN_CHARACTERS, referenced_code, xml_forbidden
from newsroom.dates import iso

# format → (file name in the feed's folder, MIME type, label shown to readers)
FORMATS = {
    "rss": ("rss.xml", "application/rss+xml", "RSS"),
    "atom": ("atom.xml", "application/atom+xml", "Atom"),
    "json": ("feed.json", "application/feed+json", "JSON Feed"),
}
GENERATOR = "Newsroom der Landeshauptstadt Düsseldorf (python-feedgen)"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True)
class Enclosure:
    url: str  # absolute
    length: int  # bytes
    mime: str
    medium: str | None = None  # "image" for pictures (Media RSS)
    credit: str | None = None  # the file's credit as the city publishes it ("Foto: …"), inside media:content


@dataclass(frozen=True)
class Category:
    term: str
    scheme: str | None = None  # absolute URL of the term's overview page


@dataclass(frozen=True)
class MediaDetails:
    """Media RSS fields of a media-portal item (title, credit, terms, thumbnail)."""

    title: str
    description: str
    credit: str
    license: str | None = None
    keywords: tuple[str, ...] = ()
    thumbnail: tuple[str, int, int] | None = None  # absolute URL, width, height


@dataclass(frozen=True)
class FeedItem:
    id: str  # tag URI or URN, stable for the item's whole life
    title: str
    url: str  # absolute
    published: datetime
    updated: datetime
    summary: str  # plain text, like title, author and terms; only content_html is HTML
    content_html: str | None  # None: summary and link only
    author: str
    author_url: str | None = None
    categories: tuple[Category, ...] = ()
    enclosure: Enclosure | None = None
    source: str = ""  # the file it came from, for messages
    media: MediaDetails | None = None  # media-portal items: written as Media RSS elements


@dataclass(frozen=True)
class FeedInfo:
    id: str
    title: str
    description: str
    link: str  # absolute URL of the matching HTML page
    self_url: str  # absolute URL of this very file
    language: str
    author: str
    author_url: str
    icon: str | None
    fallback_date: datetime  # a feed without entries still needs a date: a fixed one


def xml_text(text: str) -> str:
    """Text without characters XML 1.0 forbids, nor references to them (&#27;)."""
    text = FORBIDDEN_CHARACTERS.sub("", text)
    if "&#" in text:
        text = CHARACTER_REFERENCE.sub(lambda m: "" if xml_forbidden(referenced_code(m)) else m.group(), text)
    return text


def rss_text(text: str) -> str:
    """Plain text for an RSS element whose text readers take as HTML (title, description)."""
    return escape(xml_text(text), quote=False)


def forbidden_in(item: FeedItem) -> list[str]:
    """Codes (U+001B) of forbidden characters in an item's texts, for a warning."""
    texts = [item.title, item.summary, item.content_html or "", item.author,
             *(c.term for c in item.categories)]
    if item.enclosure:
        texts.append(item.enclosure.credit or "")
    found = []
    for text in texts:
        found += [f"U+{ord(c):04X}" for c in FORBIDDEN_CHARACTERS.findall(text)]
        found += [f"U+{referenced_code(m):04X}" for m in CHARACTER_REFERENCE.finditer(text)
                  if xml_forbidden(referenced_code(m))]
    return sorted(set(found))


def feed_dates(items: list[FeedItem], fallback: datetime) -> tuple[datetime, datetime]:
    """(newest update, newest publication): the feed's own dates, never the build's time."""
    if not items:
        return fallback, fallback
    return max(i.updated for i in items), max(i.published for i in items)


def render(fmt: str, info: FeedInfo, items: list[FeedItem]) -> bytes:
    if fmt == "json":
        return json_feed(info, items)
    return _feedgen(fmt, info, items)


def _atom_enclosures():
    """A feedgen extension writing Atom's <link rel="enclosure">: feedgen 1.0.0 drops the
    rel, type and length of entry links, which would turn the image into a second
    "alternate" link of the entry."""
    from feedgen.ext.base import BaseEntryExtension, BaseExtension
    from feedgen.util import xml_elem

    class AtomEnclosures(BaseExtension):
        def extend_ns(self):
            return {}

    class AtomEnclosureEntry(BaseEntryExtension):
        def __init__(self):
            self.enclosure: Enclosure | None = None

        def extend_atom(self, entry):
            if self.enclosure:
                e = self.enclosure
                xml_elem("link", entry, href=e.url, rel="enclosure", type=e.mime, length=str(e.length))
            return entry

    return AtomEnclosures, AtomEnclosureEntry


def _media_details():
    """A feedgen extension writing Media RSS's title, description, credit, licence, keywords
    and thumbnail (feedgen's own media extension knows only content and thumbnail)."""
    from feedgen.ext.base import BaseEntryExtension, BaseExtension
    from feedgen.ext.media import MEDIA_NS
    from feedgen.util import xml_elem

    class MediaDetailsExtension(BaseExtension):
        def extend_ns(self):
            return {}  # the media extension declares the namespace

    class MediaDetailsEntry(BaseEntryExtension):
        def __init__(self):
            self.details: MediaDetails | None = None

        def extend_atom(self, entry):
            d = self.details
            if d is None:
                return entry
            # As entity-encoded HTML: RSS readers such as feedparser take text that looks like HTML
            # as HTML even where it is declared plain; escaped, it reads the same either way.
            xml_elem(f"{{{MEDIA_NS}}}title", entry, type="html").text = rss_text(d.title)
            xml_elem(f"{{{MEDIA_NS}}}description", entry, type="html").text = rss_text(d.description)
            xml_elem(f"{{{MEDIA_NS}}}credit", entry, role="author", scheme="urn:ebu").text = xml_text(d.credit)
            if d.license:
                xml_elem(f"{{{MEDIA_NS}}}license", entry, type="text/plain").text = xml_text(d.license)
            if d.keywords:
                xml_elem(f"{{{MEDIA_NS}}}keywords", entry).text = xml_text(", ".join(d.keywords))
            if d.thumbnail:
                url, width, height = d.thumbnail
                xml_elem(f"{{{MEDIA_NS}}}thumbnail", entry, url=url, width=str(width), height=str(height))
            return entry

        def extend_rss(self, item):
            return self.extend_atom(item)

    return MediaDetailsExtension, MediaDetailsEntry


def _enclosure_credits():
    """A feedgen extension writing an enclosure's credit inside its media:content, where it names
    that file's source. The alt text stays out: feedparser reads a media:description, wherever it
    stands in an item, as the entry's summary or content (a full entry has it in its figure)."""
    from feedgen.ext.base import BaseEntryExtension, BaseExtension
    from feedgen.ext.media import MEDIA_NS
    from feedgen.util import xml_elem

    class EnclosureCredits(BaseExtension):
        def extend_ns(self):
            return {}  # the media extension declares the namespace

    class EnclosureCreditEntry(BaseEntryExtension):
        def __init__(self):
            self.enclosure: Enclosure | None = None

        def extend_atom(self, entry):
            e = self.enclosure
            if e is None or not e.credit:
                return entry
            content = next((c for c in entry.iterfind(f"{{{MEDIA_NS}}}content") if c.get("url") == e.url), None)
            if content is None:
                return entry
            xml_elem(f"{{{MEDIA_NS}}}credit", content, role="author", scheme="urn:ebu").text = xml_text(e.credit)
            return entry

        def extend_rss(self, item):
            return self.extend_atom(item)

    return EnclosureCredits, EnclosureCreditEntry


def _feedgen(fmt: str, info: FeedInfo, items: list[FeedItem]) -> bytes:
    from feedgen.feed import FeedGenerator  # imported only when a feed is drawn (lxml, dateutil)

    t = xml_text
    h = rss_text if fmt == "rss" else xml_text  # texts RSS readers would take as HTML
    fg = FeedGenerator()
    fg.load_extension("media")  # media:content for the lead image
    if fmt == "rss":
        fg.load_extension("dc", atom=False)  # dc:creator: RSS <author> would need an e-mail address
    else:
        fg.register_extension("enclosures", *_atom_enclosures(), atom=True, rss=False)
    if any(item.media for item in items):
        fg.register_extension("mediadetails", *_media_details(), atom=True, rss=True)
    credited = any(item.enclosure and item.enclosure.credit for item in items)
    if credited:  # after "media": it writes the media:content this one fills
        fg.register_extension("enclosurecredits", *_enclosure_credits(), atom=True, rss=True)
    fg.id(info.id)
    fg.title(h(info.title))
    fg.subtitle(h(info.description))
    fg.link(href=info.self_url, rel="self", type=FORMATS[fmt][1])
    fg.link(href=info.link, rel="alternate", type="text/html")  # the last link is RSS's <link>
    fg.language(info.language)
    fg.author(name=t(info.author), uri=info.author_url)
    fg.generator(GENERATOR)
    if info.icon:
        fg.icon(info.icon)
    updated, published = feed_dates(items, info.fallback_date)
    fg.updated(updated)  # feedgen's defaults are the current time: never left in place
    fg.lastBuildDate(updated)
    fg.pubDate(published)
    for item in items:
        entry = fg.add_entry(order="append")
        entry.id(item.id)  # RSS: <guid isPermaLink="false">
        entry.title(h(item.title))
        entry.link(href=item.url, rel="alternate", type="text/html")  # Atom: a bare link, i.e. alternate
        entry.published(item.published)
        entry.updated(item.updated)
        entry.author(name=t(item.author), uri=item.author_url)
        for category in item.categories:
            entry.category(term=t(category.term), scheme=category.scheme)
        entry.summary(h(item.summary))  # RSS: <description>
        if item.content_html:
            entry.content(t(item.content_html), type="html")
        if item.enclosure:
            enclosure = item.enclosure
            if fmt == "rss":
                entry.enclosure(enclosure.url, str(enclosure.length), enclosure.mime)
            else:
                entry.enclosures.enclosure = enclosure
            entry.media.content(url=enclosure.url, fileSize=str(enclosure.length), type=enclosure.mime,
                                medium=enclosure.medium, group=None)
            if credited:
                entry.enclosurecredits.enclosure = enclosure
        if item.media:
            entry.mediadetails.details = item.media
        if fmt == "rss":
            entry.dc.dc_creator(t(item.author))
    if fmt == "rss":
        return fg.rss_str(pretty=True)
    return fg.atom_str(pretty=True)


def json_feed(info: FeedInfo, items: list[FeedItem]) -> bytes:
    t = xml_text  # JSON could carry them, but a feed reader's XML pipeline may not
    document = {
        "version": JSON_FEED_VERSION,
        "title": t(info.title),
        "home_page_url": info.link,
        "feed_url": info.self_url,
        "description": t(info.description),
        "language": info.language,
        "authors": [{"name": t(info.author), "url": info.author_url}],
    }
    if info.icon:
        document["favicon"] = info.icon
    entries = []
    for item in items:
        entry = {"id": item.id, "url": item.url, "title": t(item.title)}
        if item.content_html:
            entry["content_html"] = t(item.content_html)
        else:
            entry["content_text"] = t(item.summary)
        entry["summary"] = t(item.summary)
        if item.enclosure and item.enclosure.medium == "image":
            entry["image"] = item.enclosure.url
        entry["date_published"] = iso(item.published)
        entry["date_modified"] = iso(item.updated)
        author = {"name": t(item.author)}
        if item.author_url:
            author["url"] = item.author_url
        entry["authors"] = [author]
        if item.categories:
            entry["tags"] = [t(c.term) for c in item.categories]
        if item.enclosure:
            entry["attachments"] = [{"url": item.enclosure.url, "mime_type": item.enclosure.mime,
                                     "size_in_bytes": item.enclosure.length}]
        entries.append(entry)
    document["items"] = entries
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
