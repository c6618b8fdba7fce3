"""The walk below an output folder (newsroom/walk.py) that the search index's scan and the deploy share."""

import os

from newsroom.walk import files_below


def make(root, *paths):
    for path in paths:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path, encoding="utf-8")


def test_every_file_below_with_its_path_and_entry(tmp_path):
    make(tmp_path, "index.html", "aktuelles/2026/11/a/index.html", "aktuelles/feed.xml", ".htaccess",
         ".well-known/security.txt")
    found = dict(files_below(tmp_path))
    assert sorted(found) == [".htaccess", ".well-known/security.txt", "aktuelles/2026/11/a/index.html",
                             "aktuelles/feed.xml", "index.html"]
    entry = found["aktuelles/2026/11/a/index.html"]
    assert entry.inode() == os.stat(tmp_path / "aktuelles/2026/11/a/index.html").st_ino
    assert entry.path == str(tmp_path / "aktuelles/2026/11/a/index.html")


def test_hidden_names_left_out_on_request_files_and_folders_alike(tmp_path):
    make(tmp_path, "index.html", ".htaccess", ".well-known/security.txt", "a/.hidden/page.html", "a/.b.html")
    assert sorted(path for path, _ in files_below(tmp_path, hidden=False)) == ["index.html"]


def test_left_out_folders_only_right_below_the_root(tmp_path):
    make(tmp_path, "pagefind/a.js", "_gone/x.html", "aktuelles/pagefind/b.html", "aktuelles/_gone/c.html")
    folders: set[str] = set()
    found = sorted(path for path, _ in files_below(tmp_path, leave_out=("pagefind", "_gone"), folders=folders))
    assert found == ["aktuelles/_gone/c.html", "aktuelles/pagefind/b.html"]
    assert folders == {"aktuelles", "aktuelles/pagefind", "aktuelles/_gone"}


def test_links_to_files_count_links_to_folders_are_not_followed(tmp_path):
    make(tmp_path, "real/page.html", "outside/secret.html")
    (tmp_path / "site").mkdir()
    os.symlink(tmp_path / "real" / "page.html", tmp_path / "site" / "linked.html")
    os.symlink(tmp_path / "outside", tmp_path / "site" / "folder")
    assert [path for path, _ in files_below(tmp_path / "site")] == ["linked.html"]
