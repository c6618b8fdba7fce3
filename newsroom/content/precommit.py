"""What a commit is about to change below content/: the pre-commit hook checks only that.

`invoke check --staged` runs the whole check (with the parse cache, unchanged stories cost a
`stat` each) but reports only problems in the files the commit adds or changes, so a broken
story someone else left does not block an editor's unrelated commit. When the commit deletes
or renames a file, every problem counts: a link elsewhere may now point nowhere.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from newsroom.errors import ConfigurationError, ContentError


@dataclass(frozen=True)
class StagedChange:
    paths: frozenset[str]  # added, copied, modified or renamed-to, relative to the repository root
    removed: bool  # something below content/ was deleted or renamed away

    @property
    def empty(self) -> bool:
        return not self.paths and not self.removed


def staged_change(root: Path, content: str = "content") -> StagedChange:
    try:
        result = subprocess.run(["git", "diff", "--cached", "--name-status", "-z", "--no-renames", "--", content],
                                cwd=root, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ConfigurationError(f"git diff --cached ist gescheitert: {exc}") from None
    fields = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    paths, removed = set(), False
    for status, path in zip(fields[0::2], fields[1::2]):
        if status.startswith("D"):
            removed = True
        elif path:
            paths.add(path)
    return StagedChange(frozenset(paths), removed)


def relevant(errors: list[ContentError], change: StagedChange) -> list[ContentError]:
    if change.removed:
        return list(errors)
    return [error for error in errors if error.path in change.paths]
