"""Paths below content/: references editors write (lead images, media links) may never leave
their folder, and no file or folder there may be a symbolic link.

A link would publish whatever it points to, inside the repository or outside it (a key, a
password file): so every symbolic link below content/ is an error in check and build, for
stories, pages, media, descriptions and folders alike, and nothing follows one.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

from newsroom.errors import ContentError, OutsidePath


def resolve_inside(base: Path, reference: str, *, base_label: str) -> Path:
    """`base / reference`, refused if absolute, if `..` climbs out, or if a symlink is on the way."""
    if not reference or reference.startswith(("/", "\\")) or ":" in reference.split("/", 1)[0][1:2]:
        raise OutsidePath(f"„{reference}“ ist kein Pfad innerhalb von {base_label}.")
    normalized = posixpath.normpath(reference.replace("\\", "/"))
    if normalized == ".." or normalized.startswith("../"):
        raise OutsidePath(f"„{reference}“ verweist auf eine Datei außerhalb von {base_label}.")
    target = base / normalized
    step = base
    for part in Path(normalized).parts:
        step = step / part
        if step.is_symlink():
            raise OutsidePath(f"„{reference}“ führt über eine Verknüpfung (Symlink) „{step.relative_to(base)}“; "
                              f"Verknüpfungen sind in {base_label} nicht erlaubt.")
    real_base = base.resolve()
    if not target.resolve().is_relative_to(real_base):
        raise OutsidePath(f"„{reference}“ verweist (über einen Link) auf eine Datei außerhalb von {base_label}.")
    return target


def symlink_error(path: str, shown: str) -> ContentError:
    """The German error for the link at `path` (absolute or relative to the working folder),
    shown as `shown` (relative to the project)."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return ContentError(shown, f"Diese Datei oder dieser Ordner ist eine Verknüpfung (Symlink) auf „{target}“. "
                               "Verknüpfungen sind in content/ nicht erlaubt: Bitte die Datei selbst ablegen "
                               "oder die Verknüpfung löschen.")


def find_symlinks(root: Path, display_root: Path, *, skip: tuple[str, ...] = ()) -> list[ContentError]:
    """An error for every symbolic link below `root` (links are not followed; hidden files and
    folders, which no build reads, are left out). Folders named in `skip` (directly below
    `root`) are checked themselves but not walked: their own scan looks inside."""
    prefix = os.path.relpath(root, display_root).replace(os.sep, "/")
    errors: list[ContentError] = []

    def walk(folder: str, relative: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_symlink():
                    errors.append(symlink_error(entry.path, f"{prefix}/{relative}{entry.name}"))
                elif entry.is_dir(follow_symlinks=False) and not (not relative and entry.name in skip):
                    walk(entry.path, f"{relative}{entry.name}/")

    if root.is_dir() and not root.is_symlink():
        walk(str(root), "")
    return sorted(errors, key=ContentError.sort_key)
