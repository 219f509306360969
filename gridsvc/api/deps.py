"""Dependencies shared by the routes: a pooled connection and the actor (who asks, with
their role and scope: an API key, a log-in session, or the public)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from psycopg2.extensions import connection
from starlette.concurrency import run_in_threadpool

from gridsvc.access import Actor, Role
from gridsvc.db.async_conn import AsyncConnection
from gridsvc.errors import NotAuthenticated
from gridsvc.services.guard import require_role
from gridsvc.services.keys import actor_for_key, actor_for_key_async
from gridsvc.services.sessions import Session, check_csrf, session_for


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


# the OpenAPI's security schemes (Swagger UI's "Authorize"): the routes read them through
# `get_actor`, which decides; none of them refuses a request by itself
API_KEY = APIKeyHeader(
    name="X-API-Key", scheme_name="ApiKey", auto_error=False, description="an API key (machines)"
)
BEARER = HTTPBearer(
    scheme_name="Bearer", auto_error=False, description="the same API key as a bearer token"
)
SESSION_COOKIE = "gridsvc_session"
SESSION = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="Session",
    auto_error=False,
    description="a person's log-in session (/login); calls that change something also send "
    "X-CSRF-Token",
)
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _presented_key(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    auth = request.headers.get("authorization", "")
    if not key and auth.lower().startswith("bearer "):
        key = auth[7:].strip()
    return key or None


def _key_actor(request: Request, conn: connection, key: str, via: str) -> Actor:
    """The key's actor, from the process's KeyCache (GRIDSVC_KEY_CACHE_S) or the store."""
    cached = request.app.state.key_cache.get(key)
    if cached is not None:
        return replace(cached, via=via)
    found = actor_for_key(conn, key, via)
    if found is None:
        raise NotAuthenticated("unknown or revoked API key")
    request.app.state.key_cache.put(key, found)
    return found


def get_session(request: Request, conn: Conn) -> Session | None:
    """The live log-in session of the cookie, or None (no cookie, or one that ended)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    via = f"{request.method} {request.url.path}"
    return session_for(conn, cookie, request.app.state.settings, via)


LiveSession = Annotated[Session | None, Depends(get_session)]


def get_actor(
    request: Request,
    conn: Conn,
    session: LiveSession,
    _key: Annotated[str | None, Security(API_KEY)] = None,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
    _cookie: Annotated[str | None, Security(SESSION)] = None,
) -> Actor:
    """Who is asking: an API key (X-API-Key or Bearer) first, else a log-in session, else the
    public. A wrong or revoked key is refused, not downgraded; a session's call that changes
    something acts for the session only with its CSRF token in X-CSRF-Token (a wrong one is
    refused; without one it is the public's call). Workbench forms send theirs as a field,
    checked by `form_session`. Known keys are remembered for KEY_CACHE_SECONDS."""
    via = f"{request.method} {request.url.path}"
    key = _presented_key(request)
    if key is not None:
        return _key_actor(request, conn, key, via)
    if session is None:
        return Actor("public", Role.public, via=via)
    if request.method not in SAFE_METHODS:
        token = request.headers.get(CSRF_HEADER)
        if token is None:
            # a change without the token carries no one's rights (a forged form gets only
            # what the public gets): the resident's QR form still works in a logged-in browser
            return Actor("public", Role.public, via=via)
        check_csrf(session, token)
    return session.actor


async def form_session(request: Request, session: LiveSession) -> Session:
    """A workbench form's session: logged in, with the form's `csrf` field (the synchronizer
    token of this session). The form is parsed once; the route reads its fields as usual."""
    if session is None:
        raise NotAuthenticated("log in first (/login)")
    form = await request.form()
    token = form.get("csrf")
    check_csrf(session, token if isinstance(token, str) else None)
    return session


FormSession = Annotated[Session, Depends(form_session)]


def require(role: Role) -> Callable[[Actor], Actor]:
    """A dependency that lets only `role` and above through (401 without credentials,
    else 403)."""

    def check(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
        require_role(actor, role, "do this")
        return actor

    return check


AnyCaller = Annotated[Actor, Depends(get_actor)]


# the hot read-only routes: the same decision as `get_actor` for a GET, on the async pool
# (no thread, no connection held while the key is found in the cache)
SECURITY: list[dict[str, list[str]]] = [
    {"ApiKey": []},
    {"Bearer": []},
    {"Session": []},
    {},
]  # OpenAPI, as get_actor's


@asynccontextmanager
async def lend_async(request: Request) -> AsyncIterator[AsyncConnection]:
    """A connection of the async pool (gridsvc.api.async_pool) for one request."""
    async with request.app.state.async_pool.lend() as conn:
        yield conn


async def get_reader(request: Request) -> Actor:
    """Who is asking a GET: an API key (cached, else checked on the async pool), else a
    log-in session (checked as `get_session` does), else the public."""
    via = f"{request.method} {request.scope['path']}"
    key = _presented_key(request)
    if key is not None:
        cached = request.app.state.key_cache.get(key)
        if cached is not None:
            return cached if cached.via == via else replace(cached, via=via)
        async with lend_async(request) as conn:
            found = await actor_for_key_async(conn, key, via)
        if found is None:
            raise NotAuthenticated("unknown or revoked API key")
        request.app.state.key_cache.put(key, found)
        return found
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        settings = request.app.state.settings
        async with request.app.state.pool.lend(True) as conn:
            session = await run_in_threadpool(session_for, conn, cookie, settings, via)
        if session is not None:
            return session.actor
    return Actor("public", Role.public, via=via)


Reader = Annotated[Actor, Depends(get_reader)]
Viewer = Annotated[Actor, Depends(require(Role.viewer))]
Staff = Annotated[Actor, Depends(require(Role.staff))]
Planner = Annotated[Actor, Depends(require(Role.planner))]
