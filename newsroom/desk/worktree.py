"""The desk's files as the checkout has them, for the desk page every build writes (the publish
run reads the same files from the branch it fetched: newsroom/publishing/ledger.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path


class WorkingTreeFiles:
    """`read_content`, `list_content` and `last_author` of a Ledger, from the files on disk, and
    for approvals also from the publishing branch as last fetched (`ref`): an approval pushed by
    `invoke approve` or the desk counts on the desk before anyone pulls it."""

    def __init__(self, content: Path, remote: str | None = None, branch: str | None = None,
                 fetched_folder: str = "approvals"):
        self.content = Path(content)
        self.where = "Arbeitskopie"
        self.remote, self.branch, self.fetched_folder = remote, branch, fetched_folder
        self.ref: str | None = None
        self._fetched: dict[str, list[str]] | None = None  # folder below content/ → file names on `ref`

    def read_content(self, relative: str) -> str | None:
        try:
            return (self.content / relative).read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
            return None

    def list_content(self, folder: str) -> dict[str, str]:
        path = self.content / folder
        found = {entry.name: entry.read_text(encoding="utf-8", errors="replace")
                 for entry in sorted(path.iterdir()) if entry.is_file() and not entry.is_symlink()} \
            if path.is_dir() else {}
        for name in self._names_on_ref().get(folder, ()):
            if name not in found:
                text = self._git("show", f"{self.ref}:{self.content.name}/{folder}/{name}")
                if text is not None:
                    found[name] = text
        return found

    def read_fetched(self, relative: str) -> str | None:
        """A file below content/ as the publishing branch had it when last fetched (or pushed to)."""
        self._names_on_ref()
        return self._git("show", f"{self.ref}:{self.content.name}/{relative}") if self.ref else None

    def _names_on_ref(self) -> dict[str, list[str]]:
        """One listing of the fetched branch's approvals for the whole desk (not one per story)."""
        if self._fetched is None:
            self._fetched = {}
            branch = self.branch or (self._git("symbolic-ref", "--short", "-q", "HEAD") or "").strip()
            self.ref = f"refs/remotes/{self.remote}/{branch}" if self.remote and branch else None
            listing = self._git("ls-tree", "-r", "--name-only", self.ref, "--",
                                f"{self.content.name}/{self.fetched_folder}/") if self.ref else None
            for line in (listing or "").splitlines():
                folder, _, name = line.partition("/")[2].rpartition("/")
                self._fetched.setdefault(folder, []).append(name)
        return self._fetched

    def _git(self, *args: str) -> str | None:
        try:
            result = subprocess.run(["git", *args], cwd=self.content.parent, capture_output=True, text=True,
                                    timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return result.stdout if result.returncode == 0 else None

    def last_author(self, source: str, rev: str = "HEAD") -> str | None:
        """The last commit's author address of a story file (`source` relative to the project)."""
        return (self._git("log", "-1", "--format=%ae", rev, "--", source) or "").strip().lower() or None
