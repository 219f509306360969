"""SQL for the visit log: places of households and representatives, visits, shares, dues."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from psycopg2 import sql
from psycopg2.extensions import connection
from psycopg2.extras import execute_values

from gridsvc.db.frames import one, read_frame
from gridsvc.db.runs import IN_FORCE

KINDS = ("入户见面", "拉家常", "发放联系卡", "收集问题")

HOUSEHOLD_PLACE_SQL = f"""
    SELECT h.id, h.code, s.code AS section_code, c.code AS community_code,
           r.code AS rep_code, r.id AS rep_id
    FROM household h JOIN grid_section s ON s.id = h.section_id
    JOIN community c ON c.id = s.community_id
    LEFT JOIN assignment a ON a.household_id = h.id AND a.run_id = {IN_FORCE}
    LEFT JOIN representative r ON r.id = a.representative_id
    WHERE h.code = %s"""

REP_PLACE_SQL = """
    SELECT r.id, r.code, r.name, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat,
           g.code AS group_code, s.code AS section_code, c.code AS community_code
    FROM representative r JOIN resident_group g ON g.id = r.group_id
    JOIN grid_section s ON s.id = g.section_id JOIN community c ON c.id = s.community_id
    WHERE r.code = %s"""

# who contacts whom (the run in force), with each household's place and key status
CONTACTS_CTE = f"""
    hh AS (
        SELECT h.id AS household_id, h.code, h.address, h.head_name, h.phone, h.key_category,
               ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat,
               r.code AS rep_code, r.name AS rep_name, ST_X(r.geom) AS rep_lon,
               ST_Y(r.geom) AS rep_lat, g.code AS group_code, s.code AS section_code,
               c.code AS community_code
        FROM assignment a JOIN household h ON h.id = a.household_id
        JOIN representative r ON r.id = a.representative_id
        JOIN resident_group g ON g.id = r.group_id JOIN grid_section s ON s.id = g.section_id
        JOIN community c ON c.id = s.community_id
        WHERE a.run_id = {IN_FORCE}
          AND (%(community)s::text IS NULL OR c.code = %(community)s)
          AND (%(section)s::text IS NULL OR s.code = %(section)s)
          AND (%(rep)s::text IS NULL OR r.code = %(rep)s))"""

LEVELS: dict[str, tuple[str, ...]] = {
    "representative": ("rep_code", "rep_name", "group_code", "section_code", "community_code"),
    "group": ("group_code", "section_code", "community_code"),
    "section": ("section_code", "community_code"),
    "community": ("community_code",),
    "street": (),
}

SHARES_SQL = """
    WITH {contacts},
    v AS (SELECT household_id, count(DISTINCT k) AS kinds
          FROM visit, unnest(kinds) AS k
          WHERE visited_on BETWEEN %(since)s AND %(until)s GROUP BY household_id),
    kv AS (SELECT DISTINCT household_id FROM visit
           WHERE visited_on BETWEEN %(key_since)s AND %(until)s)
    SELECT {columns} count(*) AS households, count(v.household_id) AS visited,
           count(*) FILTER (WHERE v.kinds = 4) AS fourfold,
           count(*) FILTER (WHERE hh.key_category IS NOT NULL) AS key_households,
           count(*) FILTER (WHERE hh.key_category IS NOT NULL AND kv.household_id IS NOT NULL)
               AS key_visited
    FROM hh LEFT JOIN v USING (household_id) LEFT JOIN kv USING (household_id)
    {group_by}"""

DUE_SQL = """
    WITH {contacts}
    SELECT hh.*, (SELECT max(visited_on) FROM visit WHERE visit.household_id = hh.household_id
                  AND visited_on <= %(until)s) AS last_visit
    FROM hh ORDER BY hh.rep_code, hh.code"""

LIST_SQL = """
    SELECT v.id, v.visited_on, h.code AS household, r.code AS rep_code, r.name AS rep_name,
           v.kinds, v.notes, v.request_ids, s.code AS section_code, c.code AS community_code
    FROM visit v JOIN household h ON h.id = v.household_id
    JOIN representative r ON r.id = v.representative_id
    JOIN grid_section s ON s.id = h.section_id JOIN community c ON c.id = s.community_id
    WHERE v.visited_on BETWEEN %(since)s AND %(until)s
      AND (%(community)s::text IS NULL OR c.code = %(community)s)
      AND (%(section)s::text IS NULL OR s.code = %(section)s)
      AND (%(rep)s::text IS NULL OR r.code = %(rep)s)
    ORDER BY v.visited_on DESC, v.id DESC LIMIT %(limit)s"""


def any_recorded(conn: connection) -> bool:
    """Whether any visit is stored (a sample's year of work is loaded once)."""
    with conn.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM visit)")
        row = cur.fetchone()
    return bool(row and row[0])


