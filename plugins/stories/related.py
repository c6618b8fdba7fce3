"""Related stories without comparing every pair: a story's neighbours in time among
the stories that share its tags or Thema, scored by what they share.

At 25,000 stories an all-pairs comparison is 300 million checks; this looks at a
few dozen candidates per story, with everything it compares computed once.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from heapq import nsmallest

from newsroom.archive import Card
from newsroom.slugs import slugify

NEIGHBOURS = 6


class RelatedIndex:
    def __init__(self, stories: list[Card]):
        """`stories` newest first, as the generator keeps them."""
        self._by_id = {s.id: s for s in stories}
        self._facts = {}
        groups: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
        for s in reversed(stories):  # oldest first: every group comes out sorted
            tags = frozenset(slugify(t) for t in s.tags)
            # Per story: (timestamp, tag slugs, Thema, districts), the inputs of the score.
            self._facts[s.id] = (s.ts, tags, s.category, frozenset(s.districts))
            order = (s.ts, s.id)
            for key in self._keys(s, tags):
                ids, orders = groups[key]
                ids.append(s.id)
                orders.append(order)
        self._groups = dict(groups)

    @staticmethod
    def _keys(story: Card, tags=None) -> list[str]:
        tags = tags if tags is not None else {slugify(t) for t in story.tags}
        return [f"tag:{t}" for t in sorted(tags)] + [f"thema:{story.category}"]

    def related(self, story: Card, limit: int) -> list[Card]:
        chosen = [i for i in story.related_ids if i in self._by_id and i != story.id]
        candidates = self.window(story, NEIGHBOURS)
        candidates.discard(story.id)
        candidates.difference_update(chosen)
        when, tags, category, districts = self._facts[story.id]
        facts = self._facts
        scored = []
        for other in candidates:
            o_when, o_tags, o_category, o_districts = facts[other]
            value = 2 * len(tags & o_tags) + (o_category == category) + (not districts.isdisjoint(o_districts))
            scored.append((-value, abs(o_when - when), other))
        chosen += [other for _v, _d, other in nsmallest(max(0, limit - len(chosen)), scored)]
        return [self._by_id[i] for i in chosen]

    def window(self, story: Card, width: int) -> set[str]:
        """Ids within `width` positions of where `story` sits (or sat) in each of its groups."""
        order = (story.ts, story.id)
        found: set[str] = set()
        for key in self._keys(story):
            ids, orders = self._groups.get(key, ((), ()))
            position = bisect_left(orders, order)
            found.update(ids[max(0, position - width):position + width + 1])
        return found
