"""Liveness and the store's counts; which part is down when one is."""

from __future__ import annotations

import psycopg2
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from gridsvc import __version__
from gridsvc.api.errors import RETRY_AFTER_S, STORE_UNAVAILABLE
from gridsvc.db import queries
from gridsvc.errors import StoreUnavailable

router = APIRouter(tags=["health"])


class Counts(BaseModel):
    communities: int
    sections: int
    groups: int
    representatives: int
    active_representatives: int
    households: int
    key_households: int


class Health(BaseModel):
    status: str
    version: str
    counts: Counts


class Down(BaseModel):
    status: str
    version: str
    error: str
    detail: str
    down: list[str]


@router.get(
    "/health",
    response_model=Health,
    summary="Liveness and what the store holds",
    responses={503: {"model": Down, "description": "a part is down (`down` names it)"}},
)
async def health(request: Request) -> Health | JSONResponse:
    try:
        async with request.app.state.pool.lend(autocommit=True) as conn:
            counts = await run_in_threadpool(queries.counts, conn)
    except (StoreUnavailable, psycopg2.OperationalError, psycopg2.InterfaceError):
        body = Down(
            status="unavailable",
            version=__version__,
            error=STORE_UNAVAILABLE,
            detail="database: not reachable",
            down=["database"],
        )
        return JSONResponse(body.model_dump(), 503, headers={"Retry-After": str(RETRY_AFTER_S)})
    return Health(status="ok", version=__version__, counts=Counts(**counts))
