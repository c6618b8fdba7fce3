"""Related stories without comparing every pair: a story's neighbours in time among
the stories that share its tags or Thema, scored by what they share.

At 25,000 stories an all-pairs comparison is 300 million checks; this looks at a
few dozen candidates per story.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict

from newsroom.slugs import slugify
from newsroom.story import Story

NEIGHBOURS = 6


class RelatedIndex:
    def __init__(self, stories: list[Story]):
        self._by_id = {s.id: s for s in stories}
        self._tags = {s.id: frozenset(slugify(t) for t in s.tags) for s in stories}
        groups: dict[str, list[Story]] = defaultdict(list)
        for story in stories:
            for key in self._keys(story):
                groups[key].append(story)
        self._groups = {}
        for key, members in groups.items():
            members.sort(key=self._order)
            self._groups[key] = (members, [self._order(s) for s in members])

    @staticmethod
    def _order(story: Story) -> tuple:
        return (story.date, story.id)

    @staticmethod
    def _keys(story: Story) -> list[str]:
        return [f"tag:{slugify(t)}" for t in story.tags] + [f"thema:{story.category}"]

    def related(self, story: Story, limit: int) -> list[Story]:
        chosen = [self._by_id[i] for i in story.related_ids if i in self._by_id and i != story.id]
        candidates: dict[str, Story] = {}
        for key in self._keys(story):
            members, orders = self._groups.get(key, ([], []))
            position = bisect_left(orders, self._order(story))
            for other in members[max(0, position - NEIGHBOURS):position + NEIGHBOURS + 1]:
                if other.id != story.id:
                    candidates[other.id] = other
        tags = self._tags[story.id]
        districts = set(story.districts)

        def score(other: Story) -> tuple:
            shared = len(tags & self._tags[other.id])
            value = 2 * shared + (other.category == story.category) + bool(districts & set(other.districts))
            return (-value, abs((other.date - story.date).total_seconds()), other.id)

        for other in sorted(candidates.values(), key=score):
            if len(chosen) >= limit:
                break
            if other not in chosen:
                chosen.append(other)
        return chosen[:max(limit, len(story.related_ids))]
