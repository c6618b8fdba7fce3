"""The guard in front of decap-server (`invoke cms`): the only way the browser admin reaches it.

decap-server writes and reads any file of the checkout it is asked for, and answers any page
that reaches it. The guard listens on the advertised loopback port and passes a request on
only when
1. its `Host` is localhost, 127.0.0.1 or [::1] with this port (a page under another name that
   resolves to 127.0.0.1, DNS rebinding, is refused) and its `Origin`, when sent, is the preview;
2. its address carries this run's key: http://localhost:8081/<key>/api/v1. `invoke cms` prints
   the admin's address with the key (…/admin/?schluessel=<key>); the admin's script puts it into
   the backend's address. The key is in no file, so no other process or page can read it;
3. its action is one the admin uses, on its own branch, and every path it names lies inside
   the folders the admin edits (stories, pages, media folders): no `..`, no hidden names such as
   .git or .githooks, no link leading out. Reads are confined as writes are.
Everything else gets 403 with a German reason and never reaches decap-server.
"""

from __future__ import annotations

import hmac
import http.client
import http.server
import json
import logging
import re
import secrets
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from newsroom.errors import AccessRefused, ConfigurationError
from newsroom.servers import decap_server

logger = logging.getLogger("newsroom.admin")

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
KEY_PARAMETER = "schluessel"  # the admin address's query parameter newsroom-admin.js reads
MAX_BODY = 60 * 1024 * 1024  # decap-server itself takes 50 MB of JSON (uploads in base64)
WORKFLOW_STATUSES = ("draft", "pending_review", "pending_publish")
COLLECTION = re.compile(r"[A-Za-z0-9_]+\Z")
# Slugs become branch names (cms/<collection>/<slug>) in the editorial workflow.
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*\Z")
LABEL_PREFIX = re.compile(r"[A-Za-z0-9_/-]*\Z")


def _shown(value) -> str:
    """A value from a request, short and without control characters, for a message."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= 80 else text[:79] + "…"


def _refuse(message: str):
    raise AccessRefused(f"Zugriff verweigert: {message}")


@dataclass(frozen=True)
class AdminScope:
    """What the admin may touch: the folders it edits (relative to the checkout) and its branch."""

    repository: Path
    folders: tuple[str, ...]
    branch: str
    files: tuple[str, ...] = ()  # single files it edits besides the folders (the crisis message)

    @classmethod
    def from_settings(cls, settings: dict, repository: Path) -> AdminScope:
        content, media = settings["ADMIN_CONTENT_FOLDER"].strip("/"), settings["MEDIA_DIR"].strip("/")
        media_folders = dict.fromkeys([settings["ADMIN_UPLOAD_FOLDER"], *settings["ADMIN_MEDIA_FOLDERS"]])
        folders = [f"{content}/{settings['STORIES_DIR']}", f"{content}/{settings['PAGES_DIR']}",
                   *(f"{content}/{media}/{folder}" for folder in media_folders)]
        return cls(repository, tuple(f.strip("/") for f in folders), settings["ADMIN_BACKEND"].get("branch", "main"),
                   (settings["CRISIS_FILE"].strip("/"),))

    def _relative(self, value) -> str:
        if not isinstance(value, str) or not value:
            _refuse(f"„{_shown(value)}“ ist kein Pfad.")
        parts = value.split("/")
        if any(p in ("", ".", "..") or p.startswith(".") or "\\" in p or "\0" in p for p in parts):
            _refuse(f"„{_shown(value)}“ ist kein erlaubter Pfad ({self._where()}).")
        return "/".join(parts)

    def _where(self) -> str:
        return "erlaubt sind nur " + ", ".join(f"{f}/" for f in self.folders)

    def _inside(self, relative: str, folder: str) -> None:
        """No link may lead out of the folder, nor the folder out of the checkout."""
        repository = self.repository.resolve()
        real_folder = (self.repository / folder).resolve()
        if not real_folder.is_relative_to(repository) or not (self.repository / relative).resolve().is_relative_to(
                real_folder):
            _refuse(f"„{_shown(relative)}“ führt über einen Link aus {folder}/ hinaus.")

    def folder(self, value) -> None:
        """A folder to list: one of the admin's folders or one below them."""
        relative = self._relative(value)
        folder = next((f for f in self.folders if relative == f or relative.startswith(f + "/")), None)
        if folder is None:
            _refuse(f"Ordner „{_shown(value)}“ gehört nicht zur Redaktionsoberfläche ({self._where()}).")
        self._inside(relative, folder)

    def file(self, value) -> None:
        """A file to read, write or delete: below one of the admin's folders."""
        relative = self._relative(value)
        folder = next((f for f in self.folders if relative.startswith(f + "/")), None)
        if folder is None and relative in self.files:
            folder = relative.rpartition("/")[0]
        if folder is None:
            _refuse(f"„{_shown(value)}“ liegt außerhalb der Ordner der Redaktionsoberfläche ({self._where()}).")
        self._inside(relative, folder)


# -- the actions the admin uses, each with what it must name -------------------------------------

