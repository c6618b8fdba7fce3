"""The feed of upcoming press appointments (RSS, Atom, JSON Feed), offered to the feeds plugin as a
newsroom.feeds FeedSource (`build.offer_feed()`): the same formats, caching and place on the
feeds page as the story feeds. Its key is the setting APPOINTMENTS_FEED."""

from __future__ import annotations

import hashlib
from html import escape

from newsroom.appointments.ical import description
from newsroom.appointments.revisions import Revision
from newsroom.appointments.schedule import end_text, start_text
from newsroom.feeds.catalog import FeedSource
from newsroom.feeds.formats import Category, FeedItem
from newsroom.feeds.items import tag_uri
from newsroom.site import SiteUrls


def appointment_feed(upcoming: list, revisions: dict[str, Revision], related, settings: dict,
                     undated) -> FeedSource:
    """`upcoming`: the appointments not yet over, soonest first; `related(appointment)`: the
    shown related story's (title, site path) or None."""
    entries = upcoming[:settings["FEED_ENTRIES"]]
    key = settings["APPOINTMENTS_FEED"]
    city = settings["SITE_SHORTNAME"]
    shown = [(a, revisions.get(a.source), related(a)) for a in entries]
    signature = hashlib.sha256(repr((key, shown, settings["SITEURL"], undated)).encode()).hexdigest()
    return FeedSource(
        key=key, name="Medientermine", link=settings["APPOINTMENTS_URL"], group="Medientermine",
        description=f"Kommende Termine der {city} für die Presse: Zeit, Ort, Treffpunkt und Kontakt.",
        signature=signature, items=lambda: [_item(*entry, settings, undated) for entry in shown],
        note="Für Redaktionen: jeder angekündigte Termin, der noch bevorsteht; Absagen sind gekennzeichnet.")


def _item(appointment, revision: Revision | None, story, settings: dict, undated) -> FeedItem:
    urls = SiteUrls.from_settings(settings)
    revision = revision or Revision()
    page = urls.absolute(appointment.url)
    when = f"{start_text(appointment)} bis {end_text(appointment)}"
    prefix = "Abgesagt: " if appointment.cancelled else ""
    lines = description(appointment, None).split("\n")
    content = (f"<p><strong>{escape(prefix + when)}</strong></p><p>{escape(appointment.place.address)}</p>"
               + "".join(f"<p>{escape(line)}</p>" for line in lines)
               + (f'<p>Zur Meldung: <a href="{escape(urls.absolute(story[1]))}">{escape(story[0])}</a></p>'
                  if story else ""))
    published = revision.created or undated
    return FeedItem(
        id=tag_uri(settings, f"termin/{appointment.id}"), title=f"{prefix}{appointment.title}", url=page,
        published=published, updated=revision.changed or published,
        summary=f"{prefix}{when}, {appointment.place.address}", content_html=content,
        author=appointment.contact.name, categories=(Category(appointment.topic),), source=appointment.source)
