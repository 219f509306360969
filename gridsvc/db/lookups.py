"""Read queries behind the API's look-ups and structure; indexed columns, no N+1 queries."""

from __future__ import annotations

from psycopg2.extensions import connection

from gridsvc.db.frames import one
from gridsvc.db.runs import IN_FORCE

HOUSEHOLD_SQL = f"""
    SELECT h.code, h.address, h.head_name, h.phone, h.key_category,
           ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat,
           g.code AS group_code, g.name AS group_name, s.code AS section_code,
           s.name AS section_name, c.code AS community_code, c.name AS community_name,
           r.code AS rep_code, r.name AS rep_name, r.phone AS rep_phone, r.role AS rep_role,
           r.publish_phone AS rep_publish_phone,
           ST_X(r.geom) AS rep_lon, ST_Y(r.geom) AS rep_lat, a.distance_m, a.cross_group
    FROM household h
    JOIN resident_group g ON g.id = h.group_id JOIN grid_section s ON s.id = h.section_id
    JOIN community c ON c.id = s.community_id
    LEFT JOIN assignment a ON a.household_id = h.id
         AND a.run_id = {IN_FORCE}
    LEFT JOIN representative r ON r.id = a.representative_id
    WHERE h.code = %s"""


def household_representative_select(code: str) -> str:
    """The household `code` (a parameter placeholder: `%s`, or asyncpg's `$1`) with its
    representative in the run in force: one definition for both drivers."""
    return f"""
    SELECT h.code, r.code AS rep_code, r.name AS rep_name, r.phone AS rep_phone,
           r.role AS rep_role, r.publish_phone AS rep_publish_phone,
           ST_X(r.geom) AS rep_lon, ST_Y(r.geom) AS rep_lat, a.distance_m,
           s.code AS section_code, c.code AS community_code
    FROM household h JOIN grid_section s ON s.id = h.section_id
    JOIN community c ON c.id = s.community_id
    LEFT JOIN assignment a ON a.household_id = h.id
         AND a.run_id = {IN_FORCE}
    LEFT JOIN representative r ON r.id = a.representative_id
    WHERE h.code = {code}"""


HOUSEHOLD_REPRESENTATIVE_SQL = household_representative_select("%s")

REPRESENTATIVE_SQL = f"""
    SELECT h.code, r.code AS rep_code, r.name AS rep_name, r.phone AS rep_phone,
           r.role AS rep_role, r.publish_phone AS rep_publish_phone,
           ST_X(r.geom) AS rep_lon, ST_Y(r.geom) AS rep_lat, a.distance_m,
           s.code AS section_code, c.code AS community_code
    FROM household h JOIN grid_section s ON s.id = h.section_id
    JOIN community c ON c.id = s.community_id
    LEFT JOIN assignment a ON a.household_id = h.id
         AND a.run_id = {IN_FORCE}
    LEFT JOIN representative r ON r.id = a.representative_id
    WHERE h.code = %s"""

REPRESENTATIVE_SQL = f"""
    SELECT r.code, r.name, r.phone, r.publish_phone, r.role, r.party_member, r.active,
           r.min_load, r.max_load,
           (SELECT params FROM assignment_run WHERE in_force) AS run_params,
           ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat,
           g.code AS group_code, g.name AS group_name, s.code AS section_code,
           s.name AS section_name, c.code AS community_code, c.name AS community_name,
           (SELECT count(*) FROM assignment a WHERE a.representative_id = r.id
                AND a.run_id = {IN_FORCE}) AS load
    FROM representative r JOIN resident_group g ON g.id = r.group_id
    JOIN grid_section s ON s.id = g.section_id JOIN community c ON c.id = s.community_id
    WHERE r.code = %s"""


def household(conn: connection, code: str) -> dict | None:
    return one(conn, HOUSEHOLD_SQL, (code,))


def household_representative(conn: connection, code: str) -> dict | None:
    """Just the household's representative in the run in force (the hottest look-up)."""
    return one(conn, HOUSEHOLD_REPRESENTATIVE_SQL, (code,))


def representative(conn: connection, code: str) -> dict | None:
    return one(conn, REPRESENTATIVE_SQL, (code,))


AREA_TABLES = {
    "community": "community",
    "section": "grid_section",
    "group": "resident_group",
    "representative": "representative",
}


def place_exists(conn: connection, level: str, code: str) -> bool:
    """Whether `code` names a community, section or group."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT 1 FROM {AREA_TABLES[level]} WHERE code = %s", (code,))
        return cur.fetchone() is not None
