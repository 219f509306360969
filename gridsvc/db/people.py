"""The organisation's people in the store: roles held per area, with their history."""

from __future__ import annotations

from typing import Any

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.frames import copy_frame, read_frame, rows

AREA_SQL = """
    SELECT 'street' AS level, 'street' AS code, NULL AS community_code, NULL AS section_code
    UNION ALL SELECT 'community', code, code, NULL FROM community
    UNION ALL SELECT 'section', s.code, c.code, s.code FROM grid_section s
        JOIN community c ON c.id = s.community_id
    UNION ALL SELECT 'group', g.code, c.code, s.code FROM resident_group g
        JOIN grid_section s ON s.id = g.section_id JOIN community c ON c.id = s.community_id"""

PEOPLE_SQL = f"""
    SELECT p.name, p.phone, r.role, r.level, r.area_code, r.start_date, r.end_date,
           a.community_code, a.section_code
    FROM person_role r JOIN person p ON p.id = r.person_id
    JOIN ({AREA_SQL}) a ON a.level = r.level AND a.code = r.area_code"""


def stage(conn: connection, roster: pd.DataFrame) -> pd.DataFrame:
    """Stage checked roster rows; return the rows whose area code names no area of the
    level their role serves (row, role, level, area_code)."""
    with conn.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE _roster (row int, name text, phone text, role text, level text,"
            " area_code text, start_date date) ON COMMIT DROP"
        )
    copy_frame(conn, "_roster", roster, list(roster.columns))
    return read_frame(
        conn,
        f"""SELECT s.row, s.role, s.level, s.area_code FROM _roster s
        LEFT JOIN ({AREA_SQL}) a ON a.level = s.level AND a.code = s.area_code
        WHERE a.code IS NULL ORDER BY s.row""",
    )


def drop_staged(conn: connection, row_numbers: list[int]) -> None:
    with conn.cursor() as cur:
        cur.execute("DELETE FROM _roster WHERE row = ANY(%s)", (row_numbers,))


def write_staged(conn: connection, batch: int) -> dict[str, int]:
    """People by phone (else by name), then their roles: a role someone else held for the
    same head position ends the day the new one starts; the same role again is kept."""
    with conn.cursor() as cur:
        cur.execute(
            """INSERT INTO person (name, phone)
            SELECT DISTINCT ON (s.phone) s.name, s.phone FROM _roster s
            WHERE s.phone IS NOT NULL
            ON CONFLICT (phone) WHERE phone IS NOT NULL DO UPDATE SET name = excluded.name"""
        )
        cur.execute(
            """INSERT INTO person (name)
            SELECT DISTINCT s.name FROM _roster s WHERE s.phone IS NULL
              AND NOT EXISTS (SELECT 1 FROM person p WHERE p.name = s.name AND p.phone IS NULL)"""
        )
        cur.execute(
            """CREATE TEMP TABLE _roster_person ON COMMIT DROP AS
            SELECT s.*, p.id AS person_id FROM _roster s JOIN person p
              ON (s.phone IS NOT NULL AND p.phone = s.phone)
              OR (s.phone IS NULL AND p.phone IS NULL AND p.name = s.name)"""
        )
        cur.execute(
            """UPDATE person_role r SET end_date = greatest(r.start_date,
                   coalesce(n.start_date, current_date))
            FROM _roster_person n
            WHERE r.end_date IS NULL AND r.role = n.role AND r.area_code = n.area_code
              AND r.person_id <> n.person_id AND r.role IN ('总网格长', '片区网格长', '小组长')"""
        )
        ended = cur.rowcount
        cur.execute(
            """INSERT INTO person_role (person_id, role, level, area_code, start_date,
                                        import_batch_id)
            SELECT n.person_id, n.role, n.level, n.area_code,
                   coalesce(n.start_date, current_date), %s FROM _roster_person n
            WHERE NOT EXISTS (SELECT 1 FROM person_role r WHERE r.person_id = n.person_id
                AND r.role = n.role AND r.area_code = n.area_code AND r.end_date IS NULL)""",
            (batch,),
        )
        return {"roles_added": cur.rowcount, "roles_ended": ended}


def people(conn: connection, *, section: str | None = None, current: bool = True) -> pd.DataFrame:
    """People and their roles (current only, or with history), optionally those serving a
    section: its chief, grid workers and agents, its groups' leaders, its community director."""
    where = ["TRUE"]
    params: dict[str, Any] = {}
    if current:
        where.append("r.end_date IS NULL")
    if section is not None:
        where.append(
            "(a.section_code = %(s)s OR (r.level = 'community' AND a.community_code ="
            " (SELECT c.code FROM grid_section x JOIN community c ON c.id = x.community_id"
            " WHERE x.code = %(s)s)))"
        )
        params["s"] = section
    return read_frame(
        conn,
        PEOPLE_SQL + " WHERE " + " AND ".join(where) + " ORDER BY r.level, r.area_code, r.role",
        params,
    )


def household_place(conn: connection, household: str) -> dict[str, Any] | None:
    found = rows(
        conn,
        """SELECT h.code, g.code AS group_code, s.code AS section_code, c.code AS community_code
        FROM household h JOIN resident_group g ON g.id = h.group_id
        JOIN grid_section s ON s.id = h.section_id JOIN community c ON c.id = s.community_id
        WHERE h.code = %s""",
        (household,),
    )
    return found[0] if found else None


def gaps(conn: connection) -> pd.DataFrame:
    """Sections without a chief, groups without a leader, communities without a director."""
    return read_frame(
        conn,
        f"""SELECT a.level, a.code, a.community_code, a.section_code,
            CASE a.level WHEN 'section' THEN '片区网格长' WHEN 'group' THEN '小组长'
                 ELSE '总网格长' END AS missing
        FROM ({AREA_SQL}) a
        WHERE a.level IN ('community', 'section', 'group')
          AND NOT EXISTS (SELECT 1 FROM person_role r WHERE r.end_date IS NULL
              AND r.level = a.level AND r.area_code = a.code
              AND r.role = CASE a.level WHEN 'section' THEN '片区网格长'
                  WHEN 'group' THEN '小组长' ELSE '总网格长' END)
        ORDER BY a.level, a.code""",
    )
