"""Read queries behind the API's look-ups and structure; indexed columns, no N+1 queries."""

from __future__ import annotations

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.runs import IN_FORCE, read_frame

HOUSEHOLD_SQL = f"""
    SELECT h.code, h.address, h.head_name, h.phone, h.key_category,
           ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat,
           g.code AS group_code, g.name AS group_name, s.code AS section_code,
           s.name AS section_name, c.code AS community_code, c.name AS community_name,
           r.code AS rep_code, r.name AS rep_name, r.phone AS rep_phone, r.role AS rep_role,
           ST_X(r.geom) AS rep_lon, ST_Y(r.geom) AS rep_lat, a.distance_m, a.cross_group
    FROM household h
    JOIN resident_group g ON g.id = h.group_id JOIN grid_section s ON s.id = h.section_id
    JOIN community c ON c.id = s.community_id
    LEFT JOIN assignment a ON a.household_id = h.id
         AND a.run_id = {IN_FORCE}
    LEFT JOIN representative r ON r.id = a.representative_id
    WHERE h.code = %s"""

HOUSEHOLD_REPRESENTATIVE_SQL = f"""
    SELECT h.code, r.code AS rep_code, r.name AS rep_name, r.phone AS rep_phone,
           r.role AS rep_role, ST_X(r.geom) AS rep_lon, ST_Y(r.geom) AS rep_lat, a.distance_m
    FROM household h
    LEFT JOIN assignment a ON a.household_id = h.id
         AND a.run_id = {IN_FORCE}
    LEFT JOIN representative r ON r.id = a.representative_id
    WHERE h.code = %s"""

REPRESENTATIVE_SQL = f"""
    SELECT r.code, r.name, r.phone, r.role, r.party_member, r.active, r.min_load, r.max_load,
           ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat,
           g.code AS group_code, g.name AS group_name, s.code AS section_code,
           s.name AS section_name, c.code AS community_code, c.name AS community_name,
           (SELECT count(*) FROM assignment a WHERE a.representative_id = r.id
                AND a.run_id = {IN_FORCE}) AS load
    FROM representative r JOIN resident_group g ON g.id = r.group_id
    JOIN grid_section s ON s.id = g.section_id JOIN community c ON c.id = s.community_id
    WHERE r.code = %s"""

REP_HOUSEHOLDS_SQL = f"""
    SELECT h.code, h.address, h.head_name, h.phone, h.key_category, a.distance_m,
           a.cross_group, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat
    FROM representative r
    JOIN assignment a ON a.representative_id = r.id
         AND a.run_id = {IN_FORCE}
    JOIN household h ON h.id = a.household_id
    WHERE r.code = %s ORDER BY a.distance_m, h.code"""

LOCATE_SQL = """
    SELECT g.id, g.code AS group_code, g.name AS group_name, s.code AS section_code,
           s.name AS section_name, c.code AS community_code, c.name AS community_name
    FROM resident_group g JOIN grid_section s ON s.id = g.section_id
    JOIN community c ON c.id = s.community_id
    WHERE ST_Covers(g.geom, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4490))
    ORDER BY g.code LIMIT 1"""

NEAREST_REPS_SQL = """
    SELECT r.code, r.name, r.phone, r.role,
           ST_Distance(r.geom::geography,
                       ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4490)::geography) AS distance_m
    FROM representative r WHERE r.group_id = %(group)s AND r.active
    ORDER BY distance_m, r.code LIMIT %(limit)s"""

