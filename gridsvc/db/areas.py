"""The areas in the store as a boundary check reads them: shapes, parents, the street's
outline, and the households a re-parenting would move."""

from __future__ import annotations

import shapely
from psycopg2.extensions import connection
from shapely.geometry.base import BaseGeometry

# level -> its table, its parent's table and the column naming the parent
TABLES = {
    "community": ("community", None, None),
    "section": ("grid_section", "community", "community_id"),
    "group": ("resident_group", "grid_section", "section_id"),
}
CHILD = {"community": "section", "section": "group"}


def existing_areas(conn: connection, level: str) -> dict[str, tuple[str, str | None, BaseGeometry]]:
    """The level's areas in the store: code -> (name, parent's code, geometry)."""
    table, parent, column = TABLES[level]
    query = (
        f"SELECT a.code, a.name, p.code, ST_AsBinary(a.geom) FROM {table} a"
        f" JOIN {parent} p ON p.id = a.{column}"
        if parent
        else f"SELECT code, name, NULL, ST_AsBinary(geom) FROM {table}"
    )
    with conn.cursor() as cur:
        cur.execute(query)
        rows = cur.fetchall()
    return {code: (name, up, shapely.from_wkb(bytes(wkb))) for code, name, up, wkb in rows}


def parent_shapes(conn: connection, level: str) -> dict[str, BaseGeometry]:
    """The parent level's areas: code -> geometry (none for communities)."""
    _, parent, _ = TABLES[level]
    if parent is None:
        return {}
    with conn.cursor() as cur:
        cur.execute(f"SELECT code, ST_AsBinary(geom) FROM {parent}")
        return {code: shapely.from_wkb(bytes(wkb)) for code, wkb in cur.fetchall()}


def street_outline(conn: connection) -> BaseGeometry | None:
    """The union of the communities; None while the store has none."""
    with conn.cursor() as cur:
        cur.execute("SELECT ST_AsBinary(ST_Union(geom)) FROM community")
        row = cur.fetchone()
    return shapely.from_wkb(bytes(row[0])) if row and row[0] is not None else None


def households_moved_by(conn: connection, moves: dict[str, str]) -> dict[str, int]:
    """Households that re-parenting groups (group code -> new section code) would move to
    another section (ON UPDATE CASCADE would carry them silently): group code -> count."""
    if not moves:
        return {}
    with conn.cursor() as cur:
        cur.execute(
            """SELECT g.code, count(h.id)
               FROM unnest(%s::text[], %s::text[]) AS m(code, section_code)
               JOIN resident_group g ON g.code = m.code
               JOIN grid_section s ON s.id = g.section_id
               LEFT JOIN household h ON h.group_id = g.id
               WHERE s.code IS DISTINCT FROM m.section_code
               GROUP BY g.code ORDER BY g.code""",
            (list(moves), list(moves.values())),
        )
        return {code: int(n) for code, n in cur.fetchall()}
