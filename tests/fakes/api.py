"""A platform API on loopback for the adapter tests: routes, a request log, scripted faults.

Each fake platform (fake_*.py) registers its documented endpoints with `route` and keeps
its state (posts, containers, sessions) in memory. Faults are queued per endpoint and
consumed in order, one per matching request:

- `Answer(status, body, headers)`: answer like that without acting (429, 500, 400 …);
- `Stall(seconds)`: wait past the client's read timeout, then close without acting;
- `Drop()`: act (the post exists), then close the connection without an answer;
- `Late(seconds)`: act, then answer only after the client gave up waiting.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.time)
    params: dict[str, str] = field(default_factory=dict)  # named groups of the route

    def json(self):
        return json.loads(self.body or b"{}")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def multipart(self) -> dict[str, bytes]:
        """Fields of a multipart/form-data body (enough for uploads: name → raw value)."""
        boundary = self.header("content-type").split("boundary=", 1)[1].encode()
        fields = {}
        for part in self.body.split(b"--" + boundary)[1:-1]:
            head, _, value = part.partition(b"\r\n\r\n")
            name = re.search(rb'name="([^"]+)"', head).group(1).decode()
            fields[name] = value[:-2]  # the CRLF before the next boundary
        return fields


@dataclass
class Response:
    status: int = 200
    body: object = None  # JSON-able, bytes, or None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Answer:
    status: int
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Stall:
    seconds: float = 3.0


@dataclass
class Drop:
    pass


@dataclass
class Late:
    seconds: float = 3.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeApi

    def log_message(self, *args) -> None:
        pass

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if not size:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        request = Request(self.command, parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()},
                          {k.lower(): v for k, v in self.headers.items()}, self._body())
        api = self.server
        api.record(request)
        handler = api.find(request)
        early = api.too_early_for(request)
        if early is not None:  # the client did not wait as the last 429 told it
            self._send(early)
            return
        fault = api.next_fault(request)
        if isinstance(fault, Answer):
            if fault.status == 429:
                api.close_until(request, fault)
            self._send(Response(fault.status, fault.body, fault.headers))
            return
        if isinstance(fault, Stall):
            time.sleep(fault.seconds)
            self._drop()
            return
        response = handler(request) if handler else Response(404, api.not_found(request))
        if isinstance(fault, Drop) or response is None:  # a handler returns None to break off itself
            self._drop()
            return
        if isinstance(fault, Late):
            time.sleep(fault.seconds)
        try:
            self._send(response)
        except OSError:
            pass  # the client gave up long ago

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def _send(self, response: Response) -> None:
        body = response.body
        if body is None:
            data = b""
        elif isinstance(body, bytes):
            data = body
        else:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(response.status)
        if body is not None and not isinstance(body, bytes):
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        """Close without a word: the client cannot tell whether anything happened."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class FakeApi(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.RLock()
        self.log: list[Request] = []
        self._routes: list[tuple[str, re.Pattern, object]] = []
        self._faults: list[tuple[str, re.Pattern, object]] = []
        self._closed: dict[tuple[str, str], tuple[float, Answer]] = {}
        self.too_early: list[Request] = []  # requests that came before a 429's time was up
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def route(self, method: str, pattern: str, handler) -> None:
        self._routes.append((method, re.compile(pattern + "$"), handler))

    def find(self, request: Request):
        for method, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if method == request.method and match:
                request.params = match.groupdict()
                return handler
        return None

    def not_found(self, request: Request):
        return {"error": f"no route for {request.method} {request.path}"}

    def fail(self, method: str, pattern: str, *faults) -> None:
        """Queue faults for the next requests to one endpoint."""
        with self.lock:
            self._faults.extend((method, re.compile(pattern + "$"), fault) for fault in faults)

    def next_fault(self, request: Request):
        with self.lock:
            for index, (method, pattern, fault) in enumerate(self._faults):
                if method == request.method and pattern.match(request.path):
                    del self._faults[index]
                    return fault
        return None

    def close_until(self, request: Request, fault: Answer) -> None:
        """After a 429 that names a time, the endpoint refuses everything before it."""
        headers = {k.lower(): v for k, v in fault.headers.items()}
        until = None
        if "retry-after" in headers:
            until = time.time() + float(headers["retry-after"])
        else:
            for name in ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset"):
                if name in headers:
                    value = headers[name]
                    until = float(value) if value.replace(".", "").isdigit() else \
                        datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        if until is not None:
            with self.lock:
                self._closed[(request.method, request.path)] = (until, fault)

    def too_early_for(self, request: Request) -> Response | None:
        with self.lock:
            closed = self._closed.get((request.method, request.path))
            if closed is None:
                return None
            until, fault = closed
            if time.time() >= until:
                del self._closed[(request.method, request.path)]
                return None
            self.too_early.append(request)
            return Response(429, fault.body, fault.headers)

    def record(self, request: Request) -> None:
        with self.lock:
            self.log.append(request)

    def calls(self, method: str, pattern: str) -> list[Request]:
        regex = re.compile(pattern + "$")
        with self.lock:
            return [r for r in self.log if r.method == method and regex.match(r.path)]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