def _entry(params: dict, *, required: bool = True) -> None:
    """The editorial workflow's entry: its collection and slug name the branch cms/<collection>/<slug>."""
    for key, pattern in (("collection", COLLECTION), ("slug", SLUG)):
        value = params.get(key)
        if (value is not None or required) and not (isinstance(value, str) and pattern.match(value)
                                                    and ".." not in value and not value.endswith(".lock")):
            _refuse(f"{key} „{_shown(value)}“ ist nicht erlaubt.")


def _label_prefix(params: dict) -> None:
    value = params.get("cmsLabelPrefix")
    if value is not None and not (isinstance(value, str) and LABEL_PREFIX.match(value)):
        _refuse(f"cmsLabelPrefix „{_shown(value)}“ ist nicht erlaubt.")


def _status(value) -> None:
    if value not in WORKFLOW_STATUSES:
        _refuse(f"Status „{_shown(value)}“ ist nicht erlaubt.")


def _list(value, what: str) -> list:
    if not isinstance(value, list):
        _refuse(f"{what} fehlt.")
    return value


def _object(value, what: str) -> dict:
    if not isinstance(value, dict):
        _refuse(f"{what} fehlt.")
    return value


def _unpublished_entry(params: dict, scope: AdminScope) -> None:
    if "id" in params:
        key = params["id"]
        collection, _, slug = key.partition("/") if isinstance(key, str) else ("", "", "")
        _entry({"collection": collection, "slug": slug})
    _entry(params, required="id" not in params)


def _persist_entry(params: dict, scope: AdminScope) -> None:
    _label_prefix(params)
    files = ([params["entry"]] if "entry" in params else []) + _list(params.get("dataFiles", []), "dataFiles")
    if not files:
        _refuse("Der Eintrag fehlt.")
    for data_file in files:
        data_file = _object(data_file, "Eintrag")
        scope.file(data_file.get("path"))
        if "newPath" in data_file:
            scope.file(data_file["newPath"])
        _entry({"slug": data_file.get("slug")}, required=False)
    for asset in _list(params.get("assets"), "assets"):
        scope.file(_object(asset, "Mediendatei").get("path"))
    options = _object(params.get("options"), "options")
    if options.get("useWorkflow"):
        _entry({"collection": options.get("collectionName"), "slug": files[0].get("slug")})
        _status(options.get("status"))


def _entries_by_files(params: dict, scope: AdminScope) -> None:
    for item in _list(params.get("files"), "files"):
        scope.file(_object(item, "Datei").get("path"))


def _delete_files(params: dict, scope: AdminScope) -> None:
    for path in _list(params.get("paths"), "paths"):
        scope.file(path)


def _status_update(params: dict, scope: AdminScope) -> None:
    _entry(params)
    _label_prefix(params)
    _status(params.get("newStatus"))


def _entry_file(params: dict, scope: AdminScope) -> None:
    _entry(params)
    scope.file(params.get("path"))


RULES = {
    "info": None,
    "entriesByFolder": lambda p, scope: scope.folder(p.get("folder")),
    "entriesByFiles": _entries_by_files,
    "getEntry": lambda p, scope: scope.file(p.get("path")),
    "unpublishedEntries": lambda p, scope: None,
    "unpublishedEntry": _unpublished_entry,
    "unpublishedEntryDataFile": _entry_file,
    "unpublishedEntryMediaFile": _entry_file,
    "deleteUnpublishedEntry": lambda p, scope: _entry(p),
    "persistEntry": _persist_entry,
    "updateUnpublishedEntryStatus": _status_update,
    "publishUnpublishedEntry": lambda p, scope: _entry(p),
    "getMedia": lambda p, scope: scope.folder(p.get("mediaFolder")),
    "getMediaFile": lambda p, scope: scope.file(p.get("path")),
    "persistMedia": lambda p, scope: scope.file(_object(p.get("asset"), "asset").get("path")),
    "deleteFile": lambda p, scope: scope.file(p.get("path")),
    "deleteFiles": _delete_files,
    "getDeployPreview": lambda p, scope: _entry(p),
}


def check_request(body, scope: AdminScope) -> None:
    """Raise AccessRefused unless `body` is an action the admin uses, confined to `scope`."""
    if not isinstance(body, dict):
        _refuse("Die Anfrage ist kein JSON-Objekt.")
    action = body.get("action")
    if not isinstance(action, str) or action not in RULES:
        _refuse(f"Die Aktion „{_shown(action)}“ ist nicht erlaubt.")
    if RULES[action] is None:
        return
    params = _object(body.get("params"), "params")
    if params.get("branch") != scope.branch:
        _refuse(f"Zweig „{_shown(params.get('branch'))}“ ist nicht erlaubt (nur „{scope.branch}“).")
    RULES[action](params, scope)


# -- the server ----------------------------------------------------------------------------------

class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, socket_path: Path, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = socket_path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(str(self.socket_path))


class DecapGuard(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, *, key: str, scope: AdminScope, preview_port: int, upstream: Path):
        self.hosts = {f"{name}:{port}" for name in LOOPBACK_NAMES}
        self.origins = {f"http://{name}:{preview_port}" for name in LOOPBACK_NAMES}
        self.path_with_key = f"/{key}/api/v1".encode()
        self.scope = scope
        self.upstream = upstream
        super().__init__(("127.0.0.1", port), _GuardHandler)


