"""The subscription service's test infrastructure: a SQLite file and a fresh database in a throw-away
PostgreSQL cluster behind the same `database_url`, and ASGI apps in a real uvicorn on loopback."""

from __future__ import annotations

import contextlib
import os
import pwd

import psycopg
import pytest
import requests
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests import databases
from tests.databases import serve_asgi

SEEN: dict[str, str] = {}  # backend → the database the first of two tests had


@contextlib.contextmanager
def engine(url: str):
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def test_a_table_round_trips(database_url):
    metadata = sa.MetaData()
    readers = sa.Table("readers", metadata, sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("email", sa.String(200), nullable=False, unique=True))
    with engine(database_url) as db:
        metadata.create_all(db)
        with db.begin() as connection:
            connection.execute(readers.insert(), [{"email": "leserin@example.org"}, {"email": "ä@example.org"}])
        with db.connect() as connection:
            rows = connection.execute(sa.select(readers.c.email).order_by(readers.c.id)).scalars().all()
    assert rows == ["leserin@example.org", "ä@example.org"]
    assert database_url.startswith("postgresql+psycopg://" if "postgresql" in database_url else "sqlite:///")


@pytest.mark.parametrize("turn", ["first", "second"])
def test_each_test_gets_its_own_empty_database(database_url, turn, request):
    backend = request.node.callspec.params["database_url"]
    with engine(database_url) as db:
        assert sa.inspect(db).get_table_names() == []
        with db.begin() as connection:
            connection.execute(sa.text("CREATE TABLE leftover (id INTEGER)"))
    if turn == "first":
        SEEN[backend] = database_url
        return
    if backend not in SEEN:
        pytest.skip("the first turn did not run")
    assert SEEN[backend] != database_url
    if backend == "postgresql":  # the first turn's database is dropped
        cluster = request.getfixturevalue("postgresql_cluster")
        with psycopg.connect(cluster.conninfo()) as connection:
            names = [row[0] for row in connection.execute("SELECT datname FROM pg_database")]
        assert SEEN[backend].rpartition("/")[2] not in names
        assert database_url.rpartition("/")[2] in names


def test_the_cluster_listens_on_loopback_only_and_never_as_root(postgresql_cluster):
    with psycopg.connect(postgresql_cluster.conninfo()) as connection:
        data, listen, sockets, pid = connection.execute(
            "SELECT current_setting('data_directory'), current_setting('listen_addresses'),"
            " current_setting('unix_socket_directories'), pg_backend_pid()").fetchone()
    assert (listen, sockets) == ("127.0.0.1", "")
    owners = {os.stat(data).st_uid, os.stat(f"/proc/{pid}").st_uid}
    if os.geteuid() == 0:
        assert owners == {pwd.getpwnam(postgresql_cluster.run_as).pw_uid} and 0 not in owners
    else:
        assert owners == {os.geteuid()}


def test_without_postgresql_a_developer_skips_and_ci_fails(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(pytest.skip.Exception, match="make test"):
        databases.without_postgresql()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run on PostgreSQL"):
        databases.without_postgresql()
    monkeypatch.delenv("CI")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    with pytest.raises(pytest.fail.Exception):
        databases.without_postgresql()


def test_serve_asgi_runs_the_app_with_its_lifespan_in_a_real_uvicorn():
    events = []

    @contextlib.asynccontextmanager
    async def lifespan(app):
        events.append("startup")
        yield
        events.append("shutdown")

    async def hello(request):
        return JSONResponse({"path": request.url.path, "client": request.client.host})

    app = Starlette(routes=[Route("/hallo", hello)], lifespan=lifespan)
    with serve_asgi(app) as base:
        assert base.startswith("http://127.0.0.1:") and events == ["startup"]
        response = requests.get(f"{base}/hallo", timeout=5)
        assert response.status_code == 200
        assert response.json() == {"path": "/hallo", "client": "127.0.0.1"}
        assert "uvicorn" in response.headers["server"]
    assert events == ["startup", "shutdown"]
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/hallo", timeout=5)


def test_serve_asgi_reports_a_failed_startup():
    @contextlib.asynccontextmanager
    async def lifespan(app):
        raise RuntimeError("keine Datenbank")
        yield

    with pytest.raises(RuntimeError, match="did not start"):
        with serve_asgi(Starlette(lifespan=lifespan)):
            pass
