"""Related stories without comparing every pair: a story's neighbours in time among
the stories that share its tags or Thema, scored by what they share.

At 25,000 stories an all-pairs comparison is 300 million checks; this looks at a
few dozen candidates per story, with everything it compares computed once.
"""

from __future__ import annotations

from bisect import bisect_left
from heapq import nsmallest

from newsroom.archive import Card

NEIGHBOURS = 6


class RelatedIndex:
    """Groups (per tag and Thema) of stories in time order, built for the keys asked for.

    A full build needs every group; an incremental one only those of the few stories near
    a change, which it names with `keys` (see plan.py): one pass over the cards either way.
    """

    def __init__(self, stories: list[Card], keys: set[str] | None = None):
        """`stories` newest first, as the generator keeps them."""
        self._by_id = {s.id: s for s in stories}
        self._facts: dict[str, tuple] = {}
        groups: dict[str, tuple[list, list]] = {}
        for s in reversed(stories):  # oldest first: every group comes out sorted
            for key in self.keys_of(s):
                if keys is None or key in keys:
                    ids, orders = groups.setdefault(key, ([], []))
                    ids.append(s.id)
                    orders.append((s.ts, s.id))
        self._groups = groups

    @staticmethod
    def keys_of(story: Card) -> list[str]:
        return [*story.tag_slugs, f"thema:{story.category}"]

    def _fact(self, story_id: str) -> tuple:
        """(timestamp, tag slugs, Thema, districts): the inputs of the score."""
        fact = self._facts.get(story_id)
        if fact is None:
            s = self._by_id[story_id]
            fact = self._facts[story_id] = (s.ts, frozenset(s.tag_slugs), s.category, frozenset(s.districts))
        return fact

    def related(self, story: Card, limit: int) -> list[Card]:
        chosen = [i for i in story.related_ids if i in self._by_id and i != story.id]
        candidates = self.window(story, NEIGHBOURS)
        candidates.discard(story.id)
        candidates.difference_update(chosen)
        when, tags, category, districts = self._fact(story.id)
        scored = []
        for other in candidates:
            o_when, o_tags, o_category, o_districts = self._fact(other)
            value = 2 * len(tags & o_tags) + (o_category == category) + (not districts.isdisjoint(o_districts))
            scored.append((-value, abs(o_when - when), other))
        chosen += [other for _v, _d, other in nsmallest(max(0, limit - len(chosen)), scored)]
        return [self._by_id[i] for i in chosen]

    def window(self, story: Card, width: int) -> set[str]:
        """Ids within `width` positions of where `story` sits (or sat) in each of its groups."""
        order = (story.ts, story.id)
        found: set[str] = set()
        for key in set(self.keys_of(story)):
            ids, orders = self._groups.get(key, ((), ()))
            position = bisect_left(orders, order)
            found.update(ids[max(0, position - width):position + width + 1])
        return found
