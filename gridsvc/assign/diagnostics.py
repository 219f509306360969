"""Explain strained places: groups without room, groups too small, isolated representatives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from scipy.spatial import cKDTree

from gridsvc.assign.groups import GroupIndex, distinct, nearest_in_group
from gridsvc.assign.problem import Floats, Params, Problem
from gridsvc.assign.solve import Solution
from gridsvc.assign.units import unit_parts

ISOLATED_M = 1000.0


@dataclass
class Finding:
    """One thing a planner should know, about one group or representative (by index)."""

    kind: str  # group_over_capacity, group_under_minimum, rep_isolated, key_over_limit
    message: str
    group: int | None = None
    rep: int | None = None
    households: int = 0
    point_xy: tuple[float, float] | None = None  # metres, in the problem's projection

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def best_new_site(points: Floats, room: int) -> tuple[tuple[float, float], int]:
    """Where one new representative would serve most of `points`: the point whose `room`
    nearest neighbours are closest together (a medoid), and how many lie within 300 m."""
    k = min(room, len(points))
    distances, _ = cKDTree(points).query(points, k=k)
    spread = distances.reshape(len(points), -1).sum(axis=1)
    best = int(np.argmin(spread))
    within = int((np.hypot(*(points - points[best]).T) <= 300).sum())
    return (float(points[best, 0]), float(points[best, 1])), min(within, room)


def explain(
    problem: Problem,
    solution: Solution,
    params: Params,
    group_names: dict[int, str] | None = None,
    rep_names: list[str] | None = None,
) -> list[Finding]:
    """Findings, worst first: capacity shortfalls, unmet minimums, isolated representatives."""
    names = group_names or {}

    def name(group: int, default: object) -> str:
        return names.get(group, str(default))

    def rep_name(r: int) -> str:
        return rep_names[r] if rep_names else f"#{r}"

    findings: list[Finding] = []
    loads = np.bincount(solution.rep[solution.covered], minlength=problem.n_reps)
    labels = distinct(np.concatenate([problem.hh_group, problem.rep_group]))
    hh_index = GroupIndex.of(problem.hh_group, labels)
    rep_of = np.searchsorted(labels, problem.rep_group)
    n_h = hh_index.sizes()
    room = np.bincount(rep_of, weights=problem.rep_max, minlength=len(labels)).astype(np.int64)
    need = np.bincount(rep_of, weights=problem.rep_min, minlength=len(labels)).astype(np.int64)
    n_r = np.bincount(rep_of, minlength=len(labels))
    short = np.bincount(
        rep_of, weights=np.maximum(problem.rep_min - loads, 0), minlength=len(labels)
    ).astype(np.int64)
    # only the groups with something to say are looked at one by one
    for i in np.flatnonzero((n_h > room) | (n_h < need)).tolist():
        group = int(labels[i])
        label = name(group, str(group))
        if n_h[i] > room[i]:
            hs = hh_index.members(i)
            left = hs[(solution.rep[hs] < 0) | solution.cross_group[hs]]
            site, gain = (
                best_new_site(problem.hh_xy[left], params.max_load) if len(left) else (None, 0)
            )
            findings.append(
                Finding(
                    "group_over_capacity",
                    f"group {label}: {n_h[i]} households but room for {room[i]} with {n_r[i]} "
                    f"representatives; {n_h[i] - room[i]} left over "
                    f"({int((solution.rep[hs] < 0).sum())} uncovered, "
                    f"{int(solution.cross_group[hs].sum())} served by another group); a new "
                    f"representative at the marked point would take {gain} of them",
                    group=group,
                    households=int(n_h[i] - room[i]),
                    point_xy=site,
                )
            )
        else:
            findings.append(
                Finding(
                    "group_under_minimum",
                    f"group {label}: {n_h[i]} households cannot give its {n_r[i]} "
                    f"representatives their minimum of {need[i]}; {short[i]} contacts short",
                    group=group,
                    households=int(short[i]),
                )
            )
    findings.extend(_isolated(problem, name, rep_name, solution))
    findings.extend(_key_over_limit(problem, solution, params, rep_name))
    order = {
        "group_over_capacity": 0,
        "group_under_minimum": 1,
        "key_over_limit": 2,
        "rep_isolated": 3,
    }
    findings.sort(key=lambda f: (order[f.kind], -f.households))
    return findings


def _isolated(
    problem: Problem,
    name: Callable[[int, object], str],
    rep_name: Callable[[int], str],
    solution: Solution | None = None,
) -> list[Finding]:
    """Representatives with no household of their group within ISOLATED_M. One that serves a
    household of its group that near is not isolated: only the others are looked up, among
    the households of their own groups (a small part of a city)."""
    candidates = np.arange(problem.n_reps)
    if solution is not None:
        own = solution.covered & ~solution.cross_group
        served = np.full(problem.n_reps, np.inf)
        np.minimum.at(served, solution.rep[own], solution.distance_m[own])
        candidates = np.flatnonzero(~(served <= ISOLATED_M))
    households = np.flatnonzero(np.isin(problem.hh_group, problem.rep_group[candidates]))
    nearest, _ = nearest_in_group(
        problem.rep_xy[candidates],
        problem.rep_group[candidates],
        problem.hh_xy[households],
        problem.hh_group[households],
    )
    found = []
    for r in candidates[nearest > ISOLATED_M].tolist():
        group = int(problem.rep_group[r])
        found.append(
            Finding(
                "rep_isolated",
                f"representative {rep_name(r)} of group {name(group, group)}: no household "
                f"of the group within {ISOLATED_M:.0f} m",
                group=group,
                rep=r,
            )
        )
    found.sort(key=lambda f: (f.group, f.rep))  # group by group, as the planner reads them
    return found


def _key_over_limit(
    problem: Problem, solution: Solution, params: Params, rep_name: Callable[[int], str]
) -> list[Finding]:
    covered = solution.covered & problem.hh_key
    key_loads = np.bincount(solution.rep[covered], minlength=problem.n_reps)
    return [
        Finding(
            "key_over_limit",
            f"representative {rep_name(int(r))} contacts {key_loads[r]} key "
            f"households (limit {params.key_max}): the group has too few representatives "
            "for its key households",
            group=int(problem.rep_group[r]),
            rep=int(r),
            households=int(key_loads[r] - params.key_max),
        )
        for r in np.flatnonzero(key_loads > params.key_max)
    ]


@dataclass
class SplitUnit:
    """A building unit whose households went to more than one representative."""

    unit: int
    households: int
    parts: int
    reason: str


def split_units(problem: Problem, solution: Solution) -> list[SplitUnit]:
    """Units served by several representatives, and why: too big for one, or the loads."""
    eligible = (problem.hh_unit >= 0) & ~problem.hh_key & (problem.hh_fixed < 0) & solution.covered
    parts = unit_parts(problem.hh_unit, solution.rep, eligible)
    n_parts = parts.n_parts
    split = np.flatnonzero(n_parts >= 2)
    labels = distinct(problem.rep_group)
    room_of = np.zeros(len(labels), np.int64)
    np.maximum.at(room_of, np.searchsorted(labels, problem.rep_group), problem.rep_max)
    first = parts.members[parts.unit_start[split]]
    group = problem.hh_group[first]
    at = np.searchsorted(labels, group).clip(0, max(len(labels) - 1, 0))
    has_reps = (labels[at] == group) if len(labels) else np.zeros(len(split), bool)
    room = np.where(has_reps, room_of[at] if len(labels) else 0, 0)
    size = np.diff(parts.unit_start)[split]
    found = []
    for unit, n, k, cap in zip(
        problem.hh_unit[first].tolist(),
        size.tolist(),
        n_parts[split].tolist(),
        room.tolist(),
        strict=True,
    ):
        reason = (
            f"larger than a representative's room ({n} > {cap})"
            if n > cap
            else "the loads of the group required it"
        )
        found.append(SplitUnit(unit, n, k, reason))
    return found
