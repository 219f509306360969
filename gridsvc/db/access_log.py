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


def logged_cte(first: int, source: str, subject: str, rows: str, where: str = "true") -> str:
    """A data-modifying CTE `logged` that writes the audit row in the read's own statement:
    one row if `source` (a CTE of the read) has one and the flag is true; the read and its
    audit then land together or not at all, in one round trip. The audit values are the
    parameters $first.. $first+7 (see `cte_args`); `subject`, `rows` and `where` are SQL."""
    p = [f"${first + i}" for i in range(8)]
    return (
        "logged AS (INSERT INTO audit_log"
        " (key_id, actor, role, scope, action, method, path, subject, rows)"
        f" SELECT {p[0]}::int, {p[1]}::text, {p[2]}::text, {p[3]}::text, {p[4]}::text,"
        f" {p[5]}::text, {p[6]}::text, left(({subject})::text, 500), ({rows})::int"
        f" FROM {source} WHERE ({where}) AND {p[7]}::bool)"
    )


def cte_args(
    *, key_id: int | None, actor: str, role: str, scope: str, action: str, via: str, audit: bool
) -> tuple[object, ...]:
    """The parameters of `logged_cte`, in its order."""
    method, _, path = via.partition(" ")
    return (key_id, actor, role, scope, action, method, path or via, audit)
