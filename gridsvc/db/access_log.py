"""The access log: every read of personal data, with the real actor, what and through where."""

from __future__ import annotations

from psycopg2.extensions import connection

INSERT = """INSERT INTO audit_log (key_id, actor, role, scope, action, method, path, subject, rows)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"""


def record(
    conn: connection,
    *,
    key_id: int | None,
    actor: str,
    role: str,
    scope: str,
    action: str,
    via: str,
    subject: str | None,
    rows: int | None,
) -> None:
    """Write one row. On an autocommit (API) connection it is committed without waiting for
    the disk flush: look-ups stay fast, and only a crash of the database server in the next
    fraction of a second could lose the last rows. Elsewhere it joins the caller's
    transaction."""
    method, _, path = via.partition(" ")
    values = (key_id, actor, role, scope, action, method, path or via, subject, rows)
    with conn.cursor() as cur:
        if conn.autocommit:
            cur.execute("BEGIN; SET LOCAL synchronous_commit TO off;")
            try:
                cur.execute(INSERT, values)
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
        else:
            cur.execute(INSERT, values)


def recent(conn: connection, limit: int = 50) -> list[tuple]:
    """The latest rows, newest first."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT at, actor, role, scope, action, method, path, subject, rows"
            " FROM audit_log ORDER BY id DESC LIMIT %s",
            (limit,),
        )
        return cur.fetchall()
