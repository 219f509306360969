"""Keep building units together after the flow: a second stage that trades a little distance.

The flow keeps a unit whole unless capacity, minimum loads or a shorter total split it. Here
split units are gathered onto a representative already holding part of them, cheapest first:
direct moves where the target has room and the donor keeps its minimum, else exchanges with
the target's other movable households (ordinary, unpinned, of the same group, not in a whole
unit). Loads stay in [min, max]; coverage, crossings, pins, forbidden pairs and key households
are untouched, so nothing ranked above distance changes. The extra distance is reported.

Budget, per block: the added distance stays within `units_budget` times the block's flow
optimum (the whole run then within the same share of the flow's total). Stability: a
household the flow left with its current representative is never moved here, and a block's
added cost (distance, less S for a household brought back to its current representative)
stays below S; a re-run from this result cannot gain by undoing any of it, because every
undoing move costs S, so it moves no one.

Work is linear: split units come from one sort, each unit's cost from one vectorised pass,
and only units that may fit a block's remaining budget are planned exactly (Python, within
their group).
"""

from __future__ import annotations

import heapq
from dataclasses import replace

import numpy as np

from gridsvc.assign import units as unit_mod
from gridsvc.assign.plans import Planner
from gridsvc.assign.problem import Params, Problem
from gridsvc.assign.solve import Solution, served_distances

_MARGIN_M = 1.0  # below S by this much, plus rounding of the flow's decimetres per move
_ROUNDING_M = 0.1
_EPS_M = 1e-6


def keep_units_together(
    problem: Problem, solution: Solution, *, params: Params | None = None
) -> tuple[Solution, float]:
    """Gather split units within the budget; return the new solution and the metres added.
    `params` defaults to those the solution was solved with; with keep_units=False the
    solution is returned as it is."""
    params = params or solution.params
    if not params.keep_units or problem.n_households == 0:
        return solution, 0.0
    rep = solution.rep.copy()
    parts = unit_mod.unit_parts(
        problem.hh_unit, rep, unit_mod.eligible_members(problem, rep, solution.cross_group)
    )
    n_parts = parts.n_parts
    split = np.flatnonzero(n_parts >= 2)
    if not len(split):
        return solution, 0.0
    anchored = (problem.hh_prev >= 0) & (rep == problem.hh_prev)
    in_whole_unit = np.zeros(problem.n_households, bool)
    in_whole_unit[parts.members] = (n_parts == 1)[parts.member_unit()]
    partner_ok = (
        ~problem.hh_key
        & (problem.hh_fixed < 0)
        & (rep >= 0)
        & ~solution.cross_group
        & ~anchored
        & ~in_whole_unit
    )
    planner = Planner(problem, rep, partner_ok, anchored, params.stability_m)
    cost, target = _first_costs(problem, rep, parts, split, partner_ok, anchored, planner)
    blocks, hh_block = np.unique(problem.hh_block, return_inverse=True)
    covered = rep >= 0
    flow_m = np.bincount(
        hh_block[covered], weights=solution.distance_m[covered], minlength=len(blocks)
    )
    first = parts.members[parts.unit_start[split]]
    budget = _Budget(params.units_budget * flow_m, params.stability_m)
    # (cost, unit, target): cheapest first; a plan whose cost went up since it was queued
    # goes back in at its new cost
    heap = [
        (c, i, t)
        for i, (c, t) in enumerate(zip(cost.tolist(), target.tolist(), strict=True))
        if c < np.inf
    ]
    heapq.heapify(heap)
    added = 0.0
    while heap:
        queued, i, t = heapq.heappop(heap)
        b, g = int(hh_block[first[i]]), int(problem.hh_group[first[i]])
        if not budget.may_cost(b, queued):
            continue
        members = parts.unit_members(int(split[i]))
        plan = planner.plan(members, t) if t >= 0 else None
        if plan is None or plan.distance > queued + _EPS_M:
            plan = planner.best(members)
            if plan is None:
                continue
            if plan.distance > queued + _EPS_M:
                heapq.heappush(heap, (plan.distance, i, plan.target))
                continue
        if budget.take(b, g, plan.distance, plan.objective, len(plan.moves)):
            planner.apply(plan)
            added += plan.distance
    if not added and np.array_equal(planner.rep, solution.rep):
        return solution, 0.0
    distance, cross = served_distances(problem, planner.rep)
    return replace(solution, rep=planner.rep, distance_m=distance, cross_group=cross), added


def _first_costs(
    problem: Problem,
    rep: np.ndarray,
    parts: unit_mod.Parts,
    split: np.ndarray,
    partner_ok: np.ndarray,
    anchored: np.ndarray,
    planner: Planner,
) -> tuple[np.ndarray, np.ndarray]:
    """Each split unit's gathering cost in the flow's state and its cheapest target:
    vectorised for two-part units (a lower bound), planned exactly for the rarer units of
    three parts or more (target -1: try them all again)."""
    cost = np.zeros(len(split))
    target = np.full(len(split), -1, np.int64)
    two = parts.n_parts[split] == 2
    loads = np.bincount(rep[rep >= 0], minlength=problem.n_reps)
    cost[two], target[two] = unit_mod.two_part_estimates(
        problem, rep, loads, parts, split[two], partner_ok, anchored
    )
    for i in np.flatnonzero(~two).tolist():
        plan = planner.best(parts.unit_members(int(split[i])))
        cost[i] = plan.distance if plan is not None else np.inf
    return cost, target


class _Budget:
    """What each block may still spend: distance within its share of the flow optimum, and a
    stability cost below S over its groups (each group's net cost counted when positive)."""

    def __init__(self, distance_m: np.ndarray, stability_m: float) -> None:
        self.distance_left = distance_m.astype(float)
        self.stability_m = stability_m
        self.block_cost = np.zeros(len(distance_m))
        self.block_moves = np.zeros(len(distance_m), np.int64)
        self.group_cost: dict[int, float] = {}

    def may_cost(self, block: int, distance: float) -> bool:
        return distance <= self.distance_left[block] + _EPS_M

    def take(self, block: int, group: int, distance: float, objective: float, moves: int) -> bool:
        if not self.may_cost(block, distance):
            return False
        old = self.group_cost.get(group, 0.0)
        new = old + objective
        cost = self.block_cost[block] + max(new, 0.0) - max(old, 0.0)
        n_moves = self.block_moves[block] + moves
        # below S with room for the flow's rounding to decimetres: a re-run undoes nothing
        if self.stability_m > 0 and cost + _MARGIN_M + _ROUNDING_M * n_moves >= self.stability_m:
            return False
        self.group_cost[group] = new
        self.block_cost[block], self.block_moves[block] = cost, n_moves
        self.distance_left[block] -= distance
        return True
