"""The manifest of live files (newsroom/build/runner/manifest.py): saved in shards, rewritten where it changed."""

from pathlib import Path

from newsroom.build.cache import BuildCache
from newsroom.build.manifest import SHARDS, Manifest


class CountingCache(BuildCache):
    def __init__(self, folder: Path):
        super().__init__(folder)
        self.saved: list[str] = []

    def save_blobs(self, entries):
        self.saved.extend(name for name, _key, _value in entries)
        super().save_blobs(entries)


def test_a_manifest_survives_and_a_small_change_rewrites_only_its_shards(tmp_path):
    cache = CountingCache(tmp_path / "cache")
    paths = {f"aktuelles/2026/11/meldung-{n}/index.html" for n in range(500)}
    assert Manifest.load(cache, "out") is None  # nothing saved yet: the build walks the disk
    first = Manifest.save(cache, "out", paths, None)
    assert len(cache.saved) == SHARDS and Manifest.load(cache, "out").paths == paths == first.paths

    cache.saved.clear()
    changed = (paths - {"aktuelles/2026/11/meldung-7/index.html"}) | {"index.html"}
    Manifest.save(cache, "out", changed, first)
    assert 1 <= len(cache.saved) <= 2
    assert Manifest.load(cache, "out").paths == changed
    assert first.paths == paths  # the manifest it started from is not changed in place
    cache.close()
