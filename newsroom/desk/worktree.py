"""The desk's files as the checkout has them, for the desk page every build writes (the publish
run reads the same files from the branch it fetched: newsroom/publishing/ledger.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path


class WorkingTreeFiles:
    """`read_content`, `list_content` and `last_author` of a Ledger, from the files on disk."""

    def __init__(self, content: Path):
        self.content = Path(content)
        self.where = "Arbeitskopie"

    def read_content(self, relative: str) -> str | None:
        try:
            return (self.content / relative).read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
            return None

    def list_content(self, folder: str) -> dict[str, str]:
        path = self.content / folder
        if not path.is_dir():
            return {}
        return {entry.name: entry.read_text(encoding="utf-8", errors="replace")
                for entry in sorted(path.iterdir()) if entry.is_file() and not entry.is_symlink()}

    def last_author(self, source: str, rev: str = "HEAD") -> str | None:
        """The last commit's author address of a story file (`source` relative to the project)."""
        try:
            result = subprocess.run(["git", "log", "-1", "--format=%ae", rev, "--", source],
                                    cwd=self.content.parent, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return result.stdout.strip().lower() or None if result.returncode == 0 else None

    def signer(self, relative: str, allowed: dict[str, str]) -> str | None:
        """Signatures are checked by the publish run; the desk marks approvals as made locally."""
        return None
