"""Deploys killed with SIGKILL at chosen steps, and a reader browsing the target meanwhile.

    python -m tests.deploy_support deploy OUTPUT ADDRESS KILL_AT   one deploy (KILL_AT 0: to the end,
        printing how many steps it took); at step KILL_AT it kills its process group, rsync included
    python -m tests.deploy_support read FOLDER|s3://… STATE        serves FOLDER over HTTP (or reads
        the site from the bucket) and reads index.html, the pages and files it links and theirs, round after
        round, into STATE (JSON)

A step is each call that changes the target (link, copy, rename, symlink, mkdir, delete), runs
rsync, or uploads to, deletes in or checks a bucket, counted before it runs: the same kill points
every time, no clocks.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from newsroom.settings import with_defaults

REPO = Path(__file__).resolve().parents[1]
SETTINGS = with_defaults({"DEPLOY_CACHE_CONTROL": [("*", "public, max-age=60")], "DEPLOY_KEEP_RELEASES": 2})
LINK = re.compile(r'(?:href|src)="([^"#?]*)')
SITEURL = "http://localhost:8000"


def run_deploy(output: Path, address: str, kill_at: int, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tests.deploy_support", "deploy", str(output), address,
                           str(kill_at)], cwd=REPO, capture_output=True, text=True, timeout=300,
                          start_new_session=True, env={**os.environ, **(env or {})})


def _deploy(output: str, address: str, kill_at: int) -> None:
    from newsroom.deploy import deploy, open_target

    S3Target = None
    root = address.split(":", 1)[1] if address.startswith("rsync:") else address
    steps = 0

    def counted(module, name):
        real = getattr(module, name)

        def step(*args, **kwargs):
            nonlocal steps
            if module is subprocess or module is S3Target or root and any(
                    str(a).startswith(root) for a in args if isinstance(a, (str, Path))):
                steps += 1
                if steps == kill_at:
                    os.killpg(0, signal.SIGKILL)
            return real(*args, **kwargs)

        setattr(module, name, step)

    if address.startswith("s3://"):
        from newsroom.deploy.s3 import S3Target

        root = ""  # every upload, deletion and the final check count
        for name in ("upload", "delete", "commit"):
            if hasattr(S3Target, name):
                counted(S3Target, name)
    for name in ("link", "replace", "rename", "symlink", "mkdir", "unlink", "rmdir"):
        counted(os, name)
    for name in ("copy2", "rmtree"):
        counted(shutil, name)
    counted(subprocess, "run")
    target = open_target(address, SETTINGS, {k: v for k, v in os.environ.items() if k.startswith("NEWSROOM_")})
    deploy(Path(output), target, SETTINGS)
    print(steps)


class Reader:
    """The reader process, started in the background; `state()` is what it has seen so far."""

    def __init__(self, where: Path | str, state: Path, env: dict | None = None):
        self.state_file = state
        self.process = subprocess.Popen([sys.executable, "-m", "tests.deploy_support", "read", str(where),
                                         str(state)], cwd=REPO, stdout=subprocess.DEVNULL,
                                        env={**os.environ, **(env or {})})

    def state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {"rounds": 0}

    def another_round(self) -> dict:
        """Wait until the reader has read the target once more from start to end."""
        start = self.state()["rounds"]
        for _ in range(6000):  # a safety net against a dead reader, not a measure of time
            state = self.state()
            if state["rounds"] >= start + 2:  # the first may have begun before the caller's change
                return state
            assert self.process.poll() is None, "der Leser ist abgestürzt"
            time.sleep(0.05)
        raise AssertionError("der Leser kommt nicht voran")

    def stop(self) -> dict:
        self.process.terminate()
        self.process.wait()
        return self.state()


def _read(where: str, state_file: str) -> None:
    if where.startswith("s3://"):
        base = where  # object storage answers itself, to signed requests (as the CDN in front sends them)
    else:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=where))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
    state = {"rounds": 0, "live": False, "front": [], "violations": []}
    while True:
        front = _get(base, "/index.html")
        if front is None:
            if state["live"]:
                state["violations"].append("index.html fehlt, nachdem die Website schon online war")
        else:
            state["live"] = True
            links = _links(front)
            state["front"] = links
            for link in links:
                body = _get(base, link)
                if body is None:
                    state["violations"].append(f"{link} fehlt, verlinkt von index.html")
                elif link.endswith((".html", "/")):
                    for inner in _links(body):
                        if not inner.endswith((".html", "/")) and _get(base, inner) is None:
                            state["violations"].append(f"{inner} fehlt, verlinkt von {link}")
        state["rounds"] += 1
        tmp = Path(f"{state_file}.tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, state_file)
        time.sleep(0.01)  # leave the processor to the deploy


def _links(html: bytes) -> list[str]:
    found = set()
    for link in LINK.findall(html.decode("utf-8", "replace")):
        if link.startswith(SITEURL):
            link = link[len(SITEURL):] or "/"
        if link.startswith("/") and not link.startswith("//") and link != "/":
            found.add(link)
    return sorted(found)


def _get(base: str, link: str) -> bytes | None:
    path = link + "index.html" if link.endswith("/") else link
    if base.startswith("s3://"):
        bucket, _, prefix = base[len("s3://"):].partition("/")
        try:
            return _bucket().get_object(Bucket=bucket, Key=prefix + path)["Body"].read()
        except _bucket().exceptions.NoSuchKey:
            return None
    try:
        with urllib.request.urlopen(base + path) as answer:
            return answer.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


@functools.cache
def _bucket():
    import boto3

    return boto3.client("s3", endpoint_url=os.environ["NEWSROOM_DEPLOY_S3_ENDPOINT_URL"], region_name="us-east-1",
                        aws_access_key_id=os.environ["NEWSROOM_DEPLOY_S3_ACCESS_KEY_ID"],
                        aws_secret_access_key=os.environ["NEWSROOM_DEPLOY_S3_SECRET_ACCESS_KEY"])


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


if __name__ == "__main__":
    if sys.argv[1] == "deploy":
        _deploy(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        _read(sys.argv[2], sys.argv[3])
