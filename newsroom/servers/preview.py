"""`invoke serve`: the built site on localhost, rebuilt when sources change."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

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
        handler = functools.partial(_QuietHandler, directory=str(output))
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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - keep the terminal for build messages
        pass


def _try(rebuild) -> None:
    """A failed rebuild prints its errors; the last good site keeps being served."""
    try:
        rebuild()
    except SystemExit:
        pass
    except Exception as exc:  # invoke's Exit and the like: shown, not fatal for the server
        print(exc)
