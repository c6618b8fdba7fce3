"""Git's index vouches for story files a fresh clone gave new mtimes: a CI run with a restored
cache reads only what changed (counted: files read and hashed), and never misses an edit."""

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import git
import pytest

from newsroom.content.git_index import GitIndex, blob_id
from newsroom.content.loader import scan
from tests.support import snapshot

STORIES = 6


def bytes_of(folder):
    return {k: v[0] for k, v in snapshot(folder).items()}


def settle(root: Path) -> None:
    """Let git write its index again once the clock has moved on: a small clone writes its files and
    its index within one tick of the file system's clock, and git (like the build) trusts no entry
    as new as the index. A large clone (25,000 stories) takes long enough by itself."""
    time.sleep(0.05)
    subprocess.run(["git", "status", "--porcelain"], cwd=root, check=True, capture_output=True)


@pytest.fixture
def archive(site):
    (site.root / ".gitignore").write_text("/output/\n/.cache/\n/preview/\n", encoding="utf-8")
    for n in range(STORIES):
        site.story(f"2025/m{n}.md", id=f"story{n:07d}x", title=f"Meldung Nummer {n}",
                   date=f"2025-0{1 + n}-10 10:00")
    site.commit("Archiv", "2026-11-01 09:00")
    site.repo.git.push("origin", "main")
    site.build()
    return site


def fresh_clone(site, **options) -> None:
    """What a CI run does: a new clone of origin at the same place, the build cache and the live
    output restored beside it. `options` go to `git clone` (depth=1: a shallow clone)."""
    site.repo.git.push("origin", "main")
    kept = site.root.parent / "kept"
    kept.mkdir()
    for name in (".cache", "output"):
        shutil.move(site.root / name, kept / name)
    shutil.rmtree(site.root)
    origin = site.root.parent / f"{site.root.name}-origin.git"
    site.repo = git.Repo.clone_from(origin.as_uri(), site.root, **options)
    for name in (".cache", "output"):
        shutil.move(kept / name, site.root / name)
    kept.rmdir()
    settle(site.root)


def assert_same_as_cold_build(site, tmp_path):
    cold = tmp_path / "cold"
    site.build(OUTPUT_PATH=str(cold), CACHE_PATH=str(tmp_path / "cold-cache"))
    assert bytes_of(site.output) == bytes_of(cold)


def test_a_fresh_clone_reads_only_the_changed_story(archive, tmp_path):
    archive.story("2025/m2.md", id="story0000002x", title="Meldung Nummer 2", date="2025-03-10 10:00",
                  body="Ein neuer Absatz, nach der Veröffentlichung ergänzt.\n")
    archive.commit("Ergänzung", "2026-11-02 09:00")
    fresh_clone(archive)
    report = archive.build()
    assert (report.stats["files_read"], report.stats["parsed"]) == (1, 1)
    assert "nach der Veröffentlichung ergänzt" in archive.page("aktuelles/2025/03/meldung-nummer-2/index.html")
    assert_same_as_cold_build(archive, tmp_path)
    again = archive.build()  # the clone's own mtimes are recorded now
    assert (again.stats["files_read"], again.written) == (0, [])


def test_a_cache_restored_after_the_checkout_works_the_same(archive):
    """The scan's process reads the index when the files are newer than the cache; restored later
    (a newer mtime), the cache makes the build read the index itself."""
    archive.story("2025/m2.md", id="story0000002x", title="Meldung Nummer 2", date="2025-03-10 10:00",
                  body="Noch eine Ergänzung.\n")
    archive.commit("Ergänzung", "2026-11-02 09:00")
    fresh_clone(archive)
    later = time.time_ns() + 10**9
    for path in (archive.root / ".cache").iterdir():
        os.utime(path, ns=(later, later))
    report = archive.build()
    assert (report.stats["files_read"], report.stats["parsed"]) == (1, 1)


def test_a_fresh_clone_without_change_reads_nothing(archive):
    fresh_clone(archive)
    report = archive.build()
    assert (report.stats["files_read"], report.stats["parsed"], report.rendered) == (0, 0, [])


def live_original(site) -> Path:
    """The live copy of the site's photo (the original, not a rendition)."""
    found = [p for p in site.output.rglob("rhein.jpg")]
    assert len(found) == 1
    return found[0]


