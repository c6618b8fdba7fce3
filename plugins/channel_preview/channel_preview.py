"""channel_preview: the embedded default of publishing – shows, never sends.

Every check and build renders, for each story that chose channels, what each channel
would receive, and validates it the channel's way (a post that cannot fit is a content
error in `invoke check`); so is a sent story whose id changed (newsroom/publishing/lineage.py).
Every build writes these previews and an overview for the Chef vom Dienst to
PUBLISH_PREVIEW_PATH, outside the deployed site: per channel the text counted against its
limit, the images it gets (Instagram's crop from the media portal) with their alt texts
(views.py), copied beside the previews (images.py). Work follows the change: a story is
rendered again only when its file, address, media or the code changed.
Adapters get no credentials here, so no secret can reach a preview.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from newsroom.atomic import atomic_write
from newsroom.build.context import of
from newsroom.build.state import Card
from newsroom.deploy.headers import preview_policy
from newsroom.errors import ContentError, ContentErrors, PublishError
from newsroom.languages.sends import TranslationSends
from newsroom.publishing.channel import channel_classes
from newsroom.publishing.followups import StoryFollowUps
from newsroom.publishing.lineage import vanished_ids
from newsroom.publishing.overview import (
    CRISIS_LABEL,
    broken_files,
    language_label,
    left_out_label,
    manual_hint,
    state_label,
    status_lines,
    unclear_hint,
    when,
)
from newsroom.publishing.plan import make_plan, overview_start
from newsroom.publishing.records import ReceiptFolder, language_of_key
from newsroom.publishing.release import release_maker
from newsroom.site import SiteUrls

from .images import FOLDER, place, prune
from .priority import priority_groups, priority_previews, with_priority_sends
from .views import ChannelView, channel_view

logger = logging.getLogger("newsroom.servers.preview")
GONE = "lineage-gone:{}"  # records of deleted stories: key → the story's last file (lineage.py)


class ChannelPreviewGenerator(Generator):
    def generate_context(self) -> None:
        settings = self.settings
        build = self.build = of(self.context)
        self.folder = Path(settings["PUBLISH_PREVIEW_PATH"])
        self.cache = build.cache
        self.manifest_name = f"preview:{self.folder.resolve()}"
        saved = self.cache.blob(self.manifest_name)
        signature = build.fingerprint
        self.old = saved[1] if saved and saved[0] == signature and self.folder.is_dir() else {}
        self.signature = signature
        urls = SiteUrls.from_settings(settings)
        self.adapters = {name: cls(settings, urls, environ={}) for name, cls in channel_classes().items()}
        self.with_channels = [c for c in build.all_stories if c.channels]
        self.keys = {c.id: self._key(c) for c in self.with_channels}
        # A planned story has no text yet: its channels are listed, its posts are drawn once it is written.
        self.changed = [c for c in self.with_channels if _entry(self.old, c.id)[0] != self.keys[c.id]
                        and c.status != "planned"]
        self.views: dict[str, list[ChannelView]] = {}
        content = Path(settings["PATH"])
        receipts = ReceiptFolder(content / settings["PUBLISH_RECEIPTS_DIR"], content.parent)
        # A sent story whose id changed would be sent again under the new one.
        name = GONE.format(receipts.folder.resolve())
        saved = self.cache.blob(name)
        gone = dict(saved[1]) if saved else {}
        build.errors.extend(vanished_ids(
            build.all_stories, receipts.ids(), receipts.receipt, receipts_dir=receipts.folder,
            stories_dir=content / settings["STORIES_DIR"], display_root=content.parent, gone=gone))
        if gone != (saved[1] if saved else {}):
            self.cache.save_blob(name, "", gone)
        # The overview always renders: a build that stops writes it too, naming what stopped it.
        build.after_failure(self._overview_after_failure)
        self._check_provisional(build.archive.provisional)
        # The crisis message's posts: few, drawn and checked in every build (its record decides replies).
        groups = priority_groups(build.sendables)
        self.priority = priority_previews(groups, self.adapters, receipts.receipt, receipts.ids(),
                                          _labels(self.adapters), build.errors) if groups else []
        self.translated = self._check_translations()
        if not self.changed:
            return
        make = release_maker(build, settings)
        labels = _labels(self.adapters)
        for card in self.changed:
            self.views[card.id] = self._views(card, make(card), labels)

    def _views(self, card, release, labels) -> list:
        """Each chosen channel's post for `release`, checked the channel's way; problems go to the build."""
        views = []
        for name in card.channels:
            adapter = self.adapters.get(name)
            if adapter is None:
                views.append(ChannelView(name, name, None))
                continue
            post = adapter.render(release)
            problems = adapter.validate(post)
            for problem in problems:
                self.build.errors.append(ContentError(card.source, problem, field=f"channels.{name}"))
            views.append(channel_view(name, adapter, post, problems, release, labels))
        return views

    def _check_translations(self) -> list:
        """The translations' own posts (newsroom/languages/sends.py), checked the channel's way like a German
        story's, those the overview looks at (older ones are never sent by themselves); listed in it."""
        groups = [group for group in self.build.sendables if isinstance(group, TranslationSends)]
        cards = [(group, card) for group in groups for card in group.all_cards()]
        since = overview_start(self.settings["BUILD_NOW"].timestamp(), self.settings["PUBLISH_WINDOW_HOURS"],
                               self.settings["PUBLISH_OVERVIEW_DAYS"])
        labels = _labels(self.adapters)
        self.translated_views: dict[str, tuple] = {}  # card id → (card, views): their preview pages
        for group, card in cards:
            if card.status == "withdrawn" or card.ts < since:
                continue
            try:
                release = group.release(card)
            except (KeyError, OSError, ContentError, ContentErrors):  # reported by the archive's checks
                continue
            self.translated_views[card.id] = (card, self._views(card, release, labels))
        return [card for _group, card in cards]

    def _check_provisional(self, stories: dict) -> None:
        """Each channel's limits for stories with other problems too (their best reading), so an
        editor sees every problem of a file at once. Nothing of them is shown or kept."""
        stories = {source: story for source, story in stories.items() if story.channels}
        if not stories:
            return
        make = release_maker(self.build, self.settings, full_story=lambda card: stories[card.source])
        for source, story in stories.items():
            try:
                release = make(Card.from_story(story))
            except (KeyError, ContentError, ContentErrors):  # a link or image that is reported already
                continue
            for choice in story.channels:
                adapter = self.adapters.get(choice.name)
                for problem in adapter.validate(adapter.render(release)) if adapter else ():
                    self.build.errors.append(ContentError(source, problem, field=f"channels.{choice.name}"))

    def _key(self, card) -> str:
        text = f"{card.digest}\n{card.url}\n{card.ts}\n{card.channels}\n{self._media_key(card)}"
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def _media_key(self, card) -> tuple:
        """The story's media as the preview shows them: a new photo or alt text draws it again."""
        media = self.build.media
        if media is None:
            return ()
        found = []
        for reference, _line, _field in card.media_checks:
            try:
                item = media.get(reference, source=card.source, line=None, field=None)
            except (ContentError, ContentErrors):
                found.append((reference,))
                continue
            found.append((reference, item.facts.digest if item.facts else None, item.alt, item.title, item.credit,
                          item.expired(media.today), item.replacement))
        return tuple(found)

    def generate_output(self, writer) -> None:
        # Written only once the site went live: a failed build leaves the story previews as they were
        # (and writes only the overview, naming what stopped it).
        self.build.after_commit(self._write)

    def _write(self) -> None:
        pages = self.folder / "meldungen"
        pages.mkdir(parents=True, exist_ok=True)
        story_template = self.get_template("preview/story")
        # Stories not drawn again keep the images their previews show.
        images = {story_id: _entry(self.old, story_id)[1] for story_id in self.keys}
        placed: set[str] = set()
        for card in self.changed:
            views = self.views[card.id]
            names = tuple(dict.fromkeys(image.name for view in views for image in view.images))
            for view in views:
                for image in view.images:
                    if image.name not in placed:
                        place(image.source, pages / FOLDER / image.name)
                        placed.add(image.name)
            html = story_template.render(card=card, views=views, folder=FOLDER, preview_policy=preview_policy().meta())
            _write_if_changed(pages / f"{card.id}.html", html)
            images[card.id] = names
        manifest = {story_id: (key, images[story_id]) for story_id, key in self.keys.items()}
        manifest.update(self._write_priority(pages, story_template, placed))
        manifest.update(self._write_translated(pages, story_template, placed))
        if manifest.keys() != self.old.keys():  # previews of stories without channels go
            current = {f"{story_id}.html" for story_id in manifest}
            with os.scandir(pages) as entries:
                for entry in entries:
                    if entry.name not in current and entry.is_file(follow_symlinks=False):
                        os.unlink(entry.path)
        if manifest != self.old:
            prune(pages / FOLDER, (name for _key, names in manifest.values() for name in names))
        self._overview(broken_files(self.build.draft_problems))
        if manifest != self.old:
            self.cache.save_blob(self.manifest_name, self.signature, manifest)

    def _write_priority(self, pages: Path, template, placed: set[str]) -> dict:
        """A page per version of the crisis message, in the manifest like a story's (so it goes with it)."""
        found = {}
        for preview in self.priority:
            for view in preview.views:
                for image in view.images:
                    if image.name not in placed:
                        place(image.source, pages / FOLDER / image.name)
                        placed.add(image.name)
            html = template.render(card=preview.card, views=preview.views, folder=FOLDER, crisis=preview,
                                   labels=_labels(self.adapters), preview_policy=preview_policy().meta())
            _write_if_changed(pages / f"{preview.card.id}.html", html)
            names = tuple(dict.fromkeys(image.name for view in preview.views for image in view.images))
            found[preview.card.id] = (hashlib.sha256(html.encode()).hexdigest()[:20], names)
        return found

    def _write_translated(self, pages: Path, template, placed: set[str]) -> dict:
        """A page per translation with channels that the overview looks at, drawn every build (they are few)."""
        found = {}
        for card, views in self.translated_views.values():
            for view in views:
                for image in view.images:
                    if image.name not in placed:
                        place(image.source, pages / FOLDER / image.name)
                        placed.add(image.name)
            html = template.render(card=card, views=views, folder=FOLDER, post_language=card.language,
                                   language_name=language_label(card.id), preview_policy=preview_policy().meta())
            _write_if_changed(pages / f"{card.id}.html", html)
            names = tuple(dict.fromkeys(image.name for view in views for image in view.images))
            found[card.id] = (hashlib.sha256(html.encode()).hexdigest()[:20], names)
        return found

    def _overview_after_failure(self, errors) -> None:
        """Only the overview: the story previews stay those of the live site."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._overview(broken_files(errors.drafts, errors.errors))

    def _overview(self, broken: list) -> None:
        settings = self.settings
        # Opened from disk, not served: the policy rides in each page, the styles in one file beside them.
        _write_if_changed(self.folder / "vorschau.css", self.env.get_template("preview/vorschau.css").render())
        content = Path(settings["PATH"])
        folder = ReceiptFolder(content / settings["PUBLISH_RECEIPTS_DIR"], content.parent)
        since = overview_start(settings["BUILD_NOW"].timestamp(), settings["PUBLISH_WINDOW_HOURS"],
                               settings["PUBLISH_OVERVIEW_DAYS"])
        recorded = folder.ids()
        try:
            follow_ups = StoryFollowUps(self.build.archive, None, since=since).cards(folder.receipt, recorded)
            plan = make_plan([*self.with_channels, *follow_ups, *self.translated], folder.receipt, recorded,
                             settings["BUILD_NOW"],
                             window_hours=settings["PUBLISH_WINDOW_HOURS"],
                             lease_seconds=settings["PUBLISH_CLAIM_LEASE_MINUTES"] * 60,
                             overview_days=settings["PUBLISH_OVERVIEW_DAYS"],
                             ahead=tuple(settings["PUBLISH_AHEAD_CHANNELS"]))
            plan = with_priority_sends(plan, self.build.sendables, settings)
        except PublishError as exc:
            logger.warning("Versandübersicht nicht erstellt: %s", exc)
            return
        where = f"Arbeitskopie ({os.path.relpath(folder.folder, content.parent)})"
        html = self.get_template("preview/overview").render(
            plan=plan, groups=plan.by_story(), when=when, state_label=state_label, unclear_hint=unclear_hint,
            manual_hint=manual_hint, pages={**{card.id: card.approves.id for card in follow_ups},
                                            **{card.id: card.original.id for card in self.translated
                                               if card.id not in self.translated_views}},
            language_label=language_label, language_of_key=language_of_key,
            labels=_labels(self.adapters), window=settings["PUBLISH_WINDOW_HOURS"], days=settings["PUBLISH_OVERVIEW_DAYS"],
            broken=broken, stopped=any(not item.draft for item in broken), preview_policy=preview_policy().meta(),
            left_out_label=left_out_label, crisis_label=CRISIS_LABEL)
        _write_if_changed(self.folder / "index.html", html)
        _write_if_changed(self.folder / "status.txt", "\n".join(status_lines(plan, where, broken)) + "\n")
        data = [_entry_data(e) for e in plan.entries]
        for story_id, left_out in plan.left_out.items():  # after the send's own channels
            at = max((n + 1 for n, item in enumerate(data) if item["story"] == story_id), default=0)
            data[at:at] = [{"story": story_id, "channel": name, "state": "left_out", "label": left_out_label(reason),
                            "kind": CRISIS_LABEL} for name, reason in left_out]
        data += [{"source": item.source, "state": "broken", "draft": item.draft, "problems": list(item.messages)}
                 for item in broken]
        _write_if_changed(self.folder / "status.json", json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _entry_data(entry) -> dict:
    """A send in status.json; a crisis message's marked with its kind and what the desk says of it."""
    record = entry.record
    data = {"story": entry.story_id, "source": entry.source, "channel": entry.channel, "state": entry.state,
            "label": state_label(entry), "unclear": (record.unclear or 0) if record else 0,
            "url": record.url if record else None}
    if entry.priority:
        data.update(kind=CRISIS_LABEL, title=entry.title, note=entry.note)
    return data


def _entry(manifest: dict, story_id: str) -> tuple:
    """(key, image copies) of a story's preview as the manifest records it."""
    entry = manifest.get(story_id)
    return entry if isinstance(entry, tuple) and len(entry) == 2 else (None, ())


def _labels(adapters) -> dict:
    return {name: adapter.label for name, adapter in adapters.items()}


def _write_if_changed(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    atomic_write(path, data)


def get_generators(_pelican):
    return ChannelPreviewGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
