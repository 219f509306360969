"""A boundary import checked before it is written: overlaps, areas outside their parent or
the street, and re-parentings that would move households; the dry run's summary."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import shapely

from gridsvc.db import areas as stored
from gridsvc.db.connection import Connection
from gridsvc.errors import InputError
from gridsvc.ingest.coverage import TOLERANCE, Area, Finding, check_coverage

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
    conn: Connection,
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
    if level not in stored.TABLES:
        raise InputError(f"level {level}: choose community, section or group")
    existing = _existing(conn, level)
    new = {
        row.code: Area(row.parent_code, shapely.from_wkb(row.wkb))
        for row in areas.itertuples(index=False)
    }
    result = _compare(level, areas, existing)
    children = _existing(conn, stored.CHILD[level]) if level in stored.CHILD else {}
    findings = check_coverage(
        new,
        {code: area for code, (_, area) in existing.items()},
        stored.parent_shapes(conn, level),
        stored.street_outline(conn),
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
        result.households_moving = stored.households_moved_by(conn, moves)
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
            "allow it with move_households"
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


def _existing(conn: Connection, level: str) -> dict[str, tuple[str, Area]]:
    return {
        code: (name, Area(parent, geometry))
        for code, (name, parent, geometry) in stored.existing_areas(conn, level).items()
    }
