"""Walking the files below a folder of the built site, with scandir and plain strings: at 135,000
folders (100,000 stories) os.walk's joins and its link check on every folder, or pathlib objects,
cost seconds, and a walk is most of what finding one changed file costs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path


def files_below(root: Path | str, *, hidden: bool = True, leave_out: tuple[str, ...] = (),
                folders: set[str] | None = None) -> Iterator[tuple[str, os.DirEntry]]:
    """(path below `root` with "/", DirEntry) of every file below `root`, without a `stat` (the entry
    knows its inode). A link to a file counts as a file; a link to a folder is not followed.

    `hidden`: whether names beginning with "." count; `leave_out`: folders right below `root` that are
    not walked; `folders`: receives the path of every folder walked."""
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as found:
            for entry in found:
                if not hidden and entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if prefix or entry.name not in leave_out:
                        stack.append((entry.path, f"{prefix}{entry.name}/"))
                        if folders is not None:
                            folders.add(f"{prefix}{entry.name}")
                elif entry.is_file():
                    yield f"{prefix}{entry.name}", entry