def household_place(conn: connection, code: str) -> dict | None:
    return one(conn, HOUSEHOLD_PLACE_SQL, (code,))


def rep_place(conn: connection, code: str) -> dict | None:
    return one(conn, REP_PLACE_SQL, (code,))


def insert(
    conn: connection,
    household_id: int,
    rep_id: int,
    day: dt.date,
    kinds: list[str],
    notes: str,
    request_ids: list[int],
    actor: str,
) -> int:
    found = one(
        conn,
        """INSERT INTO visit (household_id, representative_id, visited_on, kinds, notes,
                              request_ids, actor)
           VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id""",
        (household_id, rep_id, day, kinds, notes, request_ids, actor),
    )
    assert found is not None
    return int(found["id"])


def _filters(community: str | None, section: str | None, rep: str | None) -> dict:
    return {"community": community, "section": section, "rep": rep}


def listing(
    conn: connection,
    since: dt.date,
    until: dt.date,
    *,
    community: str | None = None,
    section: str | None = None,
    rep: str | None = None,
    limit: int = 1000,
) -> pd.DataFrame:
    params = {**_filters(community, section, rep), "since": since, "until": until}
    return read_frame(conn, LIST_SQL, {**params, "limit": limit})


def shares(
    conn: connection,
    level: str,
    since: dt.date,
    until: dt.date,
    key_since: dt.date,
    *,
    community: str | None = None,
    section: str | None = None,
    rep: str | None = None,
) -> pd.DataFrame:
    """Households, visited, four-fold and key counts per `level` (a key of LEVELS)."""
    columns = [sql.SQL("hh.{}").format(sql.Identifier(c)) for c in LEVELS[level]]
    query = sql.SQL(SHARES_SQL).format(
        contacts=sql.SQL(CONTACTS_CTE),
        columns=sql.SQL("").join(sql.SQL("{}, ").format(c) for c in columns),
        group_by=(
            sql.SQL("GROUP BY {0} ORDER BY {0}").format(sql.SQL(", ").join(columns))
            if columns
            else sql.SQL("")
        ),
    )
    params = {**_filters(community, section, rep), "since": since, "until": until}
    return read_frame(conn, query, {**params, "key_since": key_since})


def contacts_with_last_visit(
    conn: connection,
    until: dt.date,
    *,
    community: str | None = None,
    section: str | None = None,
    rep: str | None = None,
) -> pd.DataFrame:
    query = sql.SQL(DUE_SQL).format(contacts=sql.SQL(CONTACTS_CTE))
    return read_frame(conn, query, {**_filters(community, section, rep), "until": until})


def insert_many(conn: connection, frame: pd.DataFrame, actor: str) -> list[tuple[int, int]]:
    """Visits by household code (each by the household's representative in force) in bulk;
    households without a representative are skipped. (visit id, representative id) stored."""
    with conn.cursor() as cur:
        found = execute_values(
            cur,
            f"""INSERT INTO visit (household_id, representative_id, visited_on, kinds, notes,
                                   actor)
                SELECT h.id, a.representative_id, v.day::date, string_to_array(v.kinds, ','),
                       v.notes, v.actor
                FROM (VALUES %s) AS v (code, day, kinds, notes, actor)
                JOIN household h ON h.code = v.code
                JOIN assignment a ON a.household_id = h.id AND a.run_id = {IN_FORCE}
                RETURNING id, representative_id""",
            [(r.household, r.visited_on, r.kinds, r.notes, actor) for r in frame.itertuples()],
            page_size=5000,
            fetch=True,
        )
    return [(int(a), int(b)) for a, b in found]
