"""The app factory: settings in, FastAPI app out; the connection pool lives in `lifespan`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from psycopg2.pool import ThreadedConnectionPool

from gridsvc import __version__
from gridsvc.api import errors
from gridsvc.api.routes import health, lookups, ogc, pages, planner, steering, structure
from gridsvc.db.connection import database_url
from gridsvc.settings import Settings


def create_app(settings: Settings | None = None, *, url: str | None = None) -> FastAPI:
    """Build the API for the store at `url` (default: the settings' store)."""
    settings = settings or Settings()
    dsn = url or database_url(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # minconn = maxconn: psycopg2's pool closes any connection returned above minconn,
        # which would fork a new PostgreSQL backend for nearly every request
        app.state.pool = ThreadedConnectionPool(
            settings.pool_size, settings.pool_size, dsn, application_name="gridsvc-api"
        )
        app.state.pool_slots = asyncio.Semaphore(settings.pool_size)
        app.state.key_cache = {}
        try:
            yield
        finally:
            app.state.pool.closeall()

    app = FastAPI(
        title="gridsvc",
        version=__version__,
        lifespan=lifespan,
        description="Who contacts whom: grid sections, representatives and households.",
    )
    app.state.settings = settings
    errors.install(app)
    for module in (pages, health, lookups, structure, planner, steering, ogc):
        app.include_router(module.router)
    return app
