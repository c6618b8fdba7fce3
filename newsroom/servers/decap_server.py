"""decap-server, the local backend of the browser admin (`invoke cms`): Decap CMS on localhost
reads and writes the stories of this checkout instead of a hosted Git service.

Two modes (decap-server's MODE): `fs` writes files straight into the checkout and commits
nothing, so the editor reviews and commits with git; `git` runs the editorial workflow with a
branch per story (cms/…) and commits, and switches branches in this checkout while it works.

decap-server itself would write any file of the checkout for anyone who reaches it. So it opens
no TCP port: it listens on a unix socket in a folder only this user may enter
(cms/listen-on-socket.js), and the browser reaches it only through newsroom.servers.decap_guard.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from newsroom.errors import ConfigurationError

CMS = Path(__file__).resolve().parents[2] / "cms"
SERVER = CMS / "node_modules" / "decap-server" / "dist" / "index.js"
SOCKET_SHIM = CMS / "listen-on-socket.js"


@dataclass
class DecapServer:
    process: subprocess.Popen
    socket_path: Path


def start(repository: Path, *, mode: str = "fs", quiet: bool = False) -> DecapServer:
    """Start decap-server for `repository` on a private unix socket; returns once it accepts connections."""
    node = shutil.which("node")
    if node is None or not SERVER.is_file():
        raise ConfigurationError("decap-server fehlt: Node.js installieren und „make build“ ausführen "
                                 "(installiert cms/node_modules).")
    if mode not in ("fs", "git"):
        raise ConfigurationError(f"Unbekannter Modus „{mode}“ für decap-server (fs oder git).")
    folder = Path(tempfile.mkdtemp(prefix="newsroom-decap-"))  # mode 0700: no other user gets in
    socket_path = folder / "decap.sock"
    # Node needs none of the newsroom's secrets (NEWSROOM_* carries the channels' credentials).
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEWSROOM_")}
    env.update({"NEWSROOM_DECAP_SOCKET": str(socket_path), "MODE": mode,
                "GIT_REPO_DIRECTORY": str(repository.resolve()), "LOG_LEVEL": "warn"})
    process = subprocess.Popen([node, "--require", str(SOCKET_SHIM), str(SERVER)], cwd=repository, env=env,
                               stdout=subprocess.DEVNULL if quiet else None,
                               stderr=subprocess.DEVNULL if quiet else None)
    server = DecapServer(process, socket_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stop(server)
            raise ConfigurationError(f"decap-server hat sich beendet (Code {process.returncode}).")
        try:
            with socket.socket(socket.AF_UNIX) as probe:
                probe.settimeout(0.5)
                probe.connect(str(socket_path))
                return server
        except OSError:
            time.sleep(0.1)
    stop(server)
    raise ConfigurationError("decap-server antwortet nicht.")


def stop(server: DecapServer) -> None:
    process = server.process
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    shutil.rmtree(server.socket_path.parent, ignore_errors=True)
