"""appointments: press appointments (Medientermine) from content/termine.

"Termine für die Presse" (upcoming first, then past ones by month), a page per appointment,
"Termine der nächsten Tage", an iCalendar file to subscribe to and a feed of upcoming ones
(offered to the feeds plugin); those with `channels: {press: true}` are mailed to the press as
invitation and, when time, place or status change, once more (offered to the publish run, see
newsroom/appointments/mails.py). A broken file stops the build like a broken story. Every page
goes through the writer's incremental rule with what it shows as its inputs.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator

from newsroom.appointments.checks import check_appointments
from newsroom.appointments.ical import calendar, uid_domain
from newsroom.appointments.loader import load_appointments
from newsroom.appointments.mails import AppointmentMails
from newsroom.appointments.revisions import fixed_moment, revision_of
from newsroom.appointments.schedule import day_text, end_text, next_days, past_by_month, start_text, upcoming
from newsroom.build.context import CalendarEntry, of
from newsroom.content.links import resolve_links
from newsroom.dates import BERLIN
from newsroom.feeds.formats import FORMATS
from newsroom.site import SiteUrls

from .feed import appointment_feed

OWNER = "Medientermine"
DIGEST = "heute/"


class AppointmentsGenerator(Generator):
    def generate_context(self) -> None:
        build = self.build = of(self.context)
        settings = self.settings
        content = Path(self.path)
        self.appointments = load_appointments(content / settings["APPOINTMENTS_DIR"], content.parent, settings,
                                              build.cache, build.errors)
        check_appointments(self.appointments, build.archive.by_id, build.now, build.media, build.errors)
        build.stats["appointments"] = len(self.appointments)
        git = build.archive.git
        self.revisions = {a.source: revision_of(git.get(a.source)) for a in self.appointments}
        self.upcoming = upcoming(self.appointments, build.now)
        self.undated = fixed_moment(settings)
        build.offer_feed(appointment_feed(self.upcoming, self.revisions, self.related, settings, self.undated))
        build.offer_sendables(AppointmentMails(self.appointments, self.revisions, settings,
                                               lambda story_id: build.archive.by_id[story_id].url, build.now,
                                               media_shown=build.media.shown_path))
        build.offer_calendar(CalendarEntry(
            a.start, a.title, f"Medientermin ({a.status_label.lower()})", a.url,
            tuple(line for line in (f"bis {a.end.astimezone(BERLIN):%H:%M} Uhr", a.place.address,
                                    a.place.meeting_point and f"Treffpunkt: {a.place.meeting_point}") if line),
            a.topic, a.id, self.revisions[a.source].created) for a in self.appointments)
        self.env.filters.update(termin_beginn=start_text, termin_ende=end_text, tag_datum=day_text)

    def related(self, appointment) -> tuple[str, str] | None:
        """(title, site path) of the related story once it is published; nothing before."""
        card = self.build.archive.by_id.get(appointment.story_id) if appointment.story_id else None
        if card is None or not card.is_visible(self.build.now.timestamp()):
            return None
        return card.title, card.url

    def generate_output(self, writer) -> None:
        settings, build = self.settings, self.build
        urls = SiteUrls.from_settings(settings)
        base, now = settings["APPOINTMENTS_URL"], build.now
        ics = settings["APPOINTMENTS_CALENDAR"]
        feeds = [(fmt, FORMATS[fmt][1], FORMATS[fmt][2]) for fmt in settings["FEED_FORMATS"] if fmt != "json"]
        shared = dict(appointments_url=base, calendar_path=ics, digest_path=base + DIGEST,
                      feed_key=settings["APPOINTMENTS_FEED"], feed_formats=feeds)
        related = {a.source: self.related(a) for a in self.appointments}
        sitemap = build.sitemap

        def draw(template: str, path: str, **values) -> str:
            return self.get_template(template).render(self.context, page_path=path, canonical=urls.absolute(path),
                                                      **shared, **values)

        for appointment in self.appointments:
            story, past = related[appointment.source], appointment.end <= now
            links = {ref: build.archive.by_id[ref].url for ref in appointment.story_refs}
            # The media of its text as a story's (MediaLibrary.shown): once a photo's rights ended, its
            # replacement, or no picture and a link with its words alone; signed by what is shown.
            media = {ref: build.media.shown_path(ref, appointment.source) for ref, _line, _field
                     in appointment.media_checks}
            writer.page(appointment.url + "index.html",
                        lambda a=appointment, story=story, past=past, links=links, media=media: draw(
                            "appointment", a.url, appointment=a, story=story, past=past,
                            body=Markup(resolve_links(a.body_html, urls, links.__getitem__,
                                                      media_shown=media.__getitem__))),
                        owner=appointment.source, inputs=(appointment, story, past, links, media))
            changed = self.revisions[appointment.source].changed
            sitemap.add(appointment.url, changed, "termine")

        past = past_by_month(self.appointments, now)
        writer.page(base + "index.html", lambda: draw("appointments", base, upcoming=self.upcoming, past=past),
                    owner=OWNER, inputs=("index", [_row(a) for a in self.upcoming],
                                         [(month, [_row(a) for a in items]) for month, items in past]))
        sitemap.add(base, None, "termine")

        count = settings["APPOINTMENTS_DIGEST_DAYS"]
        days = next_days(self.appointments, now, count)
        today = now.astimezone(BERLIN).date()
        writer.page(base + DIGEST + "index.html",
                    lambda: draw("appointments_digest", base + DIGEST, days=days, today=today,
                                 last_day=today + timedelta(days=count - 1)),
                    owner=OWNER,
                    inputs=("digest", today, count, [(day, [_row(a) for a in items]) for day, items in days]))
        sitemap.add(base + DIGEST, None, "termine")

        def story_url(appointment) -> str | None:
            story = related[appointment.source]
            return urls.absolute(story[1]) if story else None

        writer.page(ics, lambda: calendar(
            self.appointments, self.revisions, name=f"Medientermine – {settings['SITE_SHORTNAME']}",
            about=f"Termine der {settings['SITE_SHORTNAME']} für die Presse.",
            page_url=lambda a: urls.absolute(a.url), story_url=story_url, domain=uid_domain(settings["SITEURL"]),
            undated=self.undated),
            owner=OWNER, inputs=("ics", self.appointments, self.revisions, related, urls.siteurl, self.undated))


def _row(appointment) -> tuple:
    """What a list shows of an appointment: when it changes, the list is drawn again."""
    return (appointment.id, appointment.title, appointment.url, appointment.start, appointment.end,
            appointment.status, appointment.topic, appointment.place.address)


def get_generators(_pelican):
    return AppointmentsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
