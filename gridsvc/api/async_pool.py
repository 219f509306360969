"""The API's asyncpg pool for the hot reads: prepared statements, no thread per request."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from gridsvc.errors import StoreUnavailable
from gridsvc.settings import Settings

logger = logging.getLogger("gridsvc.api")
CONNECT_TIMEOUT_S = 5  # a store that does not answer is reported as down, not waited for
# what a lost or unreachable store raises (a server error such as a timeout is not one)
LOST = (
    OSError,
    TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
)


def split_dsn(dsn: str) -> tuple[str, dict[str, str]]:
    """The URL without a libpq `options=-c k=v ...` parameter (asyncpg does not read it), and
    those settings as a dict for asyncpg's server_settings."""
    parts = urlsplit(dsn)
    query = parse_qsl(parts.query, keep_blank_values=True)
    settings: dict[str, str] = {}
    kept = []
    for name, value in query:
        if name != "options":
            kept.append((name, value))
            continue
        words = value.split()
        for flag, pair in itertools.pairwise(words):
            if flag == "-c" and "=" in pair:
                key, _, val = pair.partition("=")
                settings[key] = val
    return urlunsplit(parts._replace(query=urlencode(kept))), settings


def server_settings(dsn_settings: dict[str, str], settings: Settings) -> dict[str, str]:
    """gridsvc's session timeouts (as `gridsvc.db.connection.session_options`), then the
    URL's own options, which win."""
    return {
        "application_name": "gridsvc-api-async",
        # the only writes of this pool are the audit rows of reads (one per look-up): their
        # commit does not wait for the disk flush (as `access_log.record` does on the API),
        # so a crash of the database server itself, not of gridsvc, can lose the audit rows
        # of the last ~0.6 s (3 x wal_writer_delay); waiting for each flush cost 3-4x in
        # throughput (4-5k against 14-18k statements/s from 16 connections on 2 cores)
        "synchronous_commit": "off",
        "statement_timeout": str(int(settings.statement_timeout_s * 1000)),
        "idle_in_transaction_session_timeout": str(
            int(settings.idle_in_transaction_timeout_s * 1000)
        ),
        **dsn_settings,
    }


async def _keep_session(conn: asyncpg.Connection) -> None:
    """No reset query on release (asyncpg's default costs a round trip per request): these
    connections run single statements in autocommit and never change session state (no SET,
    no advisory lock, no temporary table, no LISTEN); an open transaction is still rolled
    back by asyncpg before this is called."""


class AsyncPool:
    """At most `size` asyncpg connections, made on first need (the server starts, and answers
    503, while the store is down); asyncpg replaces a connection found closed. Each
    connection keeps its prepared statements (asyncpg's statement cache)."""

    def __init__(self, dsn: str, size: int, settings: Settings) -> None:
        self._dsn, extra = split_dsn(dsn)
        self._server_settings = server_settings(extra, settings)
        self.size = size
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        """Create the pool (no connection yet) and try to open its connections now."""
        self._pool = asyncpg.create_pool(
            self._dsn,
            min_size=0,
            max_size=self.size,
            timeout=CONNECT_TIMEOUT_S,
            server_settings=self._server_settings,
            max_inactive_connection_lifetime=0,  # kept: no timer armed per release
            reset=_keep_session,
        )
        await self._pool
        held = []
        with suppress(StoreUnavailable):
            for _ in range(self.size):
                held.append(await self._acquire())
        for conn in held:
            await self._pool.release(conn)

    async def _acquire(self) -> PoolConnectionProxy:
        assert self._pool is not None, "open() first"
        try:
            return await self._pool.acquire()
        except LOST as exc:
            logger.warning("the store is not reachable: %s", str(exc).strip())
            raise StoreUnavailable("the database is not reachable") from None

    @asynccontextmanager
    async def lend(self) -> AsyncIterator[PoolConnectionProxy]:
        """A connection for one request; StoreUnavailable (503) when the store is down or is
        lost during the request."""
        conn = await self._acquire()
        assert self._pool is not None
        try:
            yield conn
        except LOST as exc:
            logger.warning("store lost during a request: %s", str(exc).strip())
            raise StoreUnavailable("the database is not reachable") from None
        finally:
            await self._pool.release(conn)

    async def close(self) -> None:
        if self._pool is not None:
            with suppress(Exception):
                await asyncio.wait_for(self._pool.close(), 10)
