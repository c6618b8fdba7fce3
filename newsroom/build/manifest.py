"""The manifest: every file the last successful build left live in one output folder.

With it, a build needs no walk of 35,000 files to know what to prune. It is saved in 32
shards (by a hash of the path), like the archive state: a build that adds or drops a few
files rewrites the shards that hold them, not one blob of every path.
"""

from __future__ import annotations

from newsroom.build.state import SHARDS, shard_of


def _name(output: str, number: int) -> str:
    return f"manifest:{output}:{number}"


class Manifest:
    def __init__(self, shards: list[set[str]]):
        self.shards = shards
        self.paths: set[str] = set().union(*shards)

    @classmethod
    def load(cls, cache, output: str) -> Manifest | None:
        """The saved manifest, or None when any shard is missing (then the disk is walked)."""
        found = cache.blobs_named([_name(output, n) for n in range(SHARDS)])
        shards = [found.get(_name(output, n)) for n in range(SHARDS)]
        if any(shard is None or not isinstance(shard[1], set) for shard in shards):
            return None
        return cls([shard[1] for shard in shards])

    @classmethod
    def save(cls, cache, output: str, paths: set[str], before: Manifest | None) -> Manifest:
        """Save `paths` as the manifest; only the shards that differ from `before` are written."""
        if before is None:
            shards: list[set[str]] = [set() for _ in range(SHARDS)]
            for path in paths:
                shards[shard_of(path)].add(path)
            dirty = range(SHARDS)
        else:
            changed = paths ^ before.paths
            dirty = sorted({shard_of(path) for path in changed})
            shards = list(before.shards)
            for number in dirty:
                shards[number] = set(shards[number])
            for path in changed:
                shard = shards[shard_of(path)]
                if path in paths:
                    shard.add(path)
                else:
                    shard.discard(path)
        cache.save_blobs([(_name(output, n), "", shards[n]) for n in dirty])
        return cls(shards)
