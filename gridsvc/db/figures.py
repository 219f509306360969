"""The figures of the run in force per group and per representative: the one source of the
structure pages, the home page and the roll-up audit. Loads are judged against the rules the
run in force used (a representative's own limits first)."""

from __future__ import annotations

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.frames import read_frame

RUN = """run AS (SELECT id, params FROM assignment_run WHERE in_force),
    rules AS (SELECT coalesce((SELECT (params->>'min_load')::int FROM run), %(min)s) AS min_load,
                     coalesce((SELECT (params->>'max_load')::int FROM run), %(max)s) AS max_load)"""

LOADS = f"""
    {RUN},
    loads AS (
        SELECT r.id, r.code, r.group_id, count(a.household_id) AS load,
               coalesce(r.min_load, rules.min_load) AS min_load,
               coalesce(r.max_load, rules.max_load) AS max_load
        FROM representative r CROSS JOIN rules
        LEFT JOIN assignment a ON a.representative_id = r.id
             AND a.run_id = (SELECT id FROM run)
        WHERE r.active GROUP BY r.id, rules.min_load, rules.max_load)"""

GROUPS_SQL = f"""
    WITH {LOADS.strip()},
    houses AS (
        SELECT h.group_id, count(*) AS households,
               count(*) FILTER (WHERE h.key_category IS NOT NULL) AS key_households,
               count(a.representative_id) AS covered,
               count(*) FILTER (WHERE a.cross_group) AS cross_group,
               max(a.distance_m) FILTER (WHERE h.key_category IS NOT NULL) AS key_max_m
        FROM household h LEFT JOIN assignment a ON a.household_id = h.id
             AND a.run_id = (SELECT id FROM run)
        GROUP BY h.group_id),
    reps AS (
        SELECT group_id, count(*) AS representatives, sum(max_load) AS capacity,
               min(load) AS load_min, sum(load) AS load_sum, max(load) AS load_max,
               count(*) FILTER (WHERE load < min_load OR load > max_load) AS loads_out_of_range
        FROM loads GROUP BY group_id)
    SELECT c.code AS community_code, c.name AS community_name, s.code AS section_code,
           s.name AS section_name, g.code AS group_code, g.name AS group_name,
           coalesce(houses.households, 0) AS households,
           coalesce(houses.key_households, 0) AS key_households,
           coalesce(houses.covered, 0) AS covered, coalesce(houses.cross_group, 0) AS cross_group,
           houses.key_max_m,
           coalesce(reps.representatives, 0) AS representatives,
           coalesce(reps.capacity, 0) AS capacity, reps.load_min, coalesce(reps.load_sum, 0)
           AS load_sum, reps.load_max, coalesce(reps.loads_out_of_range, 0) AS loads_out_of_range,
           (SELECT id FROM run) AS run_id
    FROM resident_group g JOIN grid_section s ON s.id = g.section_id
    JOIN community c ON c.id = s.community_id
    LEFT JOIN houses ON houses.group_id = g.id LEFT JOIN reps ON reps.group_id = g.id
    ORDER BY g.code"""

REPS_SQL = f"""
    WITH {LOADS.strip()}
    SELECT c.code AS community_code, c.name AS community_name, s.code AS section_code,
           s.name AS section_name, g.code AS group_code, g.name AS group_name,
           l.code AS representative, l.load, l.min_load, l.max_load,
           (l.load < l.min_load OR l.load > l.max_load) AS out_of_range
    FROM loads l JOIN resident_group g ON g.id = l.group_id
    JOIN grid_section s ON s.id = g.section_id JOIN community c ON c.id = s.community_id
    ORDER BY l.code"""


def groups(conn: connection, min_load: int, max_load: int) -> pd.DataFrame:
    """Per group: households, key households, coverage, crossings, representatives, capacity
    and loads in the run in force (`min_load`/`max_load` when no run is in force)."""
    return read_frame(conn, GROUPS_SQL, {"min": min_load, "max": max_load})


def representatives(conn: connection, min_load: int, max_load: int) -> pd.DataFrame:
    """Per active representative: load and limits in the run in force."""
    return read_frame(conn, REPS_SQL, {"min": min_load, "max": max_load})
