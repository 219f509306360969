"""The peer in the same run: the fastest a look-up could be on this machine with gridsvc's
stack (FastAPI, uvicorn with the same server options, the same connection pool): one
`SELECT 1` per request, nothing else. Started by benchmarks/api.py, never by gridsvc."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gridsvc.api.deps import Conn
from gridsvc.api.pool import Pool
from gridsvc.settings import Settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = Settings()
    app.state.pool = Pool(os.environ["GRIDSVC_DATABASE_URL"], settings.pool_size, settings)
    app.state.pool.warm()
    yield
    app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/select1")
def select1(conn: Conn) -> dict[str, int]:
    """Like gridsvc's look-ups: a plain `def` (FastAPI's thread pool), a pooled connection."""
    with conn.cursor() as cur:
        cur.execute("SELECT 1")
        row = cur.fetchone()
    return {"one": int(row[0]) if row else 0}
