"""A threaded HTTP server on loopback with scripted faults, shared by the fake platforms."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeServer

    def log_message(self, *args):  # quiet
        pass

    def body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def form(self) -> dict:
        data = self.body()
        kind = self.headers.get("Content-Type", "")
        if kind.startswith("application/json"):
            return json.loads(data or b"{}")
        if kind.startswith("multipart/form-data"):
            return {"multipart": True}
        return {k: v if len(v) > 1 else v[0] for k, v in parse_qs(data.decode()).items()}

    def query(self) -> dict:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def send_json(self, status: int, payload, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def drop(self) -> None:
        """Close the connection without an answer: the client cannot tell what happened."""
        self.close_connection = True
        self.connection.shutdown(2)


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler):
        super().__init__(("127.0.0.1", 0), handler)
        self.lock = threading.Lock()
        self.faults: list[str] = []  # consumed one per write request: "429", "500", "400", "drop", "slow"
        self.requests: list[tuple[float, str, str]] = []  # (time, method, path)
        self.on_write = None  # called with the count of created posts after each creation
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def next_fault(self) -> str | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None

    def note(self, method: str, path: str) -> None:
        with self.lock:
            self.requests.append((time.monotonic(), method, path))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
