"""The peers in the same run: the fastest a look-up could be on this machine with gridsvc's
stack (FastAPI, uvicorn with the same server options and worker count, the same async
pool): one `SELECT 1` per request, and a constant JSON answer with no database at all.
Started by benchmarks/api.py, never by gridsvc."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response

from gridsvc.api.async_pool import AsyncPool
from gridsvc.api.deps import lend_async
from gridsvc.settings import Settings

CONSTANT = orjson.dumps({"code": "R0001", "name": "张**", "phone": "138****5678", "role": "代表"})


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = Settings()
    app.state.async_pool = AsyncPool(
        os.environ["GRIDSVC_DATABASE_URL"], settings.lookup_pool_size, settings
    )
    await app.state.async_pool.open()
    yield
    await app.state.async_pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/select1")
async def select1(request: Request) -> Response:
    """Like gridsvc's hot look-ups: an `async def`, a connection of the async pool, orjson."""
    async with lend_async(request) as conn:
        one = await conn.fetchval("SELECT 1")
    return Response(orjson.dumps({"one": one}), media_type="application/json")


@app.get("/constant")
async def constant() -> Response:
    return Response(CONSTANT, media_type="application/json")
