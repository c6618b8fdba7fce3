"""decap-server, the local backend of the browser admin (`invoke cms`): Decap CMS on localhost
reads and writes the stories of this checkout instead of a hosted Git service.

Two modes (decap-server's MODE): `fs` writes files straight into the checkout and commits
nothing, so the editor reviews and commits with git; `git` runs the editorial workflow with a
branch per story (cms/…) and commits, and switches branches in this checkout while it works.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from .errors import ConfigurationError

SERVER = Path(__file__).resolve().parent.parent / "cms" / "node_modules" / "decap-server" / "dist" / "index.js"


def start(repository: Path, port: int, *, mode: str = "fs", quiet: bool = False) -> subprocess.Popen:
    """Start decap-server on 127.0.0.1:`port` for `repository`; returns once it accepts connections."""
    node = shutil.which("node")
    if node is None or not SERVER.is_file():
        raise ConfigurationError("decap-server fehlt: Node.js installieren und „make build“ ausführen "
                                 "(installiert cms/node_modules).")
    if mode not in ("fs", "git"):
        raise ConfigurationError(f"Unbekannter Modus „{mode}“ für decap-server (fs oder git).")
    env = {**os.environ, "PORT": str(port), "BIND_HOST": "127.0.0.1", "MODE": mode,
           "GIT_REPO_DIRECTORY": str(repository.resolve()), "LOG_LEVEL": "warn" if quiet else "info"}
    process = subprocess.Popen([node, str(SERVER)], cwd=repository, env=env,
                               stdout=subprocess.DEVNULL if quiet else None,
                               stderr=subprocess.DEVNULL if quiet else None)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigurationError(f"decap-server hat sich beendet (Code {process.returncode}); "
                                     f"ist Port {port} schon belegt?")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise ConfigurationError(f"decap-server antwortet nicht auf Port {port}.")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
