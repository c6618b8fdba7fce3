"""The archive of stories, loaded by the build's core before any plugin reads it.

Only files changed since the last successful build are parsed (newsroom/content/loader.py);
the archive is then checked as a whole (unique ids and addresses, links that resolve, earlier
ids that belong to one story), and each story's git dates are attached. Plugins read cards
(the list entries of every story) and ask for a full story only when they show its text.
"""

from __future__ import annotations

import logging
import pickle
from dataclasses import replace
from datetime import datetime
from itertools import takewhile
from operator import attrgetter
from pathlib import Path

from newsroom.build.state import ArchiveState, Card
from newsroom.build.timing import phase
from newsroom.content.history import GitHistory
from newsroom.content.loader import LoadResult, load_stories, scan_now
from newsroom.content.reader import StoryVocabulary, check_media
from newsroom.content.story import DRAFT, PLANNED, PUBLISHED, UNPUBLISHED, WITHDRAWN, GitDates, Story
from newsroom.dates import BERLIN
from newsroom.errors import ContentError
from newsroom.languages.translation import language_of
from newsroom.languages.translations import TranslatedStories, load_translations

logger = logging.getLogger("newsroom.stories")
TIME_ORDER = attrgetter("ts", "id")  # a sort key made in C: 25,000 cards are sorted on every build


class StoryArchive:
    """Every story of the build: `cards` (newest first, drafts included), `visible` (published
    and due), `withdrawn` (taken back after publication: their pages stay, in no list), `by_id`;
    `full_story(card)` for the text."""

    def __init__(self, loaded: LoadResult, cards: list[Card], visible: list[Card], git: dict, git_head: str | None,
                 vocabulary: StoryVocabulary, cache, draft_sources: set[str], withdrawn: list[Card] | None = None):
        self.loaded = loaded
        self.cards = cards
        self.visible = visible
        self.withdrawn = withdrawn or []
        self.by_id = {c.id: c for c in cards}
        self.git = git
        self.git_head = git_head
        self.vocabulary = vocabulary
        self.cache = cache
        self.draft_sources = draft_sources  # never published: their problems are warnings
        self.provisional = loaded.provisional  # readable drafts and scheduled stories: their channel posts are checked
        self.translations = TranslatedStories(())  # set by load(): the stories in other languages
        # Drafts and planned stories (`pending`), and the stories a reader cannot see yet but an
        # editor may look at (`unpublished`: drafts and scheduled ones, newest first); set by load().
        self.pending: list[Card] = []
        self.unpublished: list[Card] = []

    @classmethod
    def load(cls, settings: dict, cache, state: ArchiveState, media, errors: list[ContentError],
             warnings: list[str], scanned, located) -> StoryArchive:
        """Read and check the stories; problems go to `errors`. `scanned` is the result of the
        stat() walk and `located` where git's HEAD is, both started earlier in the background."""
        content = Path(settings["PATH"])
        with phase("git"):
            history = GitHistory.load(content, cache, known_head=state.git_head, located=located)
        if history.warning:
            logger.warning(history.warning)
            warnings.append(history.warning)
        story_url = settings["STORY_URL"]
        vocabulary = StoryVocabulary.from_settings(settings)
        # Translations (`<name>.<code>.md`) are read beside the stories, not as stories.
        if scanned is None:
            scanned = scan_now(content / settings["STORIES_DIR"], content.parent)
        translated = [item for item in scanned.files if language_of(item[0])]
        if translated:
            scanned = scanned._replace(files=[item for item in scanned.files if not language_of(item[0])])
        with phase("read"):
            loaded = load_stories(content / settings["STORIES_DIR"], content.parent, vocabulary, cache, state,
                                  lambda s: story_url.format(date=s.date, slug=s.slug), settings["BUILD_WORKERS"],
                                  scanned=scanned)
        errors.extend(loaded.errors)
        cards = []
        left_out = set()  # sources of stories with a failing medium: not in this build
        # A few dozen media serve 25,000 stories: each reference is checked once, and only a
        # story that uses a failing one is checked again for its errors (file, line, field).
        passes: dict[str, bool] = {}
        for card in loaded.cards.values():
            checks = card.media_checks
            if checks and not all(passes.get(ref) or _passes(ref, media, passes) for ref, _l, _f in checks):
                errors.extend(check_media(card.source, checks, media))
                left_out.add(card.source)
            else:
                cards.append(card)
        for source, checks in loaded.unchecked_media.items():  # files with other problems too
            errors.extend(check_media(source, checks, media))
        with phase("check"):
            yielded = check_archive(cards, errors)
        if yielded:  # a draft that shares a published story's id or address gives way
            cards = [c for c in cards if c.source not in yielded]
        pending = [c for c in loaded.cards.values() if c.status in UNPUBLISHED]
        drafts = loaded.broken_drafts | {c.source for c in pending}
        left_out |= yielded
        pending = [c for c in pending if c.source not in left_out]  # a few: drafts and planned stories
        if history.unchanged:
            git = state.git
        else:
            git = history.by_source(content.parent, settings["PUBLIC_AUTHORS"])
        cards.sort(key=TIME_ORDER, reverse=True)  # newest first
        now = settings["BUILD_NOW"].timestamp()
        visible = [c for c in cards if c.status == "published" and c.ts <= now]  # Card.is_visible, inlined
        withdrawn = [c for c in cards if c.status == WITHDRAWN and c.ts <= now]
        archive = cls(loaded, cards, visible, git, history.head, vocabulary, cache, drafts, withdrawn)
        # Drafts and stories scheduled after the build's time, found without another pass over
        # every card: the pending ones were picked from the loader's cards above, and the scheduled
        # ones lead the list, newest first.
        scheduled = list(takewhile(lambda c: c.ts > now, cards))
        archive.pending = pending
        archive.unpublished = sorted([c for c in pending if c.status == DRAFT]
                                     + [c for c in scheduled if c.status == PUBLISHED], key=TIME_ORDER, reverse=True)
        with phase("translations"):
            archive.translations = load_translations(translated, settings, state.translations, cards, visible,
                                                     media, errors)
        return archive

    def stats(self, now: float) -> dict[str, int]:
        cards = self.cards
        return {
            "stories": len(cards),
            "visible": len(self.visible),
            "drafts": sum(1 for c in self.pending if c.status == DRAFT),
            "planned": sum(1 for c in self.pending if c.status == PLANNED),
            "scheduled": sum(1 for c in takewhile(lambda c: c.ts > now, cards) if c.status == PUBLISHED),
            "withdrawn": len(self.withdrawn),
            "parsed": self.loaded.parsed,
            "files_read": self.loaded.read,
        }

    def full_story(self, card: Card) -> Story:
        """The complete story behind a card, with its git dates: parsed in this build or from
        the parse cache. A new object: the story read from the file stays as it was read."""
        story = self.parsed(card)
        if story is None:
            self.preload([card])
            story = self.parsed(card)
        dates = self.git.get(card.source)
        return replace(story, git=GitDates(
            datetime.fromtimestamp(dates[0], BERLIN), datetime.fromtimestamp(dates[1], BERLIN), dates[2], dates[3])
            if dates else GitDates())

    def preload(self, cards: list[Card]) -> None:
        """Fetch the full stories of these cards from the parse cache in one query; kept pickled
        until asked for (a full build preloads every story before its pages are drawn)."""
        loaded = self.loaded
        wanted = {c.digest: c for c in cards if c.source not in loaded.packed}
        if not wanted:
            return
        records = self.cache.packed_stories(sorted(wanted), self.vocabulary.fingerprint())
        for digest, card in wanted.items():
            loaded.packed[card.source] = records[digest]

    def parsed(self, card: Card) -> Story | None:
        """The story as read in this build or preloaded (without git dates), if at hand."""
        packed = self.loaded.packed.get(card.source)
        return pickle.loads(packed).placed(card.source, card.url) if packed is not None else None


