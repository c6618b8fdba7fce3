"""Corrections and withdrawals as sends of their own, to every channel that carried the story.

Each is planned, approved, claimed and recorded like a first send, under its own key in the
record of sends: `<story key>.berichtigung-<YYYYMMDDHHMM>` for a correction (known by its
date), `<story key>.ruecknahme` for the withdrawal (the dot cannot occur in an id). It goes
to the channels whose first send is recorded as sent or unclear, as the record stands when
the run plans: a channel that never carried the story gets nothing. It falls due at its date,
within the same window as a first send, and needs the approval of the story's version that
contains it (newsroom/desk/gate.py reads `approves`). A correction of a withdrawn story that
has not gone out is cancelled like any pending send.

A translation's posts (recorded as `<story key>.<language>`, newsroom/languages/sends.py) are
taken back with the story: `<story key>.<language>.ruecknahme` goes to the channels that carried
them. A correction is the German story's and answers the German posts only: a translation has no
corrections of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsroom.publishing.channel import Channel, Post
from newsroom.publishing.records import SENT, UNCLEAR, UNKNOWN, ChannelRecord, Receipt, language_key

if TYPE_CHECKING:
    from newsroom.build.state import Card
    from newsroom.content.archive import StoryArchive
    from newsroom.publishing.channel import Release

CORRECTION, WITHDRAWAL = "correction", "withdrawal"
CORRECTION_MARK, WITHDRAWAL_MARK = ".berichtigung-", ".ruecknahme"
LABELS = {CORRECTION: "Berichtigung", WITHDRAWAL: "Rücknahme"}
# The first send was recorded as done (or may have been: UNKNOWN, which only an editor can follow up).
CARRIED = (SENT, UNCLEAR, UNKNOWN)


def is_follow_up(key: str) -> bool:
    return CORRECTION_MARK in key or key.endswith(WITHDRAWAL_MARK)


def story_key_of(key: str) -> str:
    return key.split(".", 1)[0]


@dataclass(frozen=True)
class FollowUpCard:
    """One correction or withdrawal as the publish run plans it (the fields of a story's card it reads)."""

    id: str  # its key in the record of sends
    kind: str
    approves: Card  # the story: its approved version carries the correction or the withdrawal
    ts: float  # when it falls due: its date
    status: str  # "published"; "withdrawn" for a correction of a withdrawn story (cancelled if pending)
    channels: tuple[str, ...]
    correction: str = ""  # the correction's key (its date) for CORRECTION
    embargo_ts: float | None = None
    former_ids: tuple[str, ...] = ()
    record: str = ""  # the first sends' key in the record: a translation's (`<key>.en`); empty: the story's

    @property
    def key(self) -> str:
        return self.id

    @property
    def first(self) -> str:
        return self.record or self.approves.key

    @property
    def source(self) -> str:
        return self.approves.source

    @property
    def digest(self) -> str:
        return self.approves.digest

    @property
    def title(self) -> str:
        return f"{LABELS[self.kind]}: {self.approves.title}"

    @property
    def claim_detail(self) -> dict:
        return {"story": self.approves.key}


class StoryFollowUps:
    """The corrections and withdrawals of the archive's stories, planned with the first sends."""

    def __init__(self, archive: StoryArchive, release: Callable[[Card], Release] | None, *,
                 since: float | None = None, keep: set[str] = frozenset()):
        """`since`: follow-ups older than this are left out (the plan would not look at them), except
        those of stories whose follow-ups are named in `keep` (unclear recipients, asked for by id)."""
        self.archive = archive
        self.make_release = release
        # Few stories have either: the archive's cards are walked once per publish run.
        self.stories = [c for c in archive.cards if c.corrections or c.withdrawn_ts is not None]
        self.since, self.keep = since, keep
        translations = getattr(archive, "translations", None)
        self.languages: tuple[str, ...] = translations.languages if translations is not None else ()
        self._original: dict[str, Receipt | None] = {}
        self._receipt: Callable[[str], Receipt | None] = lambda key: None
        self._recorded: set[str] = set()

    def _recent(self, story: Card) -> bool:
        newest = max([ts for _key, ts in story.corrections] + [story.withdrawn_ts or float("-inf")])
        return self.since is None or newest >= self.since or any(story_key_of(k) == story.key for k in self.keep)

    def cards(self, receipt: Callable[[str], Receipt | None], recorded: set[str]) -> list[FollowUpCard]:
        self._original, self._receipt, self._recorded = {}, receipt, recorded
        found = []
        for story in filter(self._recent, self.stories):
            original = receipt(story.key) if story.key in recorded else None
            self._original[story.key] = original
            carried = tuple(name for name in story.channels
                            if original and original.get(name) and original.get(name).status in CARRIED)
            withdrawn = story.status == "withdrawn"
            for key, ts in story.corrections:
                card_id = f"{story.key}{CORRECTION_MARK}{key}"
                # A correction that never started is not sent once the story is withdrawn.
                if withdrawn and card_id not in recorded:
                    continue
                channels = carried + _recorded_only(card_id, receipt, recorded, carried)
                if channels:
                    found.append(FollowUpCard(card_id, CORRECTION, story, ts, story.status, channels, key))
            if withdrawn:
                card_id = story.key + WITHDRAWAL_MARK
                channels = carried + _recorded_only(card_id, receipt, recorded, carried)
                if channels:
                    found.append(FollowUpCard(card_id, WITHDRAWAL, story, story.withdrawn_ts, "published", channels))
                found += self._translated_withdrawals(story, receipt, recorded)
        return found

    def _translated_withdrawals(self, story: Card, receipt, recorded: set[str]) -> list[FollowUpCard]:
        """The withdrawal of each translation's posts that the record names (its page went with the story's)."""
        found = []
        for language in self.languages:
            first = language_key(story.key, language)
            if first not in recorded:
                continue
            original = self._original[first] = receipt(first)
            carried = tuple(name for name, record in (original.channels.items() if original else ())
                            if record.status in CARRIED)
            card_id = first + WITHDRAWAL_MARK
            channels = carried + _recorded_only(card_id, receipt, recorded, carried)
            if channels:
                found.append(FollowUpCard(card_id, WITHDRAWAL, story, story.withdrawn_ts, "published", channels,
                                          record=first))
        return found

    def find(self, name: str, receipt, recorded: set[str]) -> FollowUpCard | None:
        return next((c for c in self.cards(receipt, recorded) if c.id == name), None)

    def release(self, card: FollowUpCard) -> Release:
        return self.make_release(card.approves)

    def original(self, card: FollowUpCard, channel: str) -> ChannelRecord | None:
        receipt = self._original.get(card.first)
        return receipt.get(channel) if receipt else None

    def render(self, adapter: Channel, card: FollowUpCard, original: ChannelRecord) -> Post:
        """The post for one channel: the correction or the withdrawal, knowing the first send."""
        release = self.release(card)
        story = release.story
        seen = original_view(original)
        if card.kind == WITHDRAWAL:
            # A translation's posts had no corrections: only the German ones have replies to take back.
            seen["corrections"] = [] if card.record else self._replies(card.approves, adapter.name)
            return adapter.render_withdrawal(release, story.withdrawal, seen)
        correction = next(c for c in story.corrections if c.key == card.correction)
        return adapter.render_correction(release, correction, seen)


    def _replies(self, story: Card, channel: str) -> list[str]:
        """The remote ids of the story's corrections sent to this channel: taken back with it."""
        found = []
        for key, _ts in story.corrections:
            name = f"{story.key}{CORRECTION_MARK}{key}"
            receipt = self._receipt(name) if name in self._recorded else None
            record = receipt.get(channel) if receipt else None
            if record is not None and record.status == SENT and record.remote_id:
                found.append(record.remote_id)
        return found


def original_view(record: ChannelRecord) -> dict:
    """What a correction or withdrawal needs of the first send: ids, address, the channel's detail."""
    return {"status": record.status, "remote_id": record.remote_id, "url": record.url,
            "detail": dict(record.detail), "key": record.key}


def _recorded_only(card_id: str, receipt, recorded: set[str], carried: tuple[str, ...]) -> tuple[str, ...]:
    """Channels the follow-up's own record names beyond those (a record is never hidden from the overview)."""
    if card_id not in recorded:
        return ()
    found = receipt(card_id)
    return tuple(name for name in (found.channels if found else {}) if name not in carried)


__all__ = ["CORRECTION", "WITHDRAWAL", "FollowUpCard", "StoryFollowUps", "is_follow_up", "story_key_of"]
