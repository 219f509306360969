"""The community offices' phones, representatives' consent to publish a phone, and the
street's name (the SQL of gridsvc.services.offices)."""

from __future__ import annotations

from psycopg2.extensions import connection

from gridsvc.db.frames import one, read_frame
from gridsvc.errors import NotFound


def set_office_phone(conn: connection, community: str, phone: str | None) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE community SET office_phone = %s WHERE code = %s RETURNING id",
            (phone, community),
        )
        if cur.fetchone() is None:
            raise NotFound(f"community {community}: no such community")


def set_publish_phone(conn: connection, representative: str, publish: bool) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE representative SET publish_phone = %s, updated_at = now()"
            " WHERE code = %s RETURNING id",
            (publish, representative),
        )
        if cur.fetchone() is None:
            raise NotFound(f"representative {representative}: no such representative")


def set_street(conn: connection, name: str, district: str, city: str) -> None:
    with conn.cursor() as cur:
        cur.execute(
            """INSERT INTO street_info (id, name, district, city) VALUES (true, %s, %s, %s)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                district = excluded.district, city = excluded.city""",
            (name, district, city),
        )


def street_name(conn: connection) -> str:
    row = one(conn, "SELECT name FROM street_info", None)
    return str(row["name"]) if row else ""


def offices(conn: connection) -> dict[str, str | None]:
    """Community code -> its office's phone (None where not set)."""
    frame = read_frame(conn, "SELECT code, office_phone FROM community ORDER BY code")
    return {
        str(c): (None if p is None else str(p))
        for c, p in zip(frame["code"], frame["office_phone"], strict=True)
    }
