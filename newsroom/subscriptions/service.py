"""The ASGI application: `create_app(config)`, served by uvicorn (`invoke subscriptions`).

Each concern adds its routes (pages.py for people, api.py for the publish run); this module
only assembles them below the service's path, opens the database, brings its schema up
to date at start and deletes what is past its retention (retention.py).
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from newsroom.subscriptions.config import ServiceConfig
from newsroom.subscriptions.database import Database, migrate
from newsroom.subscriptions.retention import purge


def health(request) -> PlainTextResponse:
    with request.app.state.database.session() as session:
        session.connection().exec_driver_sql("SELECT 1")
    return PlainTextResponse("ok")


def routes(config: ServiceConfig) -> list:
    """Every concern's routes; modules are imported here so each stays unaware of the others."""
    from newsroom.subscriptions import api, deliveries, pages

    found = [Route("/gesund", health)]
    found += api.routes(config)
    found += pages.routes(config)
    found += deliveries.routes(config)
    return found


def create_app(config: ServiceConfig, *, migrate_schema: bool = True) -> Starlette:
    @asynccontextmanager
    async def lifespan(app):
        if migrate_schema:
            migrate(config.database_url)
        app.state.database = Database(config.database_url)
        purge(app.state.database, config.settings)  # retention.py: also run by every bounce run
        try:
            yield
        finally:
            app.state.database.close()

    from newsroom.subscriptions.abuse import SecurityHeaders

    app = Starlette(routes=[Mount(config.path.rstrip("/") or "/", routes=routes(config))], lifespan=lifespan,
                    middleware=[Middleware(SecurityHeaders)])
    app.state.config = config
    return app
