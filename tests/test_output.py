"""The staged output: nothing live changes until success; an interrupted apply is finished."""


import pytest

from newsroom.build.output import SiteWriter, StagedOutput
from tests.support import build_killed_while_applying, snapshot


def test_only_changed_files_are_staged_and_applied(tmp_path):
    output = tmp_path / "output"
    with StagedOutput(output) as staged:
        writer = SiteWriter(staged.output, staged.staging)
        writer.write("a/index.html", "eins", owner="test")
        writer.write("b/index.html", "zwei", owner="test")
        staged.commit(writer)
    inode_a = (output / "a/index.html").stat().st_ino
    with StagedOutput(output) as staged:
        writer = SiteWriter(staged.output, staged.staging)
        assert writer.write("a/index.html", "eins", owner="test") is False
        assert writer.write("c/index.html", "drei", owner="test") is True
        assert not (output / "c").exists()  # nothing live before commit
        staged.commit(writer)
    assert writer.pruned == ["b/index.html"]
    assert sorted(snapshot(output)) == ["a/index.html", "c/index.html"]
    assert (output / "a/index.html").stat().st_ino == inode_a
    assert not (output / "b").exists()


def test_two_producers_of_one_file_are_an_error(tmp_path):
    from newsroom.errors import OutputConflict

    with StagedOutput(tmp_path / "output") as staged:
        writer = SiteWriter(staged.output, staged.staging)
        writer.write("index.html", "eins", owner="Meldung A")
        with pytest.raises(OutputConflict, match="Meldung B und Meldung A würden beide index.html schreiben."):
            writer.write("index.html", "zwei", owner="Meldung B")


def test_an_apply_killed_half_way_is_rolled_forward(site, monkeypatch):
    site.story()
    site.build()
    site.story("2026/b.md", id="bbbbbbbbbbbb", title="Zweite Meldung", tags="[Neu]")
    build_killed_while_applying(site, monkeypatch)
    assert (site.root / ".output.journal").exists()
    site.build()
    finished = {k: v[0] for k, v in snapshot(site.output).items()}
    cold = site.root / "cold"
    site.build(OUTPUT_PATH=str(cold))
    assert finished == {k: v[0] for k, v in snapshot(cold).items()}
    assert not (site.root / ".output.journal").exists()


def test_pages_rendered_on_two_processes_match_one(site, tmp_path, monkeypatch):
    import newsroom.build.output

    for n in range(12):
        site.story(f"2026/m{n}.md", id=f"story{n:07d}x", title=f"Meldung {n}", date=f"2026-10-{n + 1:02d} 10:00")
    monkeypatch.setattr(newsroom.build.output, "PARALLEL_WEIGHT", 1)
    parallel = site.build(BUILD_WORKERS=2)
    single_output = tmp_path / "single"
    single = site.build(BUILD_WORKERS=1, OUTPUT_PATH=str(single_output), CACHE_PATH=str(tmp_path / "c"))
    assert sorted(parallel.written) == sorted(single.written)
    assert {k: v[0] for k, v in snapshot(site.output).items()} == {k: v[0] for k, v in snapshot(single_output).items()}


def test_an_error_in_a_render_process_fails_the_build(tmp_path, monkeypatch):
    import newsroom.build.output
    from newsroom.errors import NewsroomError

    monkeypatch.setattr(newsroom.build.output, "PARALLEL_WEIGHT", 1)

    def broken():
        raise ValueError("Vorlage kaputt")

    with StagedOutput(tmp_path / "output") as staged:
        writer = SiteWriter(staged.output, staged.staging)
        for n in range(4):
            writer.defer(f"p{n}.html", broken if n == 1 else (lambda: "ok"), owner="test")
        with pytest.raises(NewsroomError, match="Vorlage kaputt"):
            writer.flush(workers=2)
    assert not (tmp_path / "output" / "p0.html").exists()


def test_replaced_pages_are_moved_aside_and_deleted_in_the_background(site, monkeypatch):
    import time

    import newsroom.build.output

    site.story()
    site.build()
    monkeypatch.setattr(newsroom.build.output, "DISCARD_AT_ONCE", 1)
    site.story(title="Neuer Titel")
    site.build()
    cold = site.root / "cold"
    site.build(OUTPUT_PATH=str(cold))
    assert {k: v[0] for k, v in snapshot(site.output).items()} == {k: v[0] for k, v in snapshot(cold).items()}
    for _ in range(200):  # the deleting process runs on its own; wait for it, not for a time
        left = [p.name for p in site.root.iterdir() if p.name.startswith(".output.replaced")]
        if not left:
            break
        time.sleep(0.05)
    assert left == []


def test_the_staging_folder_is_flat_and_every_page_goes_where_it_belongs(tmp_path):
    """A crisis stages every page: no folder is made for them while staging."""
    output = tmp_path / "output"
    long = "aktuelles/" + "/".join(["sehr-lange-adresse-einer-meldung"] * 8) + "/index.html"
    pages = {"aktuelles/2026/11/meldung/index.html": "eins", "100%-sicher/index.html": "zwei",
             "100%2Fsicher/index.html": "drei", long: "vier", "index.html": "fünf"}
    with StagedOutput(output) as staged:
        writer = SiteWriter(staged.output, staged.staging)
        for path, text in pages.items():
            writer.write(path, text, owner="test")
        assert all(entry.is_file() for entry in staged.staging.iterdir()) and len(list(staged.staging.iterdir())) == 5
        staged.commit(writer)
    assert {path: (output / path).read_text() for path in pages} == pages
