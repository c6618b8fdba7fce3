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

from newsroom.archive import ArchiveState, Card

from .related import NEIGHBOURS, RelatedIndex


def score_inputs(card: Card) -> tuple:
    return (card.ts, card.id, card.tags, card.category, card.districts)


@dataclass
class Plan:
    dirty: set[str]  # story pages to render
    related: dict[str, tuple[str, ...]]  # related ids of every visible story
    relisted: set[str]  # stories whose list entry is new or changed: their list pages are redrawn


def plan_story_pages(old: ArchiveState, visible: list[Card], git: dict, media: dict, limit: int) -> Plan:
    new_by_id = {c.id: c for c in visible}
    old_by_id = {c.id: c for c in old.cards.values() if c.is_visible(old.now)}
    entered = new_by_id.keys() - old_by_id.keys()
    left = old_by_id.keys() - new_by_id.keys()
    stayed = new_by_id.keys() & old_by_id.keys()
    moved = {i for i in stayed if score_inputs(new_by_id[i]) != score_inputs(old_by_id[i])}
    listed_changed = {i for i in stayed if new_by_id[i].listed() != old_by_id[i].listed()}

    # Related sets can change only near a story that entered, left or moved in a group.
    suspects = set(entered)
    changes = entered | left | moved
    needs_related = changes or (new_by_id.keys() - old.related.keys())
    related_index = RelatedIndex(visible) if needs_related else None
    for story_id in changes:
        for card in (new_by_id.get(story_id), old_by_id.get(story_id)):
            if card is not None:
                suspects |= related_index.window(card, NEIGHBOURS + 1)
    related = {i: old.related[i] for i in stayed if i in old.related}
    for story_id in suspects & new_by_id.keys() | (new_by_id.keys() - related.keys()):
        related[story_id] = tuple(c.id for c in related_index.related(new_by_id[story_id], limit))

    dirty = set(entered)
    for story_id in stayed:
        card, before = new_by_id[story_id], old_by_id[story_id]
        if (card.digest != before.digest or card.url != before.url
                or git.get(card.source) != old.git.get(before.source)
                or related[story_id] != old.related.get(story_id)):
            dirty.add(story_id)
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
    # Pages whose lead image or inline media got a new description.
    changed_media = {path for path, item in media.items() if old.media.get(path) != item}
    if changed_media:
        for card in visible:
            if any(check[0] in changed_media for check in card.media_checks):
                dirty.add(card.id)
    return Plan(dirty & new_by_id.keys(), related, listed_changed | entered)


