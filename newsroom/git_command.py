"""One plain `git` command whose output is read as text.

Plain commands rather than GitPython, which takes a quarter of a second to import. Output is
decoded as UTF-8 with surrogate escapes, so a path git prints in another encoding still comes
through, and goes back to the file system unchanged.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def run_git(folder: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess | None:
    """`git *args` in folder, whatever its exit status; None when git cannot be run at all or times out."""
    try:
        return subprocess.run(["git", *args], cwd=folder, capture_output=True, encoding="utf-8",
                              errors="surrogateescape", timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
