"""API keys in the store (only their hashes)."""

from __future__ import annotations

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.async_conn import AsyncConnection
from gridsvc.db.frames import read_frame


def insert_key(conn: connection, name: str, role: str, scope: str, key_hash: str) -> int:
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO api_key (name, role, scope, key_hash) VALUES (%s, %s, %s, %s)"
            " RETURNING id",
            (name, role, scope, key_hash),
        )
        return int(cur.fetchone()[0])  # type: ignore[index]


def find_key(conn: connection, key_hash: str) -> tuple[int, str, str, str] | None:
    """id, name, role and scope of an active key."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, name, role, scope FROM api_key WHERE key_hash = %s AND revoked_at IS NULL",
            (key_hash,),
        )
        row = cur.fetchone()
    return (int(row[0]), row[1], row[2], row[3]) if row else None


def revoke_key(conn: connection, key_id: int) -> bool:
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE api_key SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL", (key_id,)
        )
        return cur.rowcount == 1


def list_keys(conn: connection) -> pd.DataFrame:
    return read_frame(
        conn, "SELECT id, name, role, scope, created_at, revoked_at FROM api_key ORDER BY id"
    )


FIND_SQL = "SELECT id, name, role, scope FROM api_key WHERE key_hash = $1 AND revoked_at IS NULL"


async def find_key_async(conn: AsyncConnection, key_hash: str) -> tuple[int, str, str, str] | None:
    """`find_key` on the async pool."""
    row = await conn.fetchrow(FIND_SQL, key_hash)
    return (int(row[0]), row[1], row[2], row[3]) if row else None
