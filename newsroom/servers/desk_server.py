"""`invoke desk`: the desk on localhost, where a Chef vom Dienst approves from the browser.

The server shows the preview folder. Each story on the desk that waits for approval has a
form that posts to /freigeben. A POST is taken only when:

1. its `Host` is localhost, 127.0.0.1 or [::1] with this port, and its `Origin` is this server;
2. it carries this run's key. The key is random, held in memory, and printed with the desk's
   address. It is filled into the pages only as they are served; the built files hold a
   placeholder;
3. the version it names is the story file the desk showed. An approval of a file that changed
   since is refused.

The approval is `newsroom.desk.actions.approve`, made with the checkout's git identity and
marked "lokal". Then the desk is built again. Anything else gets 403 with a German reason.

A manual task (a WhatsApp post, an Instagram caption to correct) is confirmed as done the same
way: a form posts story and channel to /erledigt (rules 1 and 2), `newsroom.desk.actions.confirm_manual`
commits it once, and the desk is built again.
"""

from __future__ import annotations

import functools
import hmac
import http.server
import secrets
import threading
import urllib.parse
from html import escape
from pathlib import Path

from newsroom.errors import NewsroomError
from newsroom.servers.body import Body

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
PLACEHOLDER = "__DESK_KEY__"  # in the built pages' forms; the served pages carry the key
MAX_FORM = 4096


class DeskServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, folder: Path, approve, port: int = 0, confirm=None):
        """`approve(story_id, version)` approves and rebuilds, `confirm(story_key, channel)` enters a manual
        task as done and rebuilds; each returns a German line or raises NewsroomError."""
        self.folder, self.approve, self.key = Path(folder).resolve(), approve, secrets.token_urlsafe(24)
        self.confirm = confirm
        self.lock = threading.Lock()  # one approval or confirmation and rebuild at a time
        super().__init__(("127.0.0.1", port), functools.partial(_Handler, directory=str(folder)))

    @property
    def url(self) -> str:
        return f"http://localhost:{self.server_address[1]}/"


class _Handler(http.server.SimpleHTTPRequestHandler):
    server: DeskServer

    def log_message(self, format, *args):  # noqa: A002 - the terminal is for the desk's messages
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file() and self.server.folder in path.resolve().parents:
            body = path.read_text(encoding="utf-8").replace(PLACEHOLDER, self.server.key).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return Body(body)
        return super().send_head()

    def do_POST(self):  # noqa: N802 - http.server's name
        confirming = self.path == "/erledigt"
        try:
            form = self._form()
            if confirming:
                story, channel = self._task(form)
                with self.server.lock:
                    message = self.server.confirm(story, channel)
            else:
                story, version = self._approval(form)
                with self.server.lock:
                    message = self.server.approve(story, version)
        except NewsroomError as exc:
            self._answer(403, "Nicht eingetragen" if confirming else "Nicht freigegeben", str(exc))
            return
        self._answer(200, "Eingetragen" if confirming else "Freigegeben", message)

    def _approval(self, form: dict) -> tuple[str, str]:
        story, version = (form.get(name, [""])[0] for name in ("story", "version"))
        if not story or len(version) != 64:
            raise NewsroomError("Welche Meldung in welcher Fassung, fehlt.")
        return story, version

    def _task(self, form: dict) -> tuple[str, str]:
        story, channel = (form.get(name, [""])[0] for name in ("story", "channel"))
        if self.server.confirm is None or not story or not channel:
            raise NewsroomError("Welche Aufgabe in welchem Kanal, fehlt.")
        return story, channel

    def _form(self) -> dict:
        """The form of a POST from this desk's own pages with this run's key (rules 1 and 2)."""
        port = self.server.server_address[1]
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or hosts[0] not in {f"{name}:{port}" for name in LOOPBACK_NAMES}:
            raise NewsroomError("Der Desk antwortet nur unter localhost.")
        origins = self.headers.get_all("Origin") or []
        if len(origins) != 1 or origins[0] != f"http://{hosts[0]}":
            raise NewsroomError("Freigaben nimmt der Desk nur von seinen eigenen Seiten an.")
        if self.path not in ("/freigeben", "/erledigt"):
            raise NewsroomError("Unbekannte Adresse.")
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_FORM or self.headers.get_content_type() != "application/x-www-form-urlencoded":
            raise NewsroomError("Unerwartete Anfrage.")
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"), strict_parsing=False)
        key = form.get("schluessel", [""])[0]
        if not hmac.compare_digest(key.encode(), self.server.key.encode()):
            raise NewsroomError("Der Schlüssel dieser Sitzung fehlt oder stimmt nicht. Bitte den Desk über die "
                                "Adresse öffnen, die „invoke desk“ ausgibt.")
        return form

    def _answer(self, code: int, title: str, message: str) -> None:
        body = (f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>{escape(title)} – Desk</title>'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                '<link rel="stylesheet" href="/desk/desk.css"></head><body><main>'
                f'<h1>{escape(title)}</h1><p role="status">{escape(message)}</p>'
                '<p><a href="/desk/index.html">Zurück zum Desk</a></p></main></body></html>').encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'self'; base-uri 'none'; "
                                                    "form-action 'none'; frame-ancestors 'none'")
        self.end_headers()
        self.wfile.write(body)


def serve(server: DeskServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread
