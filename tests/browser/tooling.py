"""The browser tests' tools: Debian's Chromium, axe-core and vnu-jar from npm, Java.

`ensure()` (run by `invoke test` through `invoke browser-setup`) installs what is
missing when it can and costs well under a second when everything is there:

- Chromium with `apt-get install chromium` when running as root on Debian;
- the npm packages of tests/browser/package.json with `npm ci`, again only when
  package-lock.json changed since the last install (a stamp in node_modules/).

`problem_with_*()` return None when a tool is usable, otherwise one sentence saying
why not and how to get it: the browser tests skip with that sentence.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("NEWSROOM_CHROMIUM", "/usr/bin/chromium"))
NODE_MODULES = HERE / "node_modules"
LOCK = HERE / "package-lock.json"
STAMP = NODE_MODULES / ".installed-package-lock.json"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"

HOW_CHROMIUM = "install it with `apt-get install chromium` (as root), or run `make test` as root"
HOW_NPM = "install node and npm, then run `make test` (it runs `npm ci` in tests/browser)"


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def can_install_chromium() -> bool:
    return _is_root() and shutil.which("apt-get") is not None


def problem_with_chromium() -> str | None:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return None
    return f"Chromium not found at {CHROMIUM}: {HOW_CHROMIUM}."


def problem_with_npm_tools() -> str | None:
    for path in (AXE, VNU):
        if not path.is_file():
            return f"{path.relative_to(HERE)} is missing: {HOW_NPM}."
    return None


def problem_with_java() -> str | None:
    if shutil.which("java") is None:
        return "Java is not installed (vnu.jar needs it): install it with `apt-get install default-jre-headless`."
    return None


def ensure(say=print) -> None:
    """Install Chromium and the npm tools when missing and possible; say what happened."""
    if problem_with_chromium():
        if can_install_chromium():
            say("Browser tests: installing Chromium (apt-get install chromium) …")
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            result = subprocess.run("apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium",
                                    shell=True, env=env, capture_output=True, text=True)
            if result.returncode:
                say(f"Browser tests: apt-get failed ({result.returncode}):\n{result.stderr[-2000:]}")
        if problem := problem_with_chromium():
            say(f"Browser tests will be skipped: {problem}")
    _ensure_npm_tools(say)
    if problem := problem_with_java():
        say(f"HTML validation will be skipped: {problem}")


def _ensure_npm_tools(say) -> None:
    lock = LOCK.read_bytes()
    if STAMP.is_file() and STAMP.read_bytes() == lock and not problem_with_npm_tools():
        return
    if shutil.which("npm") is None:
        say(f"Browser tests will be skipped: npm is not installed; {HOW_NPM}.")
        return
    say("Browser tests: installing axe-core and vnu-jar (npm ci in tests/browser) …")
    # --ignore-scripts: vnu-jar's postinstall would fetch a Java runtime; we use the system's.
    result = subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                            cwd=HERE, capture_output=True, text=True)
    if result.returncode:
        say(f"Browser tests: npm ci failed ({result.returncode}):\n{result.stderr[-2000:]}")
        return
    STAMP.write_bytes(lock)
