"""Dependencies shared by the routes: a pooled connection per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from psycopg2.extensions import connection
from psycopg2.pool import ThreadedConnectionPool


def get_conn(request: Request) -> Iterator[connection]:
    """Lend a connection from the app's pool for one request, in autocommit for reads."""
    pool: ThreadedConnectionPool = request.app.state.pool
    conn = pool.getconn()
    try:
        conn.autocommit = True
        yield conn
    finally:
        pool.putconn(conn)


Conn = Annotated[connection, Depends(get_conn)]
