"""A representative's standing: active in the assignment or not (SQL)."""

from __future__ import annotations

from typing import Any

from psycopg2.extensions import connection

from gridsvc.db.frames import one, rows


def set_active(conn: connection, code: str, active: bool) -> dict[str, Any] | None:
    """Mark a real (not proposed) representative active or not; their place, or None."""
    return one(
        conn,
        """UPDATE representative r SET active = %s, updated_at = now()
        FROM resident_group g JOIN grid_section s ON s.id = g.section_id
        JOIN community c ON c.id = s.community_id
        WHERE r.code = %s AND g.id = r.group_id AND r.proposed_in IS NULL
        RETURNING r.code, s.code AS section_code, c.code AS community_code""",
        (active, code),
    )


def place_of(conn: connection, code: str) -> dict[str, Any] | None:
    return one(
        conn,
        """SELECT r.code, r.active, s.code AS section_code, c.code AS community_code
        FROM representative r JOIN resident_group g ON g.id = r.group_id
        JOIN grid_section s ON s.id = g.section_id JOIN community c ON c.id = s.community_id
        WHERE r.code = %s AND r.proposed_in IS NULL""",
        (code,),
    )


def inactive_in_section(conn: connection, section: str) -> list[dict[str, Any]]:
    """A section's representatives marked inactive (codes, public names, groups)."""
    return rows(
        conn,
        """SELECT r.code, r.name, g.code AS group_code FROM representative r
        JOIN resident_group g ON g.id = r.group_id JOIN grid_section s ON s.id = g.section_id
        WHERE s.code = %s AND NOT r.active AND r.proposed_in IS NULL ORDER BY r.code""",
        (section,),
    )