GROUP_FIGURES_SQL = f"""
    WITH run AS {IN_FORCE},
    houses AS (
        SELECT h.group_id, count(*) AS households,
               count(*) FILTER (WHERE h.key_category IS NOT NULL) AS key_households,
               count(a.representative_id) AS covered,
               count(*) FILTER (WHERE a.cross_group) AS cross_group
        FROM household h LEFT JOIN assignment a ON a.household_id = h.id
             AND a.run_id = (SELECT id FROM run)
        GROUP BY h.group_id),
    loads AS (
        SELECT r.group_id, r.id, count(a.household_id) AS load,
               coalesce(r.min_load, 5) AS min_load, coalesce(r.max_load, 15) AS max_load
        FROM representative r LEFT JOIN assignment a ON a.representative_id = r.id
             AND a.run_id = (SELECT id FROM run)
        WHERE r.active GROUP BY r.id),
    reps AS (
        SELECT group_id, count(*) AS representatives, sum(max_load) AS capacity,
               min(load) AS load_min, avg(load) AS load_mean, max(load) AS load_max,
               count(*) FILTER (WHERE load < min_load OR load > max_load) AS loads_out_of_range
        FROM loads GROUP BY group_id)
    SELECT c.code AS community_code, c.name AS community_name, s.code AS section_code,
           s.name AS section_name, g.code, g.name,
           coalesce(houses.households, 0) AS households,
           coalesce(houses.key_households, 0) AS key_households,
           coalesce(houses.covered, 0) AS covered, coalesce(houses.cross_group, 0) AS cross_group,
           coalesce(reps.representatives, 0) AS representatives,
           coalesce(reps.capacity, 0) AS capacity, reps.load_min, reps.load_mean,
           reps.load_max, coalesce(reps.loads_out_of_range, 0) AS loads_out_of_range,
           (SELECT id FROM run) AS run_id
    FROM resident_group g JOIN grid_section s ON s.id = g.section_id
    JOIN community c ON c.id = s.community_id
    LEFT JOIN houses ON houses.group_id = g.id LEFT JOIN reps ON reps.group_id = g.id
    ORDER BY g.code"""


def rows(conn: connection, sql: str, params: object) -> list[dict]:
    """Rows as dicts straight from the cursor: look-ups are too hot for a DataFrame."""
    with conn.cursor() as cur:
        cur.execute(sql, params)
        names = [c.name for c in cur.description]  # type: ignore[union-attr]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def one(conn: connection, sql: str, params: object) -> dict | None:
    found = rows(conn, sql, params)
    return found[0] if found else None


def household(conn: connection, code: str) -> dict | None:
    return one(conn, HOUSEHOLD_SQL, (code,))


def household_representative(conn: connection, code: str) -> dict | None:
    """Just the household's representative in the run in force (the hottest look-up)."""
    return one(conn, HOUSEHOLD_REPRESENTATIVE_SQL, (code,))


def representative(conn: connection, code: str) -> dict | None:
    return one(conn, REPRESENTATIVE_SQL, (code,))


def representative_households(conn: connection, code: str) -> list[dict]:
    return rows(conn, REP_HOUSEHOLDS_SQL, (code,))


def locate(
    conn: connection, lon: float, lat: float, limit: int = 5
) -> tuple[dict | None, list[dict]]:
    """The group covering the point and its nearest active representatives."""
    place = one(conn, LOCATE_SQL, {"lon": lon, "lat": lat})
    if place is None:
        return None, []
    params = {"lon": lon, "lat": lat, "group": place["id"], "limit": limit}
    return place, rows(conn, NEAREST_REPS_SQL, params)


def figures(conn: connection) -> pd.DataFrame:
    """Per group: households, coverage, representatives, capacity and loads in the run in force."""
    return read_frame(conn, GROUP_FIGURES_SQL)


def roll_up(groups: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum group figures to sections or communities (loads: min of mins, max of maxes)."""
    weighted = groups.assign(load_sum=groups["load_mean"].fillna(0) * groups["representatives"])
    out = weighted.groupby(by, sort=True).agg(
        groups=("code", "count"),
        households=("households", "sum"),
        key_households=("key_households", "sum"),
        covered=("covered", "sum"),
        cross_group=("cross_group", "sum"),
        representatives=("representatives", "sum"),
        capacity=("capacity", "sum"),
        load_min=("load_min", "min"),
        load_max=("load_max", "max"),
        load_sum=("load_sum", "sum"),
        loads_out_of_range=("loads_out_of_range", "sum"),
        run_id=("run_id", "first"),
    )
    out["load_mean"] = out["load_sum"] / out["representatives"].where(out["representatives"] > 0)
    return out.drop(columns="load_sum").reset_index()
