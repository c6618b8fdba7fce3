"""Which story pages a change can reach: the planning half of an incremental build.

A story page shows its own file, its git dates, its lead image's description, its
related stories' list entries and the addresses of stories it links. So a page is
redrawn when any of these changed since the last successful build, and only then.
Related stories are recomputed only near a change: a story's related set is drawn
from its neighbours in time within its tag and Thema groups, so only stories within
that window of a changed story can gain or lose one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from newsroom.build.state import ArchiveState, Card, not_same

from .listings import bases_of
from .related import NEIGHBOURS, RelatedIndex


def score_inputs(card: Card) -> tuple:
    return (card.ts, card.id, card.tags, card.category, card.districts)


@dataclass
class Plan:
    dirty: set[str]  # story pages to render
    related: dict[str, tuple[str, ...]]  # related ids of every visible story
    relisted: set[str]  # stories whose list entry is new or changed: their list pages are redrawn
    touched_lists: set[str]  # addresses of lists that gained, lost, moved or changed a story; the others stay


def plan_story_pages(old: ArchiveState, visible: list[Card], taxonomy, git: dict, media: dict, limit: int) -> Plan:
    new_by_id = {c.id: c for c in visible}
    then = old.now  # Card.is_visible, inlined: this runs over every card of the archive
    old_by_id = {c.id: c for c in old.cards.values() if c.status == "published" and c.ts <= then}
    entered = new_by_id.keys() - old_by_id.keys()
    left = old_by_id.keys() - new_by_id.keys()
    stayed = new_by_id.keys() & old_by_id.keys()
    # Cards of unchanged files are the very objects of the last state: compare only the others.
    edited = [i for i in not_same(new_by_id, old_by_id) if i in old_by_id]
    moved = {i for i in edited if score_inputs(new_by_id[i]) != score_inputs(old_by_id[i])}
    listed_changed = {i for i in edited if new_by_id[i].listed() != old_by_id[i].listed()}

    # Related sets can change only near a story that entered, left or moved in a group.
    suspects = set(entered)
    changes = entered | left | moved
    related = old.related if not changes else dict(old.related)
    missing = new_by_id.keys() - related.keys()
    if changes or missing:
        related = dict(related)
        changed_cards = [c for i in changes | missing for c in (new_by_id.get(i), old_by_id.get(i)) if c is not None]
        index = RelatedIndex(visible, taxonomy)
        for card in changed_cards:
            suspects |= index.window(card, NEIGHBOURS + 1)
        if entered or left:
            # A story chosen as related (`related:`) may sit far from the one that chose it: one
            # that left (withdrawn) or came back is dropped from or restored to its box.
            coming_going = entered | left
            suspects.update(c.id for c in visible if c.related_ids and not coming_going.isdisjoint(c.related_ids))
        for story_id in left:
            related.pop(story_id, None)
        for story_id in (suspects & new_by_id.keys()) | missing:
            related[story_id] = tuple(c.id for c in index.related(new_by_id[story_id], limit))

    dirty = set(entered)
    for story_id in edited:
        card, before = new_by_id[story_id], old_by_id[story_id]
        if card.digest != before.digest or card.url != before.url:
            dirty.add(story_id)
    if git is not old.git and git != old.git:  # new commits: pages whose dates or editors changed
        before = old.git
        redated = {s for s, dates in git.items() if before.get(s) != dates} | (before.keys() - git.keys())
        if redated:
            dirty.update(c.id for c in visible if c.source in redated)
        # A story whose file moved compares its new file's dates with its old file's.
        dirty.update(i for i in edited if new_by_id[i].source != old_by_id[i].source
                     and git.get(new_by_id[i].source) != before.get(old_by_id[i].source))
    dirty.update(i for i in suspects & stayed if related.get(i) != old.related.get(i))
    if listed_changed or left:
        # Pages that show something of a story whose list entry or address changed.
        shown_by: dict[str, set[str]] = defaultdict(set)
        for story_id, others in related.items():
            for other in others:
                shown_by[other].add(story_id)
        for card in visible:
            for ref in card.story_refs:
                shown_by[ref].add(card.id)
        for story_id in listed_changed | left:
            dirty |= shown_by.get(story_id, set())
    # Pages whose lead image or inline media got a new description. `media` holds the item each
    # reference shows on the build's day (MediaLibrary.shown): when a lead image's rights end, its
    # replacement or None, so the story's list entries (cards with their picture) change too.
    changed_media = {path for path, item in media.items() if old.media.get(path) != item}
    reshown: set[str] = set()
    if changed_media:
        swapped = {path for path in changed_media if _file(old.media.get(path)) != _file(media.get(path))}
        for card in visible:
            if any(check[0] in changed_media for check in card.media_checks):
                dirty.add(card.id)
                if card.image in swapped and card.id in old_by_id:
                    reshown.add(card.id)
    touched_lists: set[str] = set()
    for story_id in entered | left | set(edited) | reshown:
        for card in (new_by_id.get(story_id), old_by_id.get(story_id)):
            if card is not None:
                touched_lists |= bases_of(card)
    return Plan(dirty & new_by_id.keys(), related, listed_changed | entered | reshown, touched_lists)


def _file(item) -> str | None:
    """The file a medium shows (None: nothing shown)."""
    return item.path if item is not None else None
