"""API keys and the audit log in the store."""

from __future__ import annotations

from psycopg2.extensions import connection

from gridsvc.access import Role, hash_key, new_key
from gridsvc.db.runs import read_frame


def create_key(conn: connection, name: str, role: Role) -> str:
    """Store a new key's hash and return the key itself (the only time it is seen)."""
    key = new_key()
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO api_key (name, role, key_hash) VALUES (%s, %s, %s)",
            (name, role.name, hash_key(key)),
        )
    return key


def find_key(conn: connection, key: str) -> tuple[int, Role] | None:
    """The key's id and role, unless unknown or revoked."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, role FROM api_key WHERE key_hash = %s AND revoked_at IS NULL",
            (hash_key(key),),
        )
        row = cur.fetchone()
    return (int(row[0]), Role.parse(row[1])) if row else None


def revoke_key(conn: connection, key_id: int) -> bool:
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE api_key SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL", (key_id,)
        )
        return cur.rowcount == 1


def list_keys(conn: connection):  # type: ignore[no-untyped-def]
    return read_frame(
        conn, "SELECT id, name, role, created_at, revoked_at FROM api_key ORDER BY id"
    )


def audit(
    conn: connection, key_id: int | None, role: Role, method: str, path: str, subject: str | None
) -> None:
    """Record an access to personal data. On an autocommit (API) connection the row is
    committed without waiting for the disk flush: look-ups stay fast, and only a crash of the
    server in the next fraction of a second could lose the last rows."""
    insert = (
        "INSERT INTO audit_log (key_id, role, method, path, subject) VALUES (%s, %s, %s, %s, %s)"
    )
    if conn.autocommit:
        insert = f"BEGIN; SET LOCAL synchronous_commit TO off; {insert}; COMMIT"
    with conn.cursor() as cur:
        cur.execute(insert, (key_id, role.name, method, path, subject))
