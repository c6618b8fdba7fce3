"""Fixtures for tests in a real browser: Debian's headless Chromium driven by Playwright.

Reuse them from any test below tests/browser/ (or import this module's helpers):

- `demo_output` (session): the repository's demo content (content/) built once into a
  temporary folder at the fixed time tests.support.NOW, with its search index; a Path.
- `serve_folder` (session): `serve_folder(path) -> "http://127.0.0.1:PORT/"` serves any
  folder from a threaded HTTP server on loopback until the session ends.
- `demo_url` (session): the demo output served that way; the base URL ends with "/".
- `browser` (session): a Playwright Browser: /usr/bin/chromium (never `playwright install`),
  headless, with the flags a closed network needs, a fresh profile.
- `context` / `page`: a fresh browser context (de-DE, 1280×900) and a page in it for each
  test. Every request the context makes is recorded in `network` (below); requests to any
  host other than loopback are recorded and then aborted, so nothing leaves the machine.
- `network`: the `NetworkLog` of the test's context: `.requests` (method, URL, resource
  type, frame URL), `.hosts()`, `.foreign(base_url)` (requests to other hosts), `.clear()`.
- `axe`: `axe(page) -> list of violations` runs axe-core in the page with the WCAG 2.1
  A and AA rules; `format_violations(violations)` makes them readable in an assertion.
- `vnu`: `vnu(folder_or_files) -> list of error messages` runs the Nu HTML Checker on Java.
- `artifacts`: a folder for this test's screenshots below test-output/browser/ (gitignored);
  the summary at the end of the run prints where they are.

Missing tools skip the tests with a sentence saying why and how to install them; under
CI (environment variable CI set) they fail instead, because CI must run them.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import tooling
from tests.support import NOW, REPO

ARTIFACTS = REPO / "test-output" / "browser"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-domain-reliability", "--metrics-recording-only",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _require(problem: str | None) -> None:
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests, but: {problem}", pytrace=False)
    pytest.skip(problem)


# -- the site ------------------------------------------------------------------------------

def build_site(content: Path, target: Path, **overrides) -> Path:
    """Build a content folder with the project's settings into target/output; returns it."""
    from newsroom.build.runner import build

    output = target / "output"
    build(REPO / "pelicanconf.py", {
        "PATH": str(content), "OUTPUT_PATH": str(output), "CACHE_PATH": str(target / ".cache"),
        "PUBLISH_PREVIEW_PATH": str(target / "preview"), "BUILD_NOW": NOW, **overrides,
    })
    return output


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory) -> Path:
    output = build_site(REPO / "content", tmp_path_factory.mktemp("demo"))
    try:
        from newsroom.search.index import index_site
    except ImportError:  # the search index arrives with the search page
        return output
    index_site(output)
    return output


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".xml": "application/xml", ".json": "application/json"}

    def log_message(self, *args) -> None:  # the browser's own log is the record
        pass


@pytest.fixture(scope="session")
def serve_folder():
    servers = []

    def serve(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def demo_url(demo_output, serve_folder) -> str:
    return serve_folder(demo_output)


# -- the browser ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    _require(tooling.problem_with_chromium())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright starts every launch with a new temporary profile (user-data-dir).
        chromium = playwright.chromium.launch(executable_path=str(tooling.CHROMIUM), headless=True,
                                              args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@dataclass
class Request:
    method: str
    url: str
    resource_type: str
    frame_url: str

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc


@dataclass
class NetworkLog:
    """Every request a browser context made (including aborted ones) and every websocket."""

    requests: list[Request] = field(default_factory=list)

    def record(self, request) -> None:
        try:
            frame_url = request.frame.url
        except Exception:  # service workers and some navigations have no frame
            frame_url = ""
        self.requests.append(Request(request.method, request.url, request.resource_type, frame_url))

    def hosts(self) -> set[str]:
        return {r.host for r in self.requests if r.host}

    def foreign(self, base_url: str) -> list[Request]:
        """Requests to any host other than base_url's (data: and blob: URLs are local)."""
        own = urlsplit(base_url).netloc
        return [r for r in self.requests if r.url.split(":", 1)[0] in ("http", "https", "ws", "wss")
                and r.host != own]

    def clear(self) -> None:
        self.requests.clear()


def _is_loopback(url: str) -> bool:
    return urlsplit(url).hostname in LOOPBACK or not url.startswith(("http:", "https:", "ws:", "wss:"))


@pytest.fixture
def network() -> NetworkLog:
    return NetworkLog()


@pytest.fixture
def context(browser, network):
    ctx = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin",
                              viewport={"width": 1280, "height": 900}, service_workers="block")
    ctx.on("request", network.record)
    ctx.on("websocket", lambda ws: network.requests.append(Request("GET", ws.url, "websocket", "")))
    # Recorded first (the request event), then aborted: the closed network would only hang.
    ctx.route(lambda url: not _is_loopback(url), lambda route: route.abort("blockedbyclient"))
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


# -- the checkers --------------------------------------------------------------------------

@functools.cache
def _axe_source() -> str:
    return tooling.AXE.read_text(encoding="utf-8")


def run_axe(page, tags=WCAG_TAGS) -> list[dict]:
    """axe-core's violations of the given rule tags for the page as it is now."""
    # Evaluated through the DevTools protocol: a <script> tag would be refused by the page's policy.
    page.evaluate(_axe_source())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                           " resultTypes: ['violations']})", tags)
    return result["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} – {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe():
    _require(tooling.problem_with_npm_tools())
    return run_axe


def run_vnu(*targets: Path) -> list[str]:
    """Every error the Nu HTML Checker finds in the given files or folders ("file:line: text")."""
    result = subprocess.run(["java", "-jar", str(tooling.VNU), "--errors-only", "--skip-non-html",
                             *map(str, targets)], capture_output=True, text=True)
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    if result.returncode and not errors:
        raise RuntimeError(f"vnu failed ({result.returncode}): {result.stdout[-2000:]}")
    return errors


@pytest.fixture(scope="session")
def vnu():
    _require(tooling.problem_with_npm_tools())
    _require(tooling.problem_with_java())
    return run_vnu


# -- screenshots ---------------------------------------------------------------------------

_saved: list[Path] = []


@pytest.fixture
def artifacts(request) -> Path:
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    _saved.append(folder)
    return folder


def pytest_terminal_summary(terminalreporter) -> None:
    if any(folder.exists() and any(folder.iterdir()) for folder in _saved):
        terminalreporter.write_line(f"Browser screenshots: {ARTIFACTS}")