def test_a_fresh_clone_neither_copies_nor_reads_an_unchanged_media_file(archive):
    """Media originals get new mtimes in a fresh clone as well; git's index vouches for their bytes,
    so the live copy stays (the same file, nothing for the deploy to send) and its facts are not read."""
    live = live_original(archive).stat()
    fresh_clone(archive)
    assert (archive.content / "media/fotos/rhein.jpg").stat().st_mtime_ns != live.st_mtime_ns
    report = archive.build()
    assert (report.written, report.stats["media_files_read"]) == ([], 0)
    assert live_original(archive).stat().st_ino == live.st_ino
    fresh_clone(archive)  # the record survives a build that changed nothing
    assert (archive.build().written, live_original(archive).stat().st_ino) == ([], live.st_ino)


def test_a_fresh_clone_lists_the_media_folders_index_once(archive):
    """The media facts and the static copies ask the same reader of git's index: `git ls-files`
    runs once for the media folder in a build that needs it (seen as the processes started)."""
    fresh_clone(archive)
    with started_processes() as started:
        archive.build()
    media = archive.content / "media"
    listings = [cwd for args, cwd in started if "ls-files" in args and Path(cwd) == media]
    assert len(listings) == 1


_watched: list | None = None


def _record_process(event, details):
    if event == "subprocess.Popen" and _watched is not None:
        _executable, args, cwd, _env = details
        _watched.append((list(args) if isinstance(args, (list, tuple)) else [args], str(cwd)))


@contextmanager
def started_processes():
    """The processes this process starts meanwhile, from Python's audit events (a hook cannot be
    removed again, so it records only while one of these blocks runs)."""
    global _watched
    if not getattr(started_processes, "hooked", False):
        sys.addaudithook(_record_process)
        started_processes.hooked = True
    _watched = []
    try:
        yield _watched
    finally:
        _watched = None


def test_a_fresh_clone_copies_and_reads_a_media_file_changed_at_the_same_size(archive, tmp_path):
    photo = archive.content / "media/fotos/rhein.jpg"
    data = bytearray(photo.read_bytes())
    data[-3] ^= 0xFF  # a byte of the picture data: the same size, the header still valid
    photo.write_bytes(bytes(data))
    archive.commit("Foto ersetzt", "2026-11-02 09:00")
    fresh_clone(archive)
    report = archive.build()
    original = live_original(archive).relative_to(archive.output).as_posix()
    assert original in report.written and report.stats["media_files_read"] == 1
    # The picture data as committed (its metadata is the build's own: newsroom/media/originals.py)
    assert live_original(archive).read_bytes().endswith(bytes(data[data.index(b"\xff\xda"):]))
    assert_same_as_cold_build(archive, tmp_path)


def test_outside_git_no_media_file_is_vouched_for(tmp_path):
    from newsroom.content.git_index import FileBlobs

    (tmp_path / "media").mkdir()
    photo = tmp_path / "media" / "bild.jpg"
    photo.write_bytes(b"kein git")
    assert FileBlobs(tmp_path / "media").blob(photo, photo.stat()) is None


def test_a_shallow_clone_reads_only_the_changed_story(archive):
    archive.story("2025/m3.md", id="story0000003x", title="Meldung Nummer 3", date="2025-04-10 10:00",
                  body="Ergänzt.\n")
    archive.commit("Ergänzung", "2026-11-02 09:00")
    fresh_clone(archive, depth=1)
    assert archive.repo.git.rev_parse("--is-shallow-repository") == "true"
    report = archive.build()  # without history the pages lose their git dates; the files are known all the same
    assert (report.stats["files_read"], report.stats["parsed"]) == (1, 1)


def test_an_uncommitted_edit_is_seen(archive, tmp_path):
    fresh_clone(archive)
    path = archive.content / "stories/2025/m4.md"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Zuerst wird gefräst.", "Zuerst wird gehobelt."), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime: only ctime tells
    assert path.stat().st_size == before.st_size
    report = archive.build()
    assert (report.stats["files_read"], report.stats["parsed"]) == (1, 1)
    assert "Zuerst wird gehobelt." in archive.page("aktuelles/2025/05/meldung-nummer-4/index.html")
    assert_same_as_cold_build(archive, tmp_path)


def test_a_staged_edit_is_seen(archive):
    fresh_clone(archive)
    archive.story("2025/m1.md", id="story0000001x", title="Meldung Nummer 1", date="2025-02-10 10:00",
                  body="Vorgemerkt, noch nicht eingecheckt.\n")
    archive.repo.git.add("-A")
    settle(archive.root)  # the index vouches for the staged version now
    report = archive.build()
    assert report.stats["parsed"] == 1
    assert "Vorgemerkt, noch nicht eingecheckt." in archive.page("aktuelles/2025/02/meldung-nummer-1/index.html")


