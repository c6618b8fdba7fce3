"""Test helpers for the subscription service: a throw-away PostgreSQL cluster, fresh databases in it,
and ASGI apps served by a real uvicorn on loopback."""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

SUPERUSER = "postgres"  # the cluster's superuser role, whatever system user runs the server


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def postgresql_bin() -> Path | None:
    """The folder with initdb and pg_ctl: Debian's highest /usr/lib/postgresql/<version>/bin, else the PATH's."""
    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.parent.name))

    debian = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")
              if (p.parent / "pg_ctl").is_file() and re.fullmatch(r"[\d.]+", p.parent.parent.name)]
    if debian:
        return max(debian, key=version)
    initdb = shutil.which("initdb")
    if initdb and (Path(initdb).parent / "pg_ctl").is_file():
        return Path(initdb).parent
    return None


def server_user() -> str | None:
    """The system user to run the server as: PostgreSQL refuses root, so as root Debian's `postgres`
    (else `nobody`); None when the current user can run it."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("PostgreSQL refuses to run as root, and neither the user `postgres` nor `nobody` exists")


def without_postgresql() -> NoReturn:
    """No PostgreSQL here: the tests skip on a developer's machine; under CI and as root, where
    `make test` installs it, they fail."""
    import pytest

    problem = ("PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on the PATH): "
               "`make test` installs it as root (apt-get install postgresql)")
    if os.environ.get("CI") or os.geteuid() == 0:
        pytest.fail(f"The database tests must run on PostgreSQL here, but: {problem}", pytrace=False)
    pytest.skip(problem)


@dataclass
class PostgresCluster:
    """A running throw-away cluster on 127.0.0.1:port, trust authentication, no Unix socket."""

    bindir: Path
    folder: Path
    port: int
    host: str = "127.0.0.1"
    user: str = SUPERUSER
    run_as: str | None = None
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL (psycopg 3 driver)."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def conninfo(self, database: str = "postgres") -> str:
        """The libpq form, for psycopg.connect."""
        return f"host={self.host} port={self.port} user={self.user} dbname={database}"

    def run(self, *command: str | Path) -> subprocess.CompletedProcess:
        """A server program (initdb, pg_ctl) as the user that owns the cluster."""
        args = [str(self.bindir / str(command[0])), *map(str, command[1:])]
        if self.run_as:
            args = ["runuser", "-u", self.run_as, "--", *args]
        return subprocess.run(args, cwd=self.folder, capture_output=True, text=True, stdin=subprocess.DEVNULL)

    def create_database(self) -> str:
        """A new empty database; its name."""
        import psycopg

        name = f"t_{next(self._numbers)}"
        with psycopg.connect(self.conninfo(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        """Drops the database, closing connections a test left open."""
        import psycopg

        with psycopg.connect(self.conninfo(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def start(self) -> None:
        # initdb needs an empty data folder with mode 0700 owned by the server's user; as root the
        # whole temporary folder belongs to that user (root can still read the log and remove it).
        if self.run_as:
            account = pwd.getpwnam(self.run_as)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self.folder.chmod(0o700)
        done = self.run("initdb", "--pgdata", self.data, "--username", self.user, "--auth", "trust",
                        "--encoding", "UTF8", "--locale", "C", "--no-sync")
        if done.returncode:
            raise RuntimeError(f"initdb failed:\n{done.stdout}{done.stderr}")
        # Only loopback, no Unix socket (nothing in /var/run/postgresql), durability off for speed.
        settings = {"listen_addresses": f"'{self.host}'", "unix_socket_directories": "''",
                    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
                    "max_connections": "100", "shared_buffers": "'32MB'", "logging_collector": "off"}
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("".join(f"{key} = {value}\n" for key, value in settings.items()))
        for attempt in range(3):  # another process may take the free port between probing and binding
            done = self.run("pg_ctl", "start", "--pgdata", self.data, "--log", self.log, "--wait",
                            "--timeout", "60", "--options", f"-p {self.port}")
            if done.returncode == 0:
                return
            log = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
            if "could not bind" not in log or attempt == 2:
                raise RuntimeError(f"PostgreSQL did not start:\n{done.stdout}{done.stderr}\n{log}")
            self.port = free_port(self.host)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "stop", "--pgdata", self.data, "--mode", "immediate", "--wait")


@contextlib.contextmanager
def running_cluster(bindir: Path) -> Iterator[PostgresCluster]:
    """A fresh cluster from bindir's initdb and pg_ctl, stopped and removed at exit.
    Its folder is outside pytest's temporary folders, which only root may enter."""
    run_as = server_user()
    parent = Path(tempfile.gettempdir()).resolve()
    if run_as and not all(folder.stat().st_mode & 0o001 for folder in (parent, *parent.parents)):
        parent = Path("/tmp")  # the server's user must be able to reach its folder
    cluster = PostgresCluster(bindir, Path(tempfile.mkdtemp(prefix="newsroom-postgresql-", dir=parent)), free_port(),
                              run_as=run_as)
    try:
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(cluster.folder, ignore_errors=True)


@contextlib.contextmanager
def serve_asgi(app, host: str = "127.0.0.1") -> Iterator[str]:
    """The ASGI app in a real uvicorn on a free port of host, in a background thread, with its
    lifespan (startup and shutdown) run; yields the base URL, e.g. http://127.0.0.1:41234."""
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)  # bound here, so no other process takes the port
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                            timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)

    def run() -> None:
        with contextlib.suppress(SystemExit):  # uvicorn's answer to a failed startup; reported below
            server.run(sockets=[sock])

    thread = threading.Thread(target=run, daemon=True, name=f"uvicorn-{port}")
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn did not start (see the log: the app's startup failed?)")
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn is not ready after 20 seconds")
            time.sleep(0.01)
        yield f"http://[{host}]:{port}" if family == socket.AF_INET6 else f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        if thread.is_alive():
            raise RuntimeError("uvicorn has not stopped after 15 seconds")
