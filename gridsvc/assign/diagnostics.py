"""Explain strained places: groups without room, groups too small, isolated representatives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from scipy.spatial import cKDTree

from gridsvc.assign.problem import Floats, Params, Problem
from gridsvc.assign.solve import Solution

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
    for group in np.unique(np.concatenate([problem.hh_group, problem.rep_group])):
        hs = np.flatnonzero(problem.hh_group == group)
        rs = np.flatnonzero(problem.rep_group == group)
        label = name(int(group), str(group))
        room, need = int(problem.rep_max[rs].sum()), int(problem.rep_min[rs].sum())
        if len(hs) > room:
            left = hs[(solution.rep[hs] < 0) | solution.cross_group[hs]]
            site, gain = (
                best_new_site(problem.hh_xy[left], params.max_load) if len(left) else (None, 0)
            )
            findings.append(
                Finding(
                    "group_over_capacity",
                    f"group {label}: {len(hs)} households but room for {room} with {len(rs)} "
                    f"representatives; {len(hs) - room} left over "
                    f"({int((solution.rep[hs] < 0).sum())} uncovered, "
                    f"{int(solution.cross_group[hs].sum())} served by another group); a new "
                    f"representative at the marked point would take {gain} of them",
                    group=int(group),
                    households=len(hs) - room,
                    point_xy=site,
                )
            )
        elif len(hs) < need:
            short = int(np.maximum(problem.rep_min[rs] - loads[rs], 0).sum())
            findings.append(
                Finding(
                    "group_under_minimum",
                    f"group {label}: {len(hs)} households cannot give its {len(rs)} "
                    f"representatives their minimum of {need}; {short} contacts short",
                    group=int(group),
                    households=short,
                )
            )
    findings.extend(_isolated(problem, name, rep_name))
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
    problem: Problem, name: Callable[[int, object], str], rep_name: Callable[[int], str]
) -> list[Finding]:
    found = []
    for group in np.unique(problem.rep_group):
        hs = np.flatnonzero(problem.hh_group == group)
        rs = np.flatnonzero(problem.rep_group == group)
        if len(hs):
            nearest, _ = cKDTree(problem.hh_xy[hs]).query(problem.rep_xy[rs])
        else:
            nearest = np.full(len(rs), np.inf)
        for r, d in zip(rs, np.atleast_1d(nearest), strict=True):
            if d > ISOLATED_M:
                found.append(
                    Finding(
                        "rep_isolated",
                        f"representative {rep_name(int(r))} of group "
                        f"{name(int(group), group)}: no household of the group within "
                        f"{ISOLATED_M:.0f} m",
                        group=int(group),
                        rep=int(r),
                    )
                )
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
    found = []
    for unit in np.unique(problem.hh_unit[eligible]):
        members = np.flatnonzero(eligible & (problem.hh_unit == unit))
        reps = np.unique(solution.rep[members])
        if len(reps) < 2:
            continue
        group_reps = problem.rep_group == problem.hh_group[members[0]]
        room = int(problem.rep_max[group_reps].max()) if group_reps.any() else 0
        reason = (
            f"larger than a representative's room ({len(members)} > {room})"
            if len(members) > room
            else "the loads of the group required it"
        )
        found.append(SplitUnit(int(unit), len(members), len(reps), reason))
    return found