class _GuardHandler(http.server.BaseHTTPRequestHandler):
    server: DecapGuard
    timeout = 60  # a stalled client never holds a thread for long
    admitted_origin = ""

    def log_message(self, format, *args):  # noqa: A002 - refusals are logged on their own
        pass

    def _admitted(self, *, preflight: bool = False) -> str | None:
        """The request's Origin ("" when none) once Host, Origin and key pass; raises AccessRefused."""
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or hosts[0] not in self.server.hosts:
            _refuse(f"Die Redaktionsoberfläche antwortet nur unter localhost (Host „{_shown(', '.join(hosts))}“).")
        origins = self.headers.get_all("Origin") or []
        if len(origins) > 1 or (origins and origins[0] not in self.server.origins) or (preflight and not origins):
            _refuse(f"Anfragen kommen nur von der Vorschau, nicht von „{_shown(', '.join(origins))}“.")
        self.admitted_origin = origins[0] if origins else ""  # the preview may read why it was refused
        if not hmac.compare_digest(self.path.encode(), self.server.path_with_key):
            _refuse("Schlüssel fehlt oder ist falsch. Die Redaktionsoberfläche mit der Adresse öffnen, "
                    "die „invoke cms“ beim Start zeigt.")
        return origins[0] if origins else ""

    def _send(self, status: int, body: bytes, origin: str, content_type: str = "application/json; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if origin:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        self.end_headers()
        self.wfile.write(body)

    def _refused(self, exc: AccessRefused) -> None:
        logger.warning("%s", exc)
        self.close_connection = True
        self._send(403, json.dumps({"error": str(exc)}, ensure_ascii=False).encode(), self.admitted_origin)

    def do_OPTIONS(self) -> None:  # the browser's CORS preflight before each POST
        try:
            origin = self._admitted(preflight=True)
        except AccessRefused as exc:
            return self._refused(exc)
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", origin)
        self.send_header("Access-Control-Allow-Methods", "POST")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Vary", "Origin")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        try:
            origin = self._admitted()
            body = self._body()
            check_request(body, self.server.scope)
        except AccessRefused as exc:
            return self._refused(exc)
        # What decap-server gets is exactly what was checked: our own serialisation of it.
        connection = _UnixConnection(self.server.upstream, timeout=300)
        try:
            connection.request("POST", "/api/v1", body=json.dumps(body).encode(),
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            payload, status = response.read(), response.status
            content_type = response.getheader("Content-Type", "application/json; charset=utf-8")
        except OSError:
            message = json.dumps({"error": "decap-server antwortet nicht."}, ensure_ascii=False).encode()
            return self._send(502, message, origin)
        finally:
            connection.close()
        self._send(status, payload, origin, content_type)

    def _body(self):
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            _refuse("Die Anfrage nennt ihre Länge nicht.")
        if not 0 < length <= MAX_BODY:
            _refuse(f"Die Anfrage ist leer oder größer als {MAX_BODY // (1024 * 1024)} MB.")
        try:
            return json.loads(self.rfile.read(length))
        except ValueError:
            _refuse("Die Anfrage ist kein gültiges JSON.")

    def _other(self) -> None:
        self._refused(AccessRefused(f"Zugriff verweigert: {_shown(self.command)} ist nicht erlaubt, nur POST."))

    do_GET = do_HEAD = do_PUT = do_DELETE = do_PATCH = _other


# -- the local backend as `invoke cms` runs it ---------------------------------------------------

@dataclass
class LocalBackend:
    key: str  # this run's secret; the admin gets it through its address, ?schluessel=<key>
    guard: DecapGuard
    decap: decap_server.DecapServer

    def admin_url(self, preview: str, admin_path: str) -> str:
        return f"{preview.rstrip('/')}/{admin_path.strip('/')}/?{KEY_PARAMETER}={self.key}"


def start(settings: dict, repository: Path, port: int, *, preview_port: int, mode: str = "fs",
          quiet: bool = False) -> LocalBackend:
    """decap-server on its private socket and the guard on 127.0.0.1:`port`, for the admin served
    on `preview_port`; returns once both answer."""
    scope = AdminScope.from_settings(settings, repository)
    decap = decap_server.start(repository, mode=mode, quiet=quiet)
    key = secrets.token_urlsafe(32)
    try:
        guard = DecapGuard(port, key=key, scope=scope, preview_port=preview_port, upstream=decap.socket_path)
    except OSError as exc:
        decap_server.stop(decap)
        raise ConfigurationError(f"Port {port} für die Redaktionsoberfläche ist nicht frei ({exc.strerror}).") \
            from None
    threading.Thread(target=guard.serve_forever, name="decap-guard", daemon=True).start()
    return LocalBackend(key, guard, decap)


def stop(backend: LocalBackend) -> None:
    backend.guard.shutdown()
    backend.guard.server_close()
    decap_server.stop(backend.decap)
