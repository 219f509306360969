"""SQL for the reception rota (逢6接待): stations, reception days, duties and attendance."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from psycopg2.extensions import connection
from psycopg2.extras import execute_values

from gridsvc.db.frames import one, read_frame, rows

STATIONS_SQL = """
    SELECT st.id, st.code, st.name, c.code AS community_code, c.name AS community_name,
           ST_X(st.geom) AS lon, ST_Y(st.geom) AS lat
    FROM station st LEFT JOIN community c ON c.id = st.community_id ORDER BY st.code"""

DUTIES_SQL = """
    SELECT rc.id AS reception_id, rc.day, rc.nominal, st.code AS station_code,
           st.name AS station_name, r.code AS rep_code, r.name AS rep_name,
           d.attended, d.residents, d.request_ids, c.code AS community_code
    FROM rota_duty d JOIN reception rc ON rc.id = d.reception_id
    JOIN station st ON st.id = rc.station_id
    JOIN representative r ON r.id = d.representative_id
    LEFT JOIN community c ON c.id = st.community_id
    WHERE rc.day BETWEEN %(start)s AND %(end)s
      AND (%(station)s::text IS NULL OR st.code = %(station)s)
      AND (%(rep)s::text IS NULL OR r.code = %(rep)s)
      AND (%(community)s::text IS NULL OR c.code = %(community)s)
    ORDER BY rc.day, st.code, r.code"""


def stations(conn: connection) -> pd.DataFrame:
    return read_frame(conn, STATIONS_SQL)


def station(conn: connection, code: str) -> dict | None:
    return one(
        conn,
        """SELECT st.id, st.code, st.name, st.community_id, c.code AS community_code
           FROM station st LEFT JOIN community c ON c.id = st.community_id
           WHERE st.code = %s""",
        (code,),
    )


def add_community_stations(conn: connection) -> int:
    """A station per community that has none, at a point inside it (the office moves it)."""
    with conn.cursor() as cur:
        cur.execute(
            """INSERT INTO station (code, name, community_id, geom)
               SELECT c.code || '-ST', c.name || '代表联络站', c.id, ST_PointOnSurface(c.geom)
               FROM community c
               WHERE NOT EXISTS (SELECT 1 FROM station s WHERE s.community_id = c.id)
               ON CONFLICT (code) DO NOTHING"""
        )
        return int(cur.rowcount)


def station_representatives(conn: connection, station_id: int) -> list[dict]:
    """Active representatives of the station's community (every one for a street station)."""
    return rows(
        conn,
        """SELECT r.id, r.code FROM representative r JOIN resident_group g ON g.id = r.group_id
           JOIN grid_section s ON s.id = g.section_id, station st
           WHERE st.id = %s AND r.active
             AND (st.community_id IS NULL OR s.community_id = st.community_id)
           ORDER BY r.code""",
        (station_id,),
    )


def unavailable(conn: connection, rep_ids: list[int], start: dt.date, end: dt.date) -> list[dict]:
    return rows(
        conn,
        """SELECT representative_id, day FROM rota_unavailable
           WHERE representative_id = ANY(%s) AND day BETWEEN %s AND %s""",
        (rep_ids, start, end),
    )


def add_unavailable(conn: connection, rep_id: int, days: list[dt.date]) -> None:
    with conn.cursor() as cur:
        execute_values(
            cur,
            "INSERT INTO rota_unavailable (representative_id, day) VALUES %s"
            " ON CONFLICT DO NOTHING",
            [(rep_id, d) for d in days],
        )


def attended_in(conn: connection, station_id: int, start: dt.date, end: dt.date) -> int:
    found = one(
        conn,
        """SELECT count(*) AS n FROM rota_duty d JOIN reception rc ON rc.id = d.reception_id
           WHERE rc.station_id = %s AND rc.day BETWEEN %s AND %s AND d.attended IS NOT NULL""",
        (station_id, start, end),
    )
    return int(found["n"]) if found else 0


def replace_plan(
    conn: connection,
    station_id: int,
    start: dt.date,
    end: dt.date,
    plan: list[tuple[dt.date, dt.date, list[int]]],
) -> int:
    """Put (nominal day, day, representative ids) in place of the station's rota in the span;
    the number of duties written."""
    with conn.cursor() as cur:
        cur.execute(
            "DELETE FROM reception WHERE station_id = %s AND day BETWEEN %s AND %s",
            (station_id, start, end),
        )
        if not plan:
            return 0
        made = execute_values(
            cur,
            "INSERT INTO reception (station_id, nominal, day) VALUES %s RETURNING day, id",
            [(station_id, nominal, day) for nominal, day, _ in plan],
            fetch=True,
        )
        ids = dict(made)
        duties = [(ids[day], rep) for _, day, reps in plan for rep in reps]
        if not duties:
            return 0
        execute_values(
            cur, "INSERT INTO rota_duty (reception_id, representative_id) VALUES %s", duties
        )
    return len(duties)


def duties(
    conn: connection,
    start: dt.date,
    end: dt.date,
    *,
    station: str | None = None,
    rep: str | None = None,
    community: str | None = None,
) -> pd.DataFrame:
    params = {"start": start, "end": end, "station": station, "rep": rep, "community": community}
    return read_frame(conn, DUTIES_SQL, params)


def record_attendance(
    conn: connection,
    station_id: int,
    day: dt.date,
    rep_id: int,
    attended: bool,
    residents: int,
    request_ids: list[int],
) -> int | None:
    """Attendance of one duty; the reception's id, or None when the duty is not on the rota."""
    found = one(
        conn,
        """UPDATE rota_duty d SET attended = %s, residents = %s, request_ids = %s
           FROM reception rc WHERE rc.id = d.reception_id AND rc.station_id = %s
             AND rc.day = %s AND d.representative_id = %s RETURNING rc.id""",
        (attended, residents, request_ids, station_id, day, rep_id),
    )
    return int(found["id"]) if found else None
