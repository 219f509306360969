"""The hot look-ups for asyncpg: one prepared statement each, the read and its audit row
together (`access_log.logged_cte`), one round trip per request."""

from __future__ import annotations

import asyncpg

from gridsvc.db.access_log import logged_cte
from gridsvc.db.async_conn import AsyncConnection
from gridsvc.db.lookups import household_representative_select
from gridsvc.db.runs import IN_FORCE

HOUSEHOLD_REPRESENTATIVE_SQL = f"""
    WITH found AS ({household_representative_select("$1")}),
    {logged_cte(2, "found", "$1", "1", where="found.rep_code IS NOT NULL")}
    SELECT * FROM found"""

REP_HOUSEHOLDS_SQL = f"""
    WITH rep AS (SELECT r.id, r.code FROM representative r WHERE r.code = $1),
    found AS (
        SELECT h.code, h.address, h.head_name, h.phone, h.key_category, a.distance_m,
               ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat,
               s.code AS section_code, c.code AS community_code, rep.code AS rep_code
        FROM rep JOIN assignment a ON a.representative_id = rep.id AND a.run_id = {IN_FORCE}
        JOIN household h ON h.id = a.household_id
        JOIN grid_section s ON s.id = h.section_id JOIN community c ON c.id = s.community_id),
    {logged_cte(2, "rep", "$1", "(SELECT count(*) FROM found)")}
    SELECT rep.code AS representative, f.*
    FROM rep LEFT JOIN found f ON true ORDER BY f.distance_m, f.code"""

POINT = "ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4490)"
LOCATE_SQL = f"""
    WITH place AS (
        SELECT g.id, g.code AS group_code, g.name AS group_name, s.code AS section_code,
               s.name AS section_name, c.code AS community_code, c.name AS community_name
        FROM resident_group g JOIN grid_section s ON s.id = g.section_id
        JOIN community c ON c.id = s.community_id
        WHERE ST_Covers(g.geom, {POINT}) ORDER BY g.code LIMIT 1),
    reps AS (
        SELECT r.code, r.name, r.phone, r.publish_phone, r.role,
               ST_Distance(r.geom::geography, {POINT}::geography) AS distance_m
        FROM place JOIN representative r ON r.group_id = place.id AND r.active
        ORDER BY distance_m, r.code LIMIT $3),
    {logged_cte(4, "place", "place.group_code", "(SELECT count(*) FROM reps)")}
    SELECT p.group_code, p.group_name, p.section_code, p.section_name, p.community_code,
           p.community_name, r.code, r.name, r.phone, r.publish_phone, r.role, r.distance_m
    FROM place p LEFT JOIN reps r ON true ORDER BY r.distance_m, r.code"""


async def household_representative(
    conn: AsyncConnection, code: str, audit: tuple[object, ...]
) -> asyncpg.Record | None:
    """The household's representative in the run in force (None: no such household); the
    audit row is written when there is one."""
    return await conn.fetchrow(HOUSEHOLD_REPRESENTATIVE_SQL, code, *audit)


async def representative_households(
    conn: AsyncConnection, code: str, audit: tuple[object, ...]
) -> list[asyncpg.Record]:
    """The representative's households, nearest first: no rows if there is no such
    representative, one row of nulls (but `representative`) if they contact none."""
    return await conn.fetch(REP_HOUSEHOLDS_SQL, code, *audit)


async def locate(
    conn: AsyncConnection, lon: float, lat: float, limit: int, audit: tuple[object, ...]
) -> list[asyncpg.Record]:
    """The group covering the point, once per nearest active representative (one row with
    null representative columns if it has none; no rows if no group covers the point)."""
    return await conn.fetch(LOCATE_SQL, lon, lat, limit, *audit)
