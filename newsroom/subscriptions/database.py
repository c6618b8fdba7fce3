"""Where the subscribers live: SQLite in a file by default, PostgreSQL in production.

`NEWSROOM_SUBSCRIPTIONS_DATABASE_URL` names the database (SQLAlchemy URL, e.g.
`postgresql+psycopg://abo@db.intern/abo`); without it the service uses SQLite in the user's
data folder. Never inside the content repository: addresses are personal data and must not
reach git. The schema is Alembic's (`migrate`), so several instances over one PostgreSQL
agree on it and an upgrade changes it step by step.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from newsroom.errors import ConfigurationError

MIGRATIONS = Path(__file__).with_name("migrations")


def default_url(environ=os.environ) -> str:
    """SQLite below $XDG_DATA_HOME (~/.local/share) – outside every repository."""
    base = Path(environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'duesseldorf-newsroom' / 'abonnements.sqlite3'}"


def check_location(url: str, repository: Path) -> None:
    """A SQLite file inside the repository would put addresses into git's reach: refused."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    path = Path(parsed.database).expanduser().resolve()
    if path.is_relative_to(repository.resolve()):
        raise ConfigurationError(f"Die Abonnement-Datenbank {path} liegt im Repository {repository}. Adressen sind "
                                 "personenbezogene Daten und gehören nicht in git; bitte außerhalb ablegen "
                                 "(NEWSROOM_SUBSCRIPTIONS_DATABASE_URL).")


def engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")  # erasure cascades to every row of the person
    cursor.execute("PRAGMA journal_mode = WAL")  # readers never wait for the one writer
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.close()


class Database:
    """The engine and its sessions; `session()` commits on success and rolls back on error."""

    def __init__(self, url: str):
        self.url = url
        self.engine = engine_for(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` (Alembic); safe to run by every instance at start."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
