"""Related stories without comparing every pair: a story's neighbours in time among
the stories that share its tags or Thema, scored by what they share.

At 25,000 stories an all-pairs comparison is 300 million checks; this looks at a
few dozen candidates per story, with everything it compares computed once.
"""

from __future__ import annotations

from heapq import nsmallest

from newsroom.build.state import Card

NEIGHBOURS = 6


class RelatedIndex:
    """A story's groups (its tags and its Thema) in time order, taken from the lists the
    taxonomy already made, and only for the groups actually asked about."""

    def __init__(self, stories: list[Card], taxonomy):
        self._by_id = {s.id: s for s in stories}
        self._taxonomy = taxonomy
        self._facts: dict[str, tuple] = {}
        self._groups: dict[str, list] = {}

    def _group(self, key: str) -> list:
        """The group's stories, newest first, as the taxonomy holds them (not copied: a tag or
        Thema has thousands, and a change asks about dozens of groups)."""
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = self._taxonomy.group(key)
        return group

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
            members = self._group(key)
            # Binary search in the newest-first list: `newer` members sort at or after `order`.
            low, high = 0, len(members)
            while low < high:
                middle = (low + high) // 2
                member = members[middle]
                if (member.ts, member.id) >= order:
                    low = middle + 1
                else:
                    high = middle
            older = len(members) - low  # how many sort before `order` (bisect_left, oldest first)
            start, end = max(0, older - width), min(len(members), older + width + 1)
            found.update(m.id for m in members[len(members) - end:len(members) - start])
        return found
