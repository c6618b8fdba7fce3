"""desk: the Chefs vom Dienst's week plan in PUBLISH_PREVIEW_PATH/desk/, beside the channel
previews and outside the deployed site. Written after every build, and after a failed one too
(naming what stopped it): the desk always renders.

At the top, a crisis message's sends (first alert, updates, all-clear) with their approval, the
reason of an urgent one, and each channel's state. This week and the next, per day: who is on duty, every story planned, scheduled, under
embargo or published then, with owner, Amt, Thema, approval and each channel's send state, and
what other plugins put on the calendar (the press appointments). A manual task (a WhatsApp post) shows
its text to copy and its picture to download, with a form that confirms it (newsroom/desk/manual.py);
credentials that run out soon are named at the top (newsroom/desk/expiry.py).
One page per Amt and per Thema with stories in these weeks serves as the filter.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from newsroom.atomic import write_if_changed
from newsroom.build.context import of
from newsroom.content.slugs import slugify
from newsroom.deploy.headers import desk_policy
from newsroom.desk.expiry import expiring_soon, read_expiries
from newsroom.desk.manual import copy_tasks
from newsroom.desk.subscriptions import read_counts
from newsroom.desk.week import desk_sources, event_sends, follow_ups, monday_of, priority_sends, week_plan
from newsroom.errors import NewsroomError
from newsroom.languages.sends import TranslationSends
from newsroom.media.rights_ending import ending_soon, warning
from newsroom.publishing.channel import channel_classes
from newsroom.publishing.overview import broken_files, state_label, when
from newsroom.publishing.release import release_maker
from newsroom.site import SiteUrls

logger = logging.getLogger("newsroom.desk")
FILTERS = (("amt", "department", "Amt"), ("thema", "category", "Thema"))


class DeskGenerator(Generator):
    def generate_context(self) -> None:
        self.build = build = of(self.context)
        # Registered before any output: a build stopped by content errors never reaches generate_output.
        build.after_commit(lambda: self._write(broken_files(build.draft_problems)))
        build.after_failure(lambda errors: self._write(broken_files(errors.drafts, errors.errors)))

    def generate_output(self, writer) -> None:
        pass

    def _write(self, broken: list) -> None:
        settings, build = self.settings, self.build
        folder = Path(settings["PUBLISH_PREVIEW_PATH"]) / "desk"
        try:
            start = monday_of(build.now)
            sources = desk_sources(settings)  # read once for both weeks and every filter page
            sends = event_sends(build.sendables, sources, settings, build.now) if build.calendar else {}
            translated = [card for group in build.sendables if isinstance(group, TranslationSends)
                          for card in group.all_cards()]
            weeks = [week_plan(build.all_stories, settings, start + timedelta(days=7 * n), build.now, sources,
                               build.calendar, sends, translated) for n in (0, 1)]
            amended = follow_ups(build.archive, settings, build.now, sources) if build.archive else []
            crisis, crisis_notices = priority_sends(build.sendables, sources, settings, build.now)
        except NewsroomError as exc:  # the desk always renders: with what stopped it, if need be
            logger.warning("Desk ohne Wochenplan: %s", exc)
            weeks, amended, crisis, crisis_notices = [], [], [], []
        pages = {"index.html": ("Alle Ämter und Themen", weeks, "")}
        shown = {"index.html": amended}  # the filter pages show the weeks only
        filters = {kind: sorted({getattr(i.card, attribute) for w in weeks for i in w.items
                                 if getattr(i.card, attribute)}) for kind, attribute, _label in FILTERS}
        filters["thema"] = sorted({*filters["thema"], *(e.topic for w in weeks for d in w.days for e in d.events
                                                          if e.topic)})
        for kind, attribute, label in FILTERS:
            for value in filters[kind]:
                pages[f"{kind}/{slugify(value)}.html"] = (
                    f"{label}: {value}", [w.only(lambda c, a=attribute, v=value: getattr(c, a) == v,
                                                 lambda e, k=kind, v=value: k == "thema" and e.topic == v)
                                          for w in weeks], "../")
        urls = SiteUrls.from_settings(settings)
        adapters = {name: cls(settings, urls, environ={}) for name, cls in channel_classes().items()}
        labels = {name: adapter.label for name, adapter in adapters.items()}
        items = list({id(i): i for w in weeks for i in w.items}.values())
        try:  # the pictures of manual tasks; a build stopped early has no releases to make them from
            make_release = release_maker(build, settings) if build.archive else None
        except (AttributeError, NewsroomError):
            make_release = None
        tasks = copy_tasks(items, adapters, make_release, folder)
        # The service's figures as the record of sends has them: a build never asks the service.
        subscriptions = read_counts(Path(settings["PATH"]) / settings["PUBLISH_RECEIPTS_DIR"])
        expiring = [(labels.get(name, name), adapters[name].credentials.prefix if name in adapters else "", when, days)
                    for name, when, days in expiring_soon(
                        read_expiries(Path(settings["PATH"]) / settings["PUBLISH_RECEIPTS_DIR"]), build.now,
                        settings["PUBLISH_CREDENTIALS_WARN_DAYS"]) if name in settings["CHANNELS"]]
        rights = self._rights_ending()
        template = self.env.get_template("desk/week.html")
        css = self.env.get_template("desk/desk.css").render().encode("utf-8")
        (folder / "amt").mkdir(parents=True, exist_ok=True)
        (folder / "thema").mkdir(parents=True, exist_ok=True)
        write_if_changed(folder / "desk.css", css)
        write_if_changed(folder / "kopieren.js", self.env.get_template("desk/kopieren.js").render().encode("utf-8"))
        links = {kind: [(value, f"{kind}/{slugify(value)}.html") for value in values] for kind, values in filters.items()}
        for path, (title, weeks_shown, up) in pages.items():
            html = template.render(title=title, weeks=weeks_shown, up=up, follow_ups=shown.get(path, ()),
                                   crisis=crisis, crisis_notices=crisis_notices,
                                   links=links, broken=broken, subscriptions=subscriptions if not up else None,
                                   stopped=any(not item.draft for item in broken), when=when,
                                   state_label=state_label, labels=labels, now=build.now, policy=desk_policy().meta(),
                                   tasks=tasks, expiring=expiring, rights_ending=rights)
            write_if_changed(folder / path, html.encode("utf-8"))
        for kind in ("amt", "thema"):  # filters without stories in these weeks go
            for entry in os.scandir(folder / kind):
                if f"{kind}/{entry.name}" not in pages:
                    os.unlink(entry.path)


    def _rights_ending(self) -> list[tuple[str, str, int]]:
        """(warning, medium's path, days left) of the photos whose usage rights end soon (newsroom/media/rights_ending.py)."""
        library = self.build.media
        if library is None or library.today is None:
            return []
        items, _errors = library.scan()  # read once per build; a broken one is reported by the build itself
        return [(warning(item, days), item.path, days)
                for item, days in ending_soon(items, library.today, self.settings["MEDIA_RIGHTS_WARN_DAYS"])]


def get_generators(_pelican):
    return DeskGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