def _passes(reference: str, media, passes: dict[str, bool]) -> bool:
    passes[reference] = not check_media("", ((reference, None, None),), media)
    return passes[reference]


def check_archive(stories: list[Card], errors: list[ContentError]) -> set[str]:
    """What no single file can tell: unique ids and URLs, links that resolve. Returns the
    drafts that clash with another story; they are left out of this build."""
    by_id: dict[str, Card] = {}
    by_url: dict[str, Card] = {}
    linking = []
    yielded: set[str] = set()
    # Published stories first: a clash with a draft is the draft's problem, not the site's.
    for story in sorted(stories, key=lambda card: card.status in UNPUBLISHED):
        first = by_id.setdefault(story.id, story)
        if first is not story:
            errors.append(ContentError(
                story.source, f"Die id „{story.id}“ hat schon {first.source}. Jede Meldung braucht eine eigene id.",
                field="id"))
            if story.status in UNPUBLISHED:
                yielded.add(story.source)
        first = by_url.setdefault(story.url, story)
        if first is not story:
            errors.append(ContentError(
                story.source, f"Die Adresse /{story.url} hätte auch {first.source}. Bitte Titel oder „slug“ ändern.",
                field="slug"))
            if story.status in UNPUBLISHED:
                yielded.add(story.source)
        if story.related_ids or story.story_refs:
            linking.append(story)
    _check_former_ids(stories, by_id, errors)
    for story in linking:
        for ref, where in [*((r, "related") for r in story.related_ids), *((r, None) for r in story.story_refs)]:
            target = by_id.get(ref)
            label = "Verwandte Meldung" if where else "Link story:"
            if target is None:
                errors.append(ContentError(story.source, f"{label} „{ref}“: keine Meldung hat diese id.",
                                           field=where))
            # A withdrawn story's page stays at its address: a link to it still leads somewhere, and
            # a related box simply leaves it out (plugins/stories/related.py).
            elif story.status == PUBLISHED and (target.status not in (PUBLISHED, WITHDRAWN) or target.ts > story.ts):
                errors.append(ContentError(
                    story.source,
                    f"{label} „{ref}“ ({target.source}) ist bei Veröffentlichung dieser Meldung noch nicht "
                    "veröffentlicht; der Link liefe ins Leere.", field=where))
    return yielded


def _check_former_ids(stories: list[Card], by_id: dict[str, Card], errors: list[ContentError]) -> None:
    """An earlier id is the key of a story's sends: it belongs to that story alone."""
    owner: dict[str, Card] = {}
    for story in stories:
        for former in story.former_ids:
            other = by_id.get(former) or owner.setdefault(former, story)
            if other is not story:
                errors.append(ContentError(
                    story.source, f"Die frühere id „{former}“ gehört schon zu {other.source}. Eine id – ob "
                    "jetzige oder frühere – darf nur eine Meldung haben.", field="former_ids"))
