"""Keep building units together after the flow: a second stage that trades distance only.

The flow keeps a unit whole unless capacity, minimum loads or a shorter total split it. Here
each split unit that fits one representative is gathered onto the representative holding most
of it: its other members move there, and as many of that representative's other households
(ordinary, unpinned, of the same group, not in an intact unit) move the other way, cheapest
first. Loads, coverage, crossings, pins and key households are untouched, so nothing ranked
above distance changes; the extra distance is reported.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gridsvc.assign.problem import Problem
from gridsvc.assign.solve import Solution


def _movable(problem: Problem, rep: np.ndarray) -> np.ndarray:
    """Households that may be swapped to make room: ordinary, unpinned, covered, and not part
    of a unit that currently sits whole with one representative."""
    ok = ~problem.hh_key & (problem.hh_fixed < 0) & (rep >= 0)
    units = problem.hh_unit
    for unit in np.unique(units[units >= 0]):
        members = np.flatnonzero(units == unit)
        if len(np.unique(rep[members])) == 1:
            ok[members] = False
    return ok


def keep_units_together(
    problem: Problem, solution: Solution, passes: int = 4
) -> tuple[Solution, float]:
    """Gather split units, pass after pass while any pass still gathers one; return the new
    solution and the metres added."""
    total = 0.0
    for _ in range(passes):
        gathered, added = _one_pass(problem, solution)
        if gathered is solution:
            break
        solution, total = gathered, total + added
    return solution, total


def _one_pass(problem: Problem, solution: Solution) -> tuple[Solution, float]:
    """One sweep over the split units."""
    rep = solution.rep.copy()
    eligible = (problem.hh_unit >= 0) & ~problem.hh_key & (problem.hh_fixed < 0) & (rep >= 0)
    forbidden = {(int(h), int(r)) for h, r in problem.forbidden}
    load = np.bincount(rep[rep >= 0], minlength=problem.n_reps)
    movable = _movable(problem, rep)
    order = np.argsort(problem.hh_unit, kind="stable")
    units, starts = np.unique(problem.hh_unit[order], return_index=True)
    groups = dict(zip(units.tolist(), np.split(order, starts[1:]), strict=True))
    added = 0.0
    for unit, all_members in groups.items():
        if unit < 0:
            continue
        members = all_members[eligible[all_members]]
        parts = np.unique(rep[members])
        if len(parts) < 2:
            continue
        best_plan, best_extra = None, np.inf
        for target in sorted(parts.tolist(), key=lambda t: -int((rep[members] == t).sum())):
            plan, extra = _gather(problem, rep, load, movable, members, target, forbidden)
            if plan is not None and extra < best_extra:
                best_plan, best_extra = plan, extra
        if best_plan is None:
            continue
        for h, to, swap, back in best_plan:
            load[rep[h]] -= 1
            load[to] += 1
            rep[h] = to
            if swap is not None:
                load[to] -= 1
                load[back] += 1
                rep[swap] = back
                movable[swap] = False
        movable[all_members] = False
        added += best_extra
    if np.array_equal(rep, solution.rep):
        return solution, 0.0
    ok = rep >= 0
    distance = np.full(problem.n_households, np.nan)
    distance[ok] = np.hypot(*(problem.hh_xy[ok] - problem.rep_xy[rep[ok]]).T)
    cross = np.zeros(problem.n_households, bool)
    cross[ok] = problem.hh_group[ok] != problem.rep_group[rep[ok]]
    return replace(solution, rep=rep, distance_m=distance, cross_group=cross), added


def _gather(
    problem: Problem,
    rep: np.ndarray,
    load: np.ndarray,
    movable: np.ndarray,
    members: np.ndarray,
    target: int,
    forbidden: set[tuple[int, int]],
) -> tuple[list | None, float]:
    """Moves that bring every member onto `target`: direct when the target has room and the
    donor keeps its minimum, else an exchange with one of the target's movable households."""
    if len(members) > problem.rep_max[target]:
        return None, np.inf
    load = load.copy()
    taken: set[int] = set()
    plan, extra = [], 0.0
    for h in members[rep[members] != target]:
        other = int(rep[h])
        if (int(h), target) in forbidden:
            return None, np.inf
        gain = _dist(problem, h, target) - _dist(problem, h, other)
        if load[target] < problem.rep_max[target] and load[other] - 1 >= problem.rep_min[other]:
            plan.append((h, target, None, None))
            load[target] += 1
            load[other] -= 1
            extra += gain
            continue
        candidates = [
            c
            for c in np.flatnonzero(
                movable & (rep == target) & (problem.hh_group == problem.rep_group[other])
            )
            if int(c) not in taken and (int(c), other) not in forbidden
        ]
        if not candidates:
            return None, np.inf
        cost = [_dist(problem, c, other) - _dist(problem, c, target) for c in candidates]
        swap = candidates[int(np.argmin(cost))]
        taken.add(int(swap))
        plan.append((h, target, swap, other))
        extra += gain + min(cost)
    return plan, extra


def _dist(problem: Problem, h: int, r: int) -> float:
    return float(np.hypot(*(problem.hh_xy[h] - problem.rep_xy[r])))
