"""`invoke serve`: the built site on localhost, rebuilt when sources change."""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from pathlib import Path

from newsroom.servers.body import Body

WATCHED = ("content", "theme", "plugins", "newsroom", "pelicanconf.py")


def serve(settings_file: str, port: int, rebuild, *, folder: str = "OUTPUT_PATH", page: str = "",
          name: str = "Vorschau", make_server=None) -> None:
    """Serve the folder the setting `folder` names (the site, or the preview with the desk);
    `make_server(folder, port)` makes a server of its own (the desk's, which takes approvals)."""
    from watchfiles import watch  # comes with Pelican; imported here to keep builds lean

    from newsroom.build.runner import load_settings

    _try(rebuild)
    output = Path(load_settings(settings_file)[folder])
    if make_server is not None:
        server = make_server(output, port)
    else:
        handler = functools.partial(SiteHandler, directory=str(output))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"{name}: http://localhost:{port}/{page} (Strg+C beendet)")
    try:
        for _changes in watch(*[p for p in WATCHED if Path(p).exists()]):
            print("Änderung erkannt, baue neu …")
            _try(rebuild)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


# The server-side include the pages carry (theme/templates/warnings/_include.html), as nginx and Apache read it.
INCLUDE = re.compile(rb'<!--#\s*include\s+virtual="(/[^"]*)"\s*-->')


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """The built site as the web server serves it: .html pages with their includes processed
    (the official warnings' fragment), so editors see what visitors see."""

    def log_message(self, format, *args):  # noqa: A002 - keep the terminal for build messages
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?", 1)[0].endswith("/"):
            path = os.path.join(path, "index.html")
        if not path.endswith(".html") or not os.path.isfile(path):
            return super().send_head()
        with open(path, "rb") as handle:
            body = INCLUDE.sub(self._included, handle.read())
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return Body(body)

    def _included(self, match: re.Match) -> bytes:
        """The named file of the site (never outside it); nothing when it is missing."""
        target = os.path.realpath(self.translate_path(match.group(1).decode("utf-8", "replace")))
        root = os.path.realpath(self.directory)
        if not target.startswith(root + os.sep) or not os.path.isfile(target):
            return b""
        with open(target, "rb") as handle:
            return handle.read()


def _try(rebuild) -> None:
    """A failed rebuild prints its errors; the last good site keeps being served."""
    try:
        rebuild()
    except SystemExit:
        pass
    except Exception as exc:  # invoke's Exit and the like: shown, not fatal for the server
        print(exc)
