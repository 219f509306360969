"""The API's store connections: made when needed, reset after use, replaced when broken."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg2
from psycopg2.extensions import connection
from starlette.concurrency import run_in_threadpool

from gridsvc.db.connection import connect_kwargs
from gridsvc.errors import StoreUnavailable
from gridsvc.settings import Settings

logger = logging.getLogger("gridsvc.api")
CONNECT_TIMEOUT_S = 5  # a store that does not answer is reported as down, not waited for
LOST = (psycopg2.OperationalError, psycopg2.InterfaceError)


class Pool:
    """At most `size` connections to `dsn`. A connection is made on first need (so the server
    starts, and answers 503, while the store is down) and kept for the next request; one
    found broken is closed, together with the idle ones (a restarted server broke them all),
    and new ones are made when the store answers again. A request waits for a free
    connection in the event loop, holding no thread."""

    def __init__(self, dsn: str, size: int, settings: Settings | None = None) -> None:
        self._dsn = dsn
        self._kwargs = {
            **connect_kwargs(dsn, settings),
            "application_name": "gridsvc-api",
            "connect_timeout": str(CONNECT_TIMEOUT_S),
        }
        self._idle: list[connection] = []
        self._lock = threading.Lock()
        self._slots = asyncio.Semaphore(size)
        self.size = size

    def warm(self) -> None:
        """Open the connections now if the store answers (skipping the cost on the first
        requests); a store that is down is no error here."""
        made = []
        try:
            for _ in range(self.size - len(self._idle)):
                made.append(self._new())
        except StoreUnavailable:
            pass
        with self._lock:
            self._idle.extend(made)

    @asynccontextmanager
    async def lend(self, autocommit: bool) -> AsyncIterator[connection]:
        """A connection for one request; raises StoreUnavailable when none can be made."""
        async with self._slots:
            idle = self._pop_idle()
            conn: connection = idle if idle is not None else await run_in_threadpool(self._new)
            failed = lost = False
            try:
                conn.autocommit = autocommit
                yield conn
            except LOST as exc:
                # a server error (a statement timeout) leaves the session usable; a lost
                # connection has no SQLSTATE, or ended with the session (conn.closed)
                lost = bool(conn.closed) or exc.pgcode is None
                failed = True
                raise
            except BaseException:
                failed = True
                raise
            finally:
                self._give_back(conn, reset=failed or not autocommit, lost=lost)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def _pop_idle(self) -> connection | None:
        with self._lock:
            while self._idle:
                conn = self._idle.pop()
                if not conn.closed:
                    return conn
        return None

    def _new(self) -> connection:
        try:
            conn: connection = psycopg2.connect(self._dsn, **self._kwargs)  # type: ignore[call-overload]
            return conn
        except psycopg2.OperationalError as exc:
            # the operator reads the reason in the server's log; callers get no paths
            logger.warning("the store is not reachable: %s", str(exc).strip())
            raise StoreUnavailable("the database is not reachable") from None

    def _give_back(self, conn: connection, *, reset: bool, lost: bool) -> None:
        """Back to the idle list in autocommit with no session state; closed if broken. After
        a failure or a write, DISCARD ALL drops what a request may have left on the session
        (an advisory lock, a temporary table, a SET), so that it never outlives the request."""
        if not (lost or conn.closed):
            try:
                if not conn.autocommit:
                    conn.rollback()
                    conn.autocommit = True
                if reset:
                    with conn.cursor() as cur:
                        cur.execute("DISCARD ALL")
            except LOST:
                lost = True
        if lost or conn.closed:
            conn.close()
            self.close()  # the server went away: the idle ones are broken too
            return
        with self._lock:
            self._idle.append(conn)