def test_touching_every_file_changes_nothing(archive):
    later = time.time_ns() + 10**9
    for path in (archive.content / "stories").rglob("*.md"):
        os.utime(path, ns=(later, later))
    report = archive.build()
    # Git cannot vouch for a file touched after its index was written: each is read, none parsed.
    assert (report.stats["files_read"], report.stats["parsed"], report.written) == (STORIES, 0, [])
    assert archive.build().stats["files_read"] == 0


def test_a_story_git_is_told_not_to_check_is_read(archive):
    fresh_clone(archive)
    archive.repo.git.update_index("--assume-unchanged", "content/stories/2025/m0.md")
    settle(archive.root)
    assert archive.build().stats["files_read"] == 1


def test_a_folder_outside_git_still_builds_incrementally(plain_site, tmp_path):
    for n in range(3):
        plain_site.story(f"2025/m{n}.md", id=f"plain{n:07d}x", title=f"Meldung {n}", date=f"2025-0{1 + n}-10 10:00")
    plain_site.build()
    copy = tmp_path / "copy"
    # New mtimes for every file, as a fresh clone has.
    shutil.copytree(plain_site.content, copy, copy_function=shutil.copyfile)
    shutil.rmtree(plain_site.content)
    shutil.move(copy, plain_site.content)
    plain_site.story("2025/m1.md", id="plain0000001x", title="Meldung 1 geändert", date="2025-02-10 10:00")
    report = plain_site.build()
    assert (report.stats["files_read"], report.stats["parsed"]) == (3, 1)
    assert_same_as_cold_build(plain_site, tmp_path)


# -- the index itself ---------------------------------------------------------------------------


def _repo(root: Path, *args: str) -> Path:
    subprocess.run(["git", "init", "-q", *args, str(root)], check=True)
    (root / "stories").mkdir()
    (root / "stories/a.md").write_text("Erste Meldung\n", encoding="utf-8")
    (root / "stories/b.md").write_text("Zweite Meldung\n", encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    settle(root)
    return root / "stories"


def _blob(index: GitIndex, stories: Path, source: str) -> str | None:
    """What the index vouches for the file `source` (relative to the folder above the repository)."""
    [found] = [item for item in scan(stories, stories.parent.parent) if item[0] == source]
    _source, _path, mtime_ns, size, ctime_ns, inode = found
    return index.blob(source, mtime_ns, ctime_ns, inode, size)


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_blob_ids_are_gits_own(tmp_path, object_format):
    stories = _repo(tmp_path / "repo", f"--object-format={object_format}")
    index = GitIndex.load(stories, tmp_path)
    assert index.algorithm == object_format
    expected = subprocess.run(["git", "hash-object", "a.md"], cwd=stories, capture_output=True, text=True,
                              check=True).stdout.strip()
    assert _blob(index, stories, "repo/stories/a.md") == expected
    assert blob_id((stories / "a.md").read_bytes(), object_format) == expected


def test_an_entry_as_new_as_the_index_is_not_trusted(tmp_path):
    stories = _repo(tmp_path / "repo")
    index_file = tmp_path / "repo/.git/index"
    written = (stories / "a.md").stat().st_mtime_ns
    os.utime(index_file, ns=(written, written))  # git wrote the index in the tick it wrote the file
    assert _blob(GitIndex.load(stories, tmp_path), stories, "repo/stories/a.md") is None
    os.utime(index_file, ns=(written + 10**9, written + 10**9))
    assert _blob(GitIndex.load(stories, tmp_path), stories, "repo/stories/a.md") is not None


def test_skipped_and_untracked_files_are_not_vouched_for(tmp_path):
    stories = _repo(tmp_path / "repo")
    subprocess.run(["git", "update-index", "--skip-worktree", "stories/b.md"], cwd=stories.parent, check=True)
    (stories / "c.md").write_text("Neu\n", encoding="utf-8")
    settle(stories.parent)
    index = GitIndex.load(stories, tmp_path)
    assert _blob(index, stories, "repo/stories/b.md") is None
    assert _blob(index, stories, "repo/stories/c.md") is None
    assert _blob(index, stories, "repo/stories/a.md") is not None


def test_outside_git_there_is_no_index(tmp_path):
    (tmp_path / "stories").mkdir()
    assert GitIndex.load(tmp_path / "stories", tmp_path) is None
