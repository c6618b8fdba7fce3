"""`invoke serve`: the built site on localhost, rebuilt when sources change; the drafts' pages
(newsroom/content/drafts.py, drawn beside the site) at /entwurf/, their links printed after each build."""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from pathlib import Path

from newsroom.content import drafts
from newsroom.servers.body import Body

WATCHED = ("content", "theme", "plugins", "newsroom", "pelicanconf.py")


def serve(settings_file: str, port: int, rebuild, *, folder: str = "OUTPUT_PATH", page: str = "",
          name: str = "Vorschau", make_server=None) -> None:
    """Serve the folder the setting `folder` names (the site, or the preview with the desk);
    `make_server(folder, port)` makes a server of its own (the desk's, which takes approvals)."""
    from watchfiles import watch  # comes with Pelican; imported here to keep builds lean

    from newsroom.build.runner import load_settings

    _try(rebuild)
    settings = load_settings(settings_file)
    output = Path(settings[folder])
    base = f"http://localhost:{port}/"
    shown = None  # the drafts' folder, when this server shows the site
    if make_server is not None:
        server = make_server(output, port)
    else:
        shown = drafts.folder_of(settings)
        server = site_server(output, shown, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"{name}: {base}{page} (Strg+C beendet)")
    if shown:
        print_draft_links(shown, base)
    try:
        for _changes in watch(*[p for p in WATCHED if Path(p).exists()]):
            print("Änderung erkannt, baue neu …")
            _try(rebuild)
            if shown:
                print_draft_links(shown, base)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


def site_server(output: Path, drafts_folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    """The site from `output`, and the drafts' pages from `drafts_folder` at /entwurf/."""
    handler = functools.partial(SiteHandler, directory=str(output), drafts=str(drafts_folder))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def print_draft_links(folder: Path, base: str) -> None:
    """The links to every draft the last build drew (none: nothing printed)."""
    links = drafts.read_links(folder)
    if not links:
        return
    print(f"Entwürfe (nur auf diesem Rechner, nie ausgeliefert): {base}{drafts.FOLDER}/")
    for link in links:
        print(f"  {base}{link.path}  {link.title} ({link.state}, vorgesehen für {link.when})")


# The server-side include the pages carry (theme/templates/warnings/_include.html), as nginx and Apache read it.
INCLUDE = re.compile(rb'<!--#\s*include\s+virtual="(/[^"]*)"\s*-->')


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """The built site as the web server serves it: .html pages with their includes processed
    (the official warnings' fragment), so editors see what visitors see."""

    def __init__(self, *args, drafts: str | None = None, **kwargs):
        self.drafts = drafts
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):  # noqa: A002 - keep the terminal for build messages
        pass

    def translate_path(self, path: str) -> str:
        """/entwurf/… from the drafts' folder (never part of the site), everything else from the site."""
        prefix = "/" + drafts.FOLDER
        route = path.split("?", 1)[0].split("#", 1)[0]
        if self.drafts is None or not (route == prefix or route.startswith(prefix + "/")):
            return super().translate_path(path)
        site, self.directory = self.directory, self.drafts
        try:
            return super().translate_path(path[len(prefix):] or "/")
        finally:
            self.directory = site

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
