import pytest

from tests.databases import postgresql_bin, running_cluster, without_postgresql
from tests.fakes.mastodon import FakeMastodon
from tests.publishing_support import mastodon_env
from tests.support import Site


@pytest.fixture
def site(tmp_path):
    """A content folder in a real git repository (with a bare origin)."""
    return Site(tmp_path / "site")


@pytest.fixture
def plain_site(tmp_path):
    """A content folder outside any git repository."""
    return Site(tmp_path / "plain", with_git=False)


@pytest.fixture
def mastodon(monkeypatch):
    """A Mastodon-shaped server on loopback, its address and token in the environment."""
    with FakeMastodon() as server:
        mastodon_env(monkeypatch, server)
        yield server


@pytest.fixture(scope="session")
def postgresql_cluster():
    """A throw-away PostgreSQL cluster for the session (tests.databases.PostgresCluster): 127.0.0.1 on a
    free port, trust authentication, as root run by an unprivileged user; stopped and removed at the end.
    Without PostgreSQL it skips on a developer's machine, and fails under CI and as root."""
    bindir = postgresql_bin()
    if bindir is None:
        without_postgresql()
    with running_cluster(bindir) as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A SQLAlchemy URL of an empty database: a SQLite file in tmp_path, or a fresh database in the
    session's PostgreSQL cluster, dropped after the test (the cluster starts only when needed)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'abo.sqlite3'}"
        return
    cluster = request.getfixturevalue("postgresql_cluster")
    name = cluster.create_database()
    try:
        yield cluster.url(name)
    finally:
        cluster.drop_database(name)
