"""A boundary import checked against the store: what it would change, and whether it may."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import shapely
from psycopg2.extensions import connection
from shapely.geometry.base import BaseGeometry

from gridsvc.errors import InputError
from gridsvc.ingest.coverage import TOLERANCE, Area, Finding, check_coverage

# level -> its table, its parent's table and the column naming the parent
TABLES = {
    "community": ("community", None, None),
    "section": ("grid_section", "community", "community_id"),
    "group": ("resident_group", "grid_section", "section_id"),
}
CHILD = {"community": "section", "section": "group"}
SHOWN = 10  # findings named in an error; the rest are counted


@dataclass
class BoundaryCheck:
    """What upserting one level's areas would do (the dry run's summary)."""

    level: str
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    reparented: dict[str, tuple[str, str]] = field(default_factory=dict)  # code: (old, new)
    households_moving: dict[str, int] = field(default_factory=dict)  # group code: households
    findings: list[Finding] = field(default_factory=list)  # reported, not refused

    def as_dict(self) -> dict[str, object]:
        return {
            "level": self.level,
            "new": self.new,
            "changed": self.changed,
            "unchanged": len(self.unchanged),
            "reparented": {code: list(move) for code, move in self.reparented.items()},
            "households_moving": sum(self.households_moving.values()),
            "households_moving_by_group": self.households_moving,
            "findings": [f.message for f in self.findings],
        }


def check_boundaries(
    conn: connection,
    areas: pd.DataFrame,
    level: str,
    *,
    extend: bool,
    move_households: bool,
    tolerance: float = TOLERANCE,
) -> BoundaryCheck:
    """Check `areas` (read_boundaries: code, name, parent_code, wkb) of `level` against the
    store; raise InputError naming the areas and counts when the coverage would break
    (overlaps, areas outside their parent, areas outside the street unless `extend`) or when
    re-parenting groups would move households to another section (unless `move_households`).
    Existing children left outside a redrawn parent are reported in the result. Writes
    nothing: call it inside the import's transaction, before upserting."""
    if level not in TABLES:
        raise InputError(f"level {level}: choose community, section or group")
    existing = existing_areas(conn, level)
    new = {
        row.code: Area(row.parent_code, shapely.from_wkb(row.wkb))
        for row in areas.itertuples(index=False)
    }
    result = _compare(level, areas, existing)
    children = existing_areas(conn, CHILD[level]) if level in CHILD else {}
    findings = check_coverage(
        new,
        {code: area for code, (_, area) in existing.items()},
        parent_shapes(conn, level),
        street_outline(conn),
        children={code: area for code, (_, area) in children.items()},
        tolerance=tolerance,
        level=level,
    )
    # reported, not refused: new ground when extending; and children left outside a redrawn
    # parent, since moving a group means redrawing the sections first, then re-parenting it
    allowed = {"child_outside", "outside_street"} if extend else {"child_outside"}
    result.findings = [f for f in findings if f.kind in allowed]
    findings = [f for f in findings if f.kind not in allowed]
    if level == "group" and result.reparented:
        moves = {code: to for code, (_, to) in result.reparented.items()}
        result.households_moving = households_moved_by(conn, moves)
    problems = [f.message for f in findings]
    moving = sum(result.households_moving.values())
    if moving and not move_households:
        by_group = ", ".join(
            f"{code} ({result.reparented[code][0]} → {result.reparented[code][1]}: {n})"
            for code, n in result.households_moving.items()
            if n
        )
        problems.append(
            f"re-parenting moves {moving} households to another section ({by_group}); "
            "allow it with --move-households"
        )
    if problems:
        more = f"; and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
        raise InputError(
            f"{level} boundaries refused, {len(problems)} problem(s): "
            + "; ".join(problems[:SHOWN])
            + more
        )
    return result


def _compare(
    level: str, areas: pd.DataFrame, existing: dict[str, tuple[str, Area]]
) -> BoundaryCheck:
    result = BoundaryCheck(level)
    for row in areas.itertuples(index=False):
        if row.code not in existing:
            result.new.append(row.code)
            continue
        name, area = existing[row.code]
        same_shape = shapely.normalize(area.geometry).equals_exact(
            shapely.normalize(shapely.from_wkb(row.wkb)), 1e-9
        )
        if area.parent != row.parent_code:
            result.reparented[row.code] = (str(area.parent), str(row.parent_code))
        if same_shape and name == row.name and area.parent == row.parent_code:
            result.unchanged.append(row.code)
        else:
            result.changed.append(row.code)
    return result


def existing_areas(conn: connection, level: str) -> dict[str, tuple[str, Area]]:
    """The level's areas in the store: code -> (name, Area with its parent's code)."""
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
    return {code: (name, Area(up, shapely.from_wkb(bytes(wkb)))) for code, name, up, wkb in rows}


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
