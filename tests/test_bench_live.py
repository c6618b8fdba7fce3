"""`invoke bench --scenario live` on a tiny archive: each committed change reaches the folder target, the
deployed search index finds it at its page, and exactly the files the build and the index wrote are deployed."""

from __future__ import annotations

import subprocess

from benchmarks.live import run


def test_live_scenario_deploys_each_change_and_its_search_finds_it(tmp_path):
    result = run(tmp_path, 30, 1, say=lambda *_: None)

    assert result["problems"] == []
    for name in ("edited", "added"):
        [row] = result["figures"][name]
        check = row["check"]
        assert len(check["expected"]) == 1 and check["urls"] == check["expected"]
        assert check["chunks"] >= 1
        assert (tmp_path / "www" / "current" / check["expected"][0].lstrip("/") / "index.html").is_file()
        assert check["deployed_not_written"] == 0 and check["written_not_deployed"] == 0
        assert 0 < row["deploy"]["uploaded"] < 100  # a handful of pages and index files, not the site
    assert "/2026/11/live-1-" in result["figures"]["added"][0]["check"]["expected"][0]  # today's story, its own page
    # The archive is as it was: the edited story restored, the added one gone, all committed.
    status = subprocess.run(["git", "status", "--porcelain", "content"], cwd=tmp_path / "newsroom", capture_output=True,
                            text=True, check=True)
    assert status.stdout == ""
    assert not list((tmp_path / "newsroom" / "content" / "stories").rglob("live-*.md"))
