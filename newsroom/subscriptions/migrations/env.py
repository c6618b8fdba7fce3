"""Alembic's environment for the subscription database (run through database.migrate)."""

from alembic import context
from sqlalchemy import pool

from newsroom.subscriptions.database import engine_for
from newsroom.subscriptions.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
engine = engine_for(url)
if engine.dialect.name != "sqlite":
    engine.dispose()
    from sqlalchemy import create_engine

    engine = create_engine(url, poolclass=pool.NullPool)
with engine.begin() as connection:  # committed at the end: the whole upgrade or nothing
    # PostgreSQL: one instance migrates at a time (others wait), so parallel starts agree.
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7211)")
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
