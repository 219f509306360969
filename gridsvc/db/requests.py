"""The store of residents' requests: places, cases, photos and the event log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from psycopg2 import sql
from psycopg2.extensions import connection
from psycopg2.extras import Json

from gridsvc.db.frames import one, rows

CASE_SELECT = """
    SELECT q.id, q.tracking_code, q.status, q.tier, q.category, k.name AS category_name,
           q.text, q.phone, h.code AS household_code, r.code AS rep_code, r.name AS rep_name,
           g.code AS group_code, g.name AS group_name, s.code AS section_code,
           s.name AS section_name, c.code AS community_code, c.name AS community_name,
           ST_X(q.geom) AS lon, ST_Y(q.geom) AS lat, q.deadline, q.department, q.answer,
           q.rating, q.reopened, q.received_at, q.answered_at, q.closed_at, q.source,
           q.representative_id, q.assignee, q.escalation,
           (SELECT count(*) FROM request_photo p WHERE p.request_id = q.id) AS photos
    FROM request q
    JOIN request_category k ON k.code = q.category
    JOIN grid_section s ON s.id = q.section_id
    JOIN community c ON c.id = q.community_id
    LEFT JOIN resident_group g ON g.id = q.group_id
    LEFT JOIN representative r ON r.id = q.representative_id
    LEFT JOIN household h ON h.id = q.household_id"""

# a place's column in CASE_SELECT, per level
LEVEL_COLUMN = {
    "community": "c.code",
    "section": "s.code",
    "group": "g.code",
    "representative": "r.code",
}


def categories(conn: connection, active_only: bool = True) -> list[dict[str, Any]]:
    where = "WHERE active" if active_only else ""
    return rows(conn, f"SELECT code, name, active FROM request_category {where} ORDER BY sort")


def representative_place(conn: connection, code: str) -> dict[str, Any] | None:
    """A representative with their group, section and community (ids and codes)."""
    return one(
        conn,
        """SELECT r.id AS representative_id, r.code, r.name, r.phone, r.publish_phone, r.role,
                  r.active, g.id AS group_id, g.code AS group_code, g.name AS group_name,
                  s.id AS section_id, s.code AS section_code, s.name AS section_name,
                  c.id AS community_id, c.code AS community_code, c.name AS community_name
           FROM representative r JOIN resident_group g ON g.id = r.group_id
           JOIN grid_section s ON s.id = g.section_id JOIN community c ON c.id = s.community_id
           WHERE r.code = %s""",
        (code,),
    )


def point_place(conn: connection, lon: float, lat: float) -> dict[str, Any] | None:
    """The group (and its section and community) covering a CGCS2000 point."""
    return one(
        conn,
        """SELECT g.id AS group_id, s.id AS section_id, c.id AS community_id
           FROM resident_group g JOIN grid_section s ON s.id = g.section_id
           JOIN community c ON c.id = s.community_id
           WHERE ST_Covers(g.geom, ST_SetSRID(ST_MakePoint(%s, %s), 4490)) LIMIT 1""",
        (lon, lat),
    )


def household_place(conn: connection, code: str) -> dict[str, Any] | None:
    return one(
        conn,
        """SELECT h.id AS household_id, h.group_id, h.section_id, s.community_id
           FROM household h JOIN grid_section s ON s.id = h.section_id WHERE h.code = %s""",
        (code,),
    )


def recent_counts(
    conn: connection, client_hash: str | None, phone: str | None, rep_id: int | None
) -> dict[str, int]:
    """Requests in the last hour from this client and for this representative, and in the
    last day from this phone: what the abuse limits count."""
    found = one(
        conn,
        """SELECT
             (SELECT count(*) FROM request WHERE client_hash = %s
                AND received_at > now() - interval '1 hour') AS ip_hour,
             (SELECT count(*) FROM request WHERE phone = %s
                AND received_at > now() - interval '1 day') AS phone_day,
             (SELECT count(*) FROM request WHERE representative_id = %s
                AND received_at > now() - interval '1 hour') AS rep_hour""",
        (client_hash, phone, rep_id),
    )
    return {k: int(v) for k, v in (found or {}).items()}


def insert_request(conn: connection, values: dict[str, Any]) -> int:
    """A new request; `lon`/`lat` (CGCS2000) become its point. Returns its id."""
    values = dict(values)
    lon, lat = values.pop("lon", None), values.pop("lat", None)
    names = list(values)
    query = sql.SQL(
        "INSERT INTO request ({}, geom) VALUES ({}, "
        "CASE WHEN %s::float8 IS NULL THEN NULL "
        "ELSE ST_SetSRID(ST_MakePoint(%s, %s), 4490) END) RETURNING id"
    ).format(
        sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(", ").join(sql.Placeholder() * len(names)),
    )
    with conn.cursor() as cur:
        cur.execute(query, [*values.values(), lon, lon, lat])
        row = cur.fetchone()
    assert row is not None
    return int(row[0])


def insert_photo(
    conn: connection, request_id: int, n: int, mime: str, width: int, height: int, data: bytes
) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO request_photo (request_id, n, mime, width, height, data)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (request_id, n, mime, width, height, data),
        )


def photo(conn: connection, tracking_code: str, n: int) -> dict[str, Any] | None:
    return one(
        conn,
        """SELECT p.mime, p.data FROM request_photo p JOIN request q ON q.id = p.request_id
           WHERE q.tracking_code = %s AND p.n = %s""",
        (tracking_code, n),
    )


def add_event(
    conn: connection, request_id: int, kind: str, actor: str, role: str, detail: dict[str, Any]
) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO request_event (request_id, kind, actor, role, detail)"
            " VALUES (%s, %s, %s, %s, %s)",
            (request_id, kind, actor, role, Json(detail)),
        )


def case(conn: connection, tracking_code: str, *, lock: bool = False) -> dict[str, Any] | None:
    """One request by its tracking code (locked for an update when `lock`)."""
    if lock:
        one(conn, "SELECT 1 FROM request WHERE tracking_code = %s FOR UPDATE", (tracking_code,))
    return one(conn, CASE_SELECT + " WHERE q.tracking_code = %s", (tracking_code,))


def events(conn: connection, request_id: int) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT at, kind, actor, role, detail FROM request_event"
        " WHERE request_id = %s ORDER BY at, id",
        (request_id,),
    )


def update(conn: connection, request_id: int, changes: dict[str, Any]) -> None:
    """Set columns of one request (names from the service, values as parameters)."""
    query = sql.SQL("UPDATE request SET {} WHERE id = %s").format(
        sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder()) for k in changes
        )
    )
    with conn.cursor() as cur:
        cur.execute(query, [*changes.values(), request_id])


def cases(
    conn: connection,
    *,
    level: str | None = None,
    code: str | None = None,
    statuses: tuple[str, ...] | None = None,
    due_by: dt.date | None = None,
    assignee: str | None = None,
    limit: int = 200,
    offset: int = 0,
    order: str = "deadline",
) -> list[dict[str, Any]]:
    """Requests in a place (all of the street when `level` is None), optionally only some
    statuses and those due by a day, earliest deadline first (or newest first)."""
    where: list[str] = ["true"]
    params: list[Any] = []
    if level is not None:
        where.append(f"{LEVEL_COLUMN[level]} = %s")
        params.append(code)
    if statuses is not None:
        where.append("q.status = ANY(%s)")
        params.append(list(statuses))
    if due_by is not None:
        where.append("q.deadline <= %s")
        params.append(due_by)
    if assignee is not None:
        where.append("q.assignee = %s")
        params.append(assignee)
    ordering = "q.deadline, q.id" if order == "deadline" else "q.received_at DESC, q.id DESC"
    query = f"{CASE_SELECT} WHERE {' AND '.join(where)} ORDER BY {ordering} LIMIT %s OFFSET %s"
    return rows(conn, query, [*params, limit, offset])


def public_cases(
    conn: connection,
    *,
    ids: list[int] | None = None,
    category: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    statuses: tuple[str, ...] | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """What anyone may know of requests (Open311): id, category, status, section, dates."""
    where: list[str] = ["true"]
    params: list[Any] = []
    for clause, value in (
        ("q.id = ANY(%s)", ids),
        ("q.category = %s", category),
        ("q.received_at >= %s", start),
        ("q.received_at <= %s", end),
        ("q.status = ANY(%s)", list(statuses) if statuses else None),
    ):
        if value is not None:
            where.append(clause)
            params.append(value)
    query = f"""
        SELECT q.id, q.category, k.name AS category_name, q.status, s.code AS section_code,
               s.name AS section_name, q.received_at, q.deadline,
               greatest(q.received_at, q.answered_at, q.closed_at,
                        (SELECT max(e.at) FROM request_event e WHERE e.request_id = q.id))
                   AS updated_at
        FROM request q JOIN request_category k ON k.code = q.category
        JOIN grid_section s ON s.id = q.section_id
        WHERE {" AND ".join(where)} ORDER BY q.received_at DESC, q.id DESC LIMIT %s"""
    return rows(conn, query, [*params, limit])
