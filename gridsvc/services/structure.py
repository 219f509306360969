"""The street's structure and its figures at five levels: one roll-up for the structure API,
the home page and the audit (worst places first)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridsvc.access import Actor, Role, Show
from gridsvc.assign import Params
from gridsvc.db import figures
from gridsvc.db.connection import Connection
from gridsvc.errors import InputError, NotFound
from gridsvc.services.guard import require_role

LEVELS = ("street", "community", "section", "group", "representative")
KEYS = {
    "community": ["community_code", "community_name"],
    "section": ["section_code", "section_name", "community_code"],
    "group": ["group_code", "group_name", "section_code", "community_code"],
}


@dataclass(frozen=True)
class PlaceFigures:
    """One place (street, community, section or group) in the run in force."""

    level: str
    code: str
    name: str
    community_code: str | None
    section_code: str | None
    sections: int
    groups: int
    households: int
    key_households: int | None  # staff and up, inside their scope
    covered: int
    uncovered: int
    coverage: float | None
    cross_group: int
    representatives: int
    capacity: int
    load_min: int | None
    load_mean: float | None
    load_max: int | None
    loads_out_of_range: int
    key_max_m: float | None
    run_id: int | None


@dataclass(frozen=True)
class RepresentativeFigures:
    """One representative's load against their limits in the run in force."""

    code: str
    group_code: str
    section_code: str
    community_code: str
    load: int
    min_load: int
    max_load: int
    out_of_range: bool


def _int(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[call-overload]


def _roll_up(groups: pd.DataFrame, level: str) -> pd.DataFrame:
    """Group figures summed to `level` (loads: min of mins, max of maxes, mean by weight)."""
    frame = groups.assign(street="street", street_name="街道")
    by = ["street", "street_name"] if level == "street" else KEYS[level]
    out = frame.groupby(by, sort=True, dropna=False).agg(
        sections=("section_code", "nunique"),
        groups=("group_code", "count"),
        households=("households", "sum"),
        key_households=("key_households", "sum"),
        covered=("covered", "sum"),
        cross_group=("cross_group", "sum"),
        key_max_m=("key_max_m", "max"),
        representatives=("representatives", "sum"),
        capacity=("capacity", "sum"),
        load_min=("load_min", "min"),
        load_sum=("load_sum", "sum"),
        load_max=("load_max", "max"),
        loads_out_of_range=("loads_out_of_range", "sum"),
        run_id=("run_id", "first"),
    )
    return out.reset_index()


def _places(actor: Actor, frame: pd.DataFrame, level: str) -> list[PlaceFigures]:
    code_col, name_col = ("street", "street_name") if level == "street" else KEYS[level][:2]
    out = []
    for row in frame.to_dict("records"):
        community = row.get("community_code")
        section = row.get("section_code")
        in_scope = level == "street" or actor.scope.covers(community, section)
        if level == "street" and actor.scope.level != "street":
            in_scope = False
        show_keys = actor.show("household.key_category", in_scope) is Show.full
        households, reps = int(row["households"]), int(row["representatives"])
        out.append(
            PlaceFigures(
                level=level,
                code=str(row[code_col]),
                name=str(row[name_col]),
                community_code=community if level != "community" else row["community_code"],
                section_code=section if level in ("group", "section") else None,
                sections=int(row["sections"]),
                groups=int(row["groups"]),
                households=households,
                key_households=int(row["key_households"]) if show_keys else None,
                covered=int(row["covered"]),
                uncovered=households - int(row["covered"]),
                coverage=round(row["covered"] / households, 4) if households else None,
                cross_group=int(row["cross_group"]),
                representatives=reps,
                capacity=int(row["capacity"]),
                load_min=_int(row["load_min"]),
                load_mean=round(row["load_sum"] / reps, 2) if reps else None,
                load_max=_int(row["load_max"]),
                loads_out_of_range=int(row["loads_out_of_range"]),
                key_max_m=(
                    round(float(row["key_max_m"]), 1)
                    if show_keys and not pd.isna(row["key_max_m"])
                    else None
                ),
                run_id=_int(row["run_id"]),
            )
        )
    return out


def places(
    conn: Connection, actor: Actor, level: str, *, within: str | None = None
) -> list[PlaceFigures]:
    """Every place of `level` with its figures, by code (optionally those within a community
    or section code). Areas, codes and counts are public."""
    if level not in ("street", "community", "section", "group"):
        raise InputError(f"level {level!r}: choose street, community, section or group")
    rules = Params()
    groups = figures.groups(conn, rules.min_load, rules.max_load)
    frame = _roll_up(groups, level)
    if within is not None:
        parent = frame.get("section_code", pd.Series(None, frame.index)) == within
        parent |= frame.get("community_code", pd.Series(None, frame.index)) == within
        frame = frame[parent]
    return _places(actor, frame, level)


def place(conn: Connection, actor: Actor, level: str, code: str) -> PlaceFigures:
    """One place by code."""
    found = [p for p in places(conn, actor, level) if p.code == code]
    if not found:
        raise NotFound(f"{level} {code}: no such {level}")
    return found[0]


def audit(conn: Connection, actor: Actor, level: str) -> list[PlaceFigures]:
    """The roll-up audit: places of `level`, worst first (uncovered households, loads out of
    range, crossings, then the farthest key household)."""
    require_role(actor, Role.viewer, "read the audit")
    return audit_public(places(conn, actor, level))


def audit_public(found: list[PlaceFigures]) -> list[PlaceFigures]:
    """Places worst first, by figures anyone may see (and key distances where shown)."""
    return sorted(
        found,
        key=lambda p: (
            -p.uncovered,
            -p.loads_out_of_range,
            -p.cross_group,
            -(p.key_max_m if p.key_max_m is not None else -np.inf),
        ),
    )


def representative_audit(conn: Connection, actor: Actor) -> list[RepresentativeFigures]:
    """Active representatives, loads out of range first."""
    require_role(actor, Role.viewer, "read the audit")
    rules = Params()
    frame = figures.representatives(conn, rules.min_load, rules.max_load)
    found = [
        RepresentativeFigures(
            code=r["representative"],
            group_code=r["group_code"],
            section_code=r["section_code"],
            community_code=r["community_code"],
            load=int(r["load"]),
            min_load=int(r["min_load"]),
            max_load=int(r["max_load"]),
            out_of_range=bool(r["out_of_range"]),
        )
        for r in frame.to_dict("records")
    ]
    return sorted(found, key=lambda r: (not r.out_of_range, r.code))
