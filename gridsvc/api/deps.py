"""Dependencies shared by the routes: a pooled connection, the caller and their role."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from psycopg2.extensions import connection

from gridsvc.access import Role
from gridsvc.db import keys


async def _lend(request: Request, autocommit: bool) -> AsyncIterator[connection]:
    """Lend a pooled connection for one request (gridsvc.api.pool: waits in the event loop
    while all are out, answers 503 while the store is down, replaces broken ones)."""
    async with request.app.state.pool.lend(autocommit) as conn:
        yield conn


async def get_conn(request: Request) -> AsyncIterator[connection]:
    """A connection in autocommit, for reads."""
    async for conn in _lend(request, autocommit=True):
        yield conn


async def get_write_conn(request: Request) -> AsyncIterator[connection]:
    """A connection for planner actions, which open their own transactions."""
    async for conn in _lend(request, autocommit=False):
        yield conn


Conn = Annotated[connection, Depends(get_conn)]
WriteConn = Annotated[connection, Depends(get_write_conn)]


@dataclass(frozen=True)
class Caller:
    """Who is asking: their key (if any) and role."""

    key_id: int | None
    role: Role

    def audit(self, conn: connection, request: Request, subject: str | None) -> None:
        """Record an access to personal data by a key."""
        if self.key_id is not None:
            keys.audit(conn, self.key_id, self.role, request.method, request.url.path, subject)


def _presented_key(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    auth = request.headers.get("authorization", "")
    if not key and auth.lower().startswith("bearer "):
        key = auth[7:].strip()
    return key or None


KEY_CACHE_SECONDS = 30.0  # a revoked key stops working within this time


def get_caller(request: Request, conn: Conn) -> Caller:
    """No key: the public role. A wrong or revoked key is refused, not downgraded. Known keys
    are remembered for KEY_CACHE_SECONDS so that a look-up costs one query less."""
    key = _presented_key(request)
    if key is None:
        return Caller(None, Role.public)
    cache: dict = request.app.state.key_cache
    now = time.monotonic()
    cached = cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    found = keys.find_key(conn, key)
    if found is not None:
        cache[key] = (now + KEY_CACHE_SECONDS, Caller(*found))
    if found is None:
        raise HTTPException(
            401, "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"}
        )
    return Caller(*found)


def require(role: Role) -> Callable[[Caller], Caller]:
    """A dependency that lets only `role` and above through (401 without a key, else 403)."""

    def check(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
        if caller.role >= role:
            return caller
        if caller.role == Role.public:
            raise HTTPException(
                401,
                f"this needs an API key with role {role.name} or above",
                headers={"WWW-Authenticate": "Bearer"},
            )
        raise HTTPException(
            403, f"role {caller.role.name} may not do this; it needs {role.name} or above"
        )

    return check


AnyCaller = Annotated[Caller, Depends(get_caller)]
Viewer = Annotated[Caller, Depends(require(Role.viewer))]
Planner = Annotated[Caller, Depends(require(Role.planner))]
