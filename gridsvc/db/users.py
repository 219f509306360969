"""People's accounts and their sessions in the store (hashes of passwords and session ids)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.frames import one, read_frame


def insert_user(conn: connection, name: str, role: str, scope: str, password_hash: str) -> int:
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO app_user (name, role, scope, password_hash) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (name) DO NOTHING RETURNING id",
            (name, role, scope, password_hash),
        )
        row = cur.fetchone()
    return int(row[0]) if row else 0


def find_user(conn: connection, name: str) -> dict[str, Any] | None:
    """An account by name, with whether it is locked now (by the store's clock)."""
    return one(
        conn,
        "SELECT id, name, role, scope, password_hash, failed_logins, disabled_at,"
        " coalesce(locked_until > now(), false) AS locked FROM app_user WHERE name = %s"
        " FOR UPDATE",
        (name,),
    )


def list_users(conn: connection) -> pd.DataFrame:
    return read_frame(
        conn,
        "SELECT id, name, role, scope, created_at, password_at, failed_logins, locked_until,"
        " disabled_at FROM app_user ORDER BY id",
    )


def disable_user(conn: connection, name: str) -> bool:
    """Disable an account and end its sessions."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE app_user SET disabled_at = now() WHERE name = %s AND disabled_at IS NULL"
            " RETURNING id",
            (name,),
        )
        row = cur.fetchone()
        if row:
            cur.execute(
                "UPDATE user_session SET ended_at = now() WHERE user_id = %s AND ended_at IS NULL",
                (row[0],),
            )
    return row is not None


def set_password(conn: connection, user_id: int, password_hash: str) -> None:
    """A new hash; the account is unlocked and every session of it ends (log in again)."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE app_user SET password_hash = %s, password_at = now(), failed_logins = 0,"
            " locked_until = NULL WHERE id = %s",
            (password_hash, user_id),
        )
        cur.execute(
            "UPDATE user_session SET ended_at = now() WHERE user_id = %s AND ended_at IS NULL",
            (user_id,),
        )


def record_failure(conn: connection, user_id: int, max_failures: int, lockout_s: float) -> None:
    """Count a failed log-in; the `max_failures`-th in a row locks the account for a while
    (after a lock has run out, counting starts again)."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE app_user u SET failed_logins = n.failures,"
            " locked_until = CASE WHEN n.failures >= %s"
            "   THEN now() + make_interval(secs => %s) ELSE NULL END"
            " FROM (SELECT CASE WHEN locked_until <= now() THEN 1 ELSE failed_logins + 1 END"
            "       AS failures FROM app_user WHERE id = %s) n"
            " WHERE u.id = %s",
            (max_failures, lockout_s, user_id, user_id),
        )


def record_success(conn: connection, user_id: int) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = %s", (user_id,)
        )


def rehash(conn: connection, user_id: int, password_hash: str) -> None:
    """Store a hash made with newer parameters (the password itself is unchanged)."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE app_user SET password_hash = %s WHERE id = %s", (password_hash, user_id)
        )


def insert_session(conn: connection, id_hash: str, user_id: int, csrf_token: str) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO user_session (id_hash, user_id, csrf_token) VALUES (%s, %s, %s)",
            (id_hash, user_id, csrf_token),
        )


TOUCH_EVERY_S = 30  # a session's last use is written at most this often (reads stay reads)


def touch_session(
    conn: connection, id_hash: str, idle_s: float, absolute_s: float
) -> dict[str, Any] | None:
    """The live session with this hash (its user enabled, within both timeouts), or None; its
    last use is moved to now when it is more than TOUCH_EVERY_S old."""
    found = one(
        conn,
        "SELECT u.id AS user_id, u.name, u.role, u.scope, s.csrf_token,"
        "   s.seen_at < now() - make_interval(secs => %s) AS stale"
        " FROM user_session s JOIN app_user u ON u.id = s.user_id"
        " WHERE s.id_hash = %s AND s.ended_at IS NULL AND u.disabled_at IS NULL"
        "   AND s.seen_at > now() - make_interval(secs => %s)"
        "   AND s.created_at > now() - make_interval(secs => %s)",
        (TOUCH_EVERY_S, id_hash, idle_s, absolute_s),
    )
    if found is not None and found["stale"]:
        with conn.cursor() as cur:
            cur.execute("UPDATE user_session SET seen_at = now() WHERE id_hash = %s", (id_hash,))
    return found


def end_session(conn: connection, id_hash: str) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE user_session SET ended_at = now() WHERE id_hash = %s AND ended_at IS NULL",
            (id_hash,),
        )


def forget_old_sessions(conn: connection, absolute_s: float) -> None:
    """Drop sessions past their absolute timeout (the table stays small)."""
    with conn.cursor() as cur:
        cur.execute(
            "DELETE FROM user_session WHERE created_at < now() - make_interval(secs => %s)",
            (absolute_s,),
        )
