"""The app factory: settings in, FastAPI app out; the connection pools live in `lifespan`."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from gridsvc import __version__
from gridsvc.api import errors
from gridsvc.api.async_pool import AsyncPool
from gridsvc.api.guards import InputGuard
from gridsvc.api.http import BoundedHttpToolsProtocol
from gridsvc.api.key_cache import KeyCache
from gridsvc.api.pool import Pool
from gridsvc.api.routes import (
    auth,
    docs,
    health,
    lookups,
    maps,
    ogc,
    open311,
    pages,
    people,
    planner,
    points,
    requests,
    resident,
    rota,
    steering,
    structure,
    visits,
    workbench,
    workbench_import,
)
from gridsvc.db.connection import database_url
from gridsvc.settings import Settings


def create_app(settings: Settings | None = None, *, url: str | None = None) -> FastAPI:
    """Build the API for the store at `url` (default: the settings' store)."""
    settings = settings or Settings()
    dsn = url or database_url(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # connections are made on demand: the server starts (and says 503) with the store down
        app.state.pool = Pool(dsn, settings.pool_size, settings)
        await run_in_threadpool(app.state.pool.warm)
        # the hot read-only routes (look-ups, OGC items) use asyncpg: no thread per request
        app.state.async_pool = AsyncPool(dsn, settings.lookup_pool_size, settings)
        await app.state.async_pool.open()
        # what start-up made lives as long as the process: out of the collector's sight, a
        # full collection no longer walks it (it cost look-ups tens of ms at their p99)
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await app.state.async_pool.close()
            app.state.pool.close()

    # /docs from the Swagger UI files shipped in fastapi-offline (no CDN); /redoc: routes.docs
    app = FastAPIOffline(
        redoc_url=None,
        title="gridsvc",
        version=__version__,
        lifespan=lifespan,
        description="Who contacts whom: grid sections, representatives and households.",
    )
    app.state.settings = settings
    app.state.key_cache = KeyCache(settings.key_cache_s)
    errors.install(app)
    # links are built from the Host header (OGC next/prev): only known hosts are answered
    app.add_middleware(InputGuard, allowed_hosts=allowed_hosts(settings))
    for module in (
        pages,
        maps,
        resident,
        health,
        lookups,
        structure,
        planner,
        steering,
        people,
        ogc,
        visits,
        points,
        rota,
        requests,
        open311,
        auth,
        workbench,
        workbench_import,
        docs,
    ):
        app.include_router(module.router)
    match_first(app, (lookups.router, ogc.router))
    return app


def match_first(app: FastAPI, routers: tuple[APIRouter, ...]) -> None:
    """Try the hot read-only routers first: a request is matched against each router in
    order (about 20 us less per look-up). Their paths overlap no other router's, so no answer
    changes; with a FastAPI that keeps included routers otherwise, nothing moves."""
    routes = app.router.routes
    hot = [r for r in routes if getattr(r, "original_router", None) in routers]
    routes[:] = hot + [r for r in routes if r not in hot]


def allowed_hosts(settings: Settings) -> list[str]:
    """GRIDSVC_ALLOWED_HOSTS, or the loopback names, the served host and the public URL's."""
    if settings.allowed_hosts.strip():
        return [h.strip() for h in settings.allowed_hosts.split(",") if h.strip()]
    hosts = ["127.0.0.1", "localhost", "::1", "[::1]", "testserver"]  # testserver: TestClient
    for host in (settings.host, urlsplit(settings.public_url).hostname):
        if host and host not in ("0.0.0.0", "::"):
            hosts.append(host)
    return hosts


def server_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run`: httptools, with what a client can make the server
    read before its headers end bounded (gridsvc.api.http.MAX_HEADER_BYTES, else 431)."""
    return {
        "http": BoundedHttpToolsProtocol,
        "server_header": False,
        "timeout_keep_alive": 5,
    }
