"""Dependencies shared by the routes: a pooled connection and the actor (who asks, with
their role and scope)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request
from psycopg2.extensions import connection

from gridsvc.access import Actor, Role
from gridsvc.errors import NotAuthenticated
from gridsvc.services.guard import require_role
from gridsvc.services.keys import actor_for_key


async def _lend(request: Request, autocommit: bool) -> AsyncIterator[connection]:
    """Lend a pooled connection for one request (gridsvc.api.pool: waits in the event loop
    while all are out, answers 503 while the store is down, replaces broken ones)."""
    async with request.app.state.pool.lend(autocommit) as conn:
        yield conn


async def get_conn(request: Request) -> AsyncIterator[connection]:
    """A connection in autocommit, for reads."""
    async for conn in _lend(request, autocommit=True):
        yield conn


Conn = Annotated[connection, Depends(get_conn)]


def _presented_key(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    auth = request.headers.get("authorization", "")
    if not key and auth.lower().startswith("bearer "):
        key = auth[7:].strip()
    return key or None


KEY_CACHE_SECONDS = 30.0  # a revoked key stops working within this time


def get_actor(request: Request, conn: Conn) -> Actor:
    """Who is asking: no key is the public; a wrong or revoked key is refused, not
    downgraded. Known keys are remembered for KEY_CACHE_SECONDS (one query less a request)."""
    via = f"{request.method} {request.url.path}"
    key = _presented_key(request)
    if key is None:
        return Actor("public", Role.public, via=via)
    cache: dict = request.app.state.key_cache
    now = time.monotonic()
    cached = cache.get(key)
    if cached is not None and cached[0] > now:
        return replace(cached[1], via=via)
    found = actor_for_key(conn, key, via)
    if found is None:
        raise NotAuthenticated("unknown or revoked API key")
    if len(cache) > 10_000:
        cache.clear()
    cache[key] = (now + KEY_CACHE_SECONDS, found)
    return found


def require(role: Role) -> Callable[[Actor], Actor]:
    """A dependency that lets only `role` and above through (401 without a key, else 403)."""

    def check(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
        require_role(actor, role, "do this")
        return actor

    return check


AnyCaller = Annotated[Actor, Depends(get_actor)]
Viewer = Annotated[Actor, Depends(require(Role.viewer))]
Staff = Annotated[Actor, Depends(require(Role.staff))]
Planner = Annotated[Actor, Depends(require(Role.planner))]
