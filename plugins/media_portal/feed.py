"""The portal's Media RSS feed (and Atom, JSON Feed): the newest photos and videos, each
with its largest JPEG (or the video) as enclosure, a thumbnail, credit and terms of use.

Offered to the feeds plugin as a newsroom.feeds FeedSource (`build.offer_feed()`), so it gets the same
formats, caching and place on the feeds page as the story feeds; its key is the setting
FEED_MEDIA_PORTAL.

An entry's time is the sidecar's date and time; with a date alone, the time git added the
file on that day; otherwise the date at midnight. Its update is the last commit of the file
or its description, when later. Enclosure sizes are those of the files written (a rendition's
bytes as drawn, a video's as read), so a reader can check a download.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from html import escape

from newsroom.dates import BERLIN
from newsroom.feeds.catalog import FeedSource
from newsroom.feeds.formats import Category, Enclosure, FeedItem, MediaDetails
from newsroom.feeds.items import tag_uri
from newsroom.media.credits import credit_of
from newsroom.media.library import SIDECAR
from newsroom.site import SiteUrls

from .portal import PORTAL


def media_feed(portal, settings: dict, git: dict, display):
    """`git`: the build's git dates by file (StoryArchive.git); `display(path)`: a media path as its key there."""
    limit = settings["FEED_ENTRIES"]
    entries = [e for e in portal.entries if e.item.kind in ("photo", "video")][:limit]
    moments = [_moments(e.item, settings, git, display) for e in entries]
    key = settings["FEED_MEDIA_PORTAL"]
    city = settings["SITE_SHORTNAME"]
    signature = hashlib.sha256(repr((key, entries, moments, settings["SITEURL"])).encode()).hexdigest()
    return FeedSource(
        key=key, name="Medienportal: neue Fotos und Videos",
        description=f"Neue Pressefotos und Videos der {city} mit Quelle und Nutzungsbedingungen (Media RSS).",
        link=PORTAL, group="Medienportal", signature=signature,
        items=lambda: [_item(entry, settings, *moment) for entry, moment in zip(entries, moments)],
        note="Für Redaktionen: jedes neue Foto mit Bildunterschrift, Quelle, Vorschaubild und Download.")


def _item(entry, settings: dict, published: datetime, updated: datetime):
    urls = SiteUrls.from_settings(settings)
    item = entry.item
    page = urls.absolute(entry.url)
    thumbnail, enclosure, figure = None, None, ""
    credit = credit_of(item)
    if entry.image:
        small, small_path = entry.image.smallest("jpg")
        thumbnail = (urls.absolute(small_path), small.width, small.height)
        large, large_path = entry.image.largest("jpg")
        figure = (f'<figure><img src="{escape(urls.absolute(large_path))}" alt="{escape(entry.image.alt)}">'
                  f"<figcaption>{escape(' '.join(p for p in (item.caption, credit) if p))}</figcaption></figure>")
        if item.kind == "photo":
            enclosure = Enclosure(urls.absolute(large_path), large.bytes, "image/jpeg", "image")
    if item.kind == "video":
        enclosure = Enclosure(urls.absolute(urls.media(item.path)), entry.original_bytes or item.facts.bytes,
                              "video/mp4", "video")
    text = item.caption or item.alt or item.label
    content = figure + f"<p>{escape(text)}</p>" + (f"<p>Nutzung: {escape(item.license)}</p>" if item.license else "")
    return FeedItem(
        id=tag_uri(settings, f"media/{item.path}"), title=item.label, url=page, published=published, updated=updated,
        summary=text, content_html=content, author=credit,
        categories=tuple(Category(tag, urls.absolute(f"{PORTAL}schlagworte/")) for tag in item.tags),
        enclosure=enclosure, source=f"content/media/{item.path}",
        media=MediaDetails(title=item.label, description=text, credit=credit, license=item.license,
                           keywords=item.tags, thumbnail=thumbnail))


def _moments(item, settings: dict, git: dict, display) -> tuple[datetime, datetime]:
    """(published, updated) of an item, from the content alone (never the build's clock)."""
    record, described = git.get(display(item.path)), git.get(display(item.path + SIDECAR))
    added = datetime.fromtimestamp(record[0], BERLIN) if record else None
    if item.date_time:
        published = datetime.fromisoformat(item.date_time)
    elif added and (item.date is None or added.date().isoformat() == item.date):
        published = added
    elif item.date:
        year, month, day = map(int, item.date.split("-"))
        published = datetime(year, month, day, tzinfo=BERLIN)  # a day without a time: its midnight
    else:
        published = datetime(int(str(settings["FEED_ID_DATE"])[:4]), 1, 1, tzinfo=BERLIN)
    changes = [datetime.fromtimestamp(r[1], BERLIN) for r in (record, described) if r]
    return published, max([published, *changes])
