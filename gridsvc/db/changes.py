"""What differs between two runs, the notification list, and a run's contact list."""

from __future__ import annotations

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.frames import read_frame
from gridsvc.db.runs import get_run

# One definition of "changed": a household whose representative in run B is not the one it had
# in run A (new and removed households included). `runs diff`, the notification list and the
# run's own "changed since last run" all count this.
CHANGES_SQL = """
    SELECT h.code AS household_code, ra.code AS old_representative,
           rb.code AS new_representative,
           CASE WHEN a.household_id IS NULL THEN 'new'
                WHEN b.household_id IS NULL THEN 'removed'
                WHEN ST_DistanceSphere(a.household_geom, b.household_geom) > 1 THEN 'moved'
                WHEN ra.id IS NOT NULL AND NOT ra.active THEN 'representative inactive'
                WHEN a.representative_id IS NULL THEN 'newly covered'
                WHEN b.representative_id IS NULL THEN 'uncovered'
                ELSE 'rebalanced' END AS reason,
           s.code AS section_code, c.code AS community_code
    FROM (SELECT * FROM assignment WHERE run_id = %(a)s) a
    FULL JOIN (SELECT * FROM assignment WHERE run_id = %(b)s) b
         ON a.household_id = b.household_id
    JOIN household h ON h.id = coalesce(a.household_id, b.household_id)
    JOIN grid_section s ON s.id = h.section_id JOIN community c ON c.id = s.community_id
    LEFT JOIN representative ra ON ra.id = a.representative_id
    LEFT JOIN representative rb ON rb.id = b.representative_id
    WHERE a.representative_id IS DISTINCT FROM b.representative_id"""

NOTIFICATIONS_SQL = f"""
    SELECT d.household_code, h.address, h.head_name, h.phone, d.reason,
           d.old_representative, ro.name AS old_name, ro.phone AS old_phone,
           d.new_representative, rn.name AS new_name, rn.phone AS new_phone,
           d.section_code, d.community_code
    FROM ({CHANGES_SQL}) d JOIN household h ON h.code = d.household_code
    LEFT JOIN representative ro ON ro.code = d.old_representative
    LEFT JOIN representative rn ON rn.code = d.new_representative
    ORDER BY d.reason, d.household_code"""

CONTACTS_SQL = """
    SELECT c.code AS community_code, s.code AS section_code, g.code AS group_code,
           r.code AS representative_code, r.name AS rep_name, r.phone AS rep_phone,
           r.publish_phone AS rep_publish_phone,
           h.code AS household_code, h.head_name, h.phone, h.address, h.key_category,
           round(a.distance_m::numeric, 1)::float8 AS distance_m,
           ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat
    FROM assignment a JOIN household h ON h.id = a.household_id
    JOIN resident_group g ON g.id = h.group_id JOIN grid_section s ON s.id = h.section_id
    JOIN community c ON c.id = s.community_id
    LEFT JOIN representative r ON r.id = a.representative_id
    WHERE a.run_id = %s ORDER BY s.code, g.code, r.code NULLS LAST, h.code"""


def diff(conn: connection, run_a: int, run_b: int) -> pd.DataFrame:
    """Households whose representative differs between two runs, with the reason."""
    for run in (run_a, run_b):
        get_run(conn, run)
    return read_frame(conn, CHANGES_SQL + " ORDER BY reason, h.code", {"a": run_a, "b": run_b})


def notifications(conn: connection, run_a: int, run_b: int) -> pd.DataFrame:
    """The notification list for the community office: who gets a new representative."""
    for run in (run_a, run_b):
        get_run(conn, run)
    return read_frame(conn, NOTIFICATIONS_SQL, {"a": run_a, "b": run_b})


def contacts(conn: connection, run_id: int) -> pd.DataFrame:
    """The contact list (代表联户清单) of a run: one row per household."""
    return read_frame(conn, CONTACTS_SQL, (run_id,))
