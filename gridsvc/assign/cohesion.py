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
import itertools
import os
from dataclasses import replace

import numpy as np

from gridsvc.assign import units as unit_mod
from gridsvc.assign.groups import GroupIndex, distinct
from gridsvc.assign.plans import Planner
from gridsvc.assign.pool import map_shared, shared
from gridsvc.assign.problem import Bools, Floats, Ints, Params, Problem
from gridsvc.assign.solve import Solution, served_distances
from gridsvc.assign.subset import take

_MARGIN_M = 1.0  # below S by this much, plus rounding of the flow's decimetres per move
_ROUNDING_M = 0.1
_EPS_M = 1e-6
_PARALLEL_FROM = 50_000  # households; below this one process is faster than a pool
_TASKS_PER_WORKER = 4


def keep_units_together(
    problem: Problem, solution: Solution, *, params: Params | None = None
) -> tuple[Solution, float]:
    """Gather split units within the budget; return the new solution and the metres added.
    `params` defaults to those the solution was solved with; with keep_units=False the
    solution is returned as it is. Blocks are independent: large problems are cut into runs
    of blocks gathered in parallel (forked workers, as the solve)."""
    params = params or solution.params
    n = problem.n_households
    if not params.keep_units or n == 0 or problem.n_reps == 0:
        return solution, 0.0
    workers = params.workers or ((os.cpu_count() or 1) if n >= _PARALLEL_FROM else 1)
    if workers <= 1:
        rep, added = _gather(
            problem, solution.rep, solution.cross_group, solution.distance_m, params
        )
    else:
        labels = distinct(np.concatenate([problem.hh_block, problem.rep_block]))
        hh_blocks = GroupIndex.of(problem.hh_block, labels)
        rep_blocks = GroupIndex.of(problem.rep_block, labels)
        tasks = _block_runs(hh_blocks, workers)
        state = (problem, solution, params, hh_blocks, rep_blocks)
        rep, added = solution.rep.copy(), 0.0
        for members, local_rep, local_added in map_shared(_gather_blocks, tasks, state, workers):
            rep[members] = local_rep
            added += local_added
    if not added and np.array_equal(rep, solution.rep):
        return solution, 0.0
    distance, cross = served_distances(problem, rep)
    return replace(solution, rep=rep, distance_m=distance, cross_group=cross), added


def _block_runs(blocks: GroupIndex, workers: int) -> list[tuple[int, int]]:
    """Runs of consecutive blocks (first, last + 1) of about equal numbers of households."""
    n = int(blocks.starts[-1])
    size = max(1, n // (workers * _TASKS_PER_WORKER))
    cuts = np.unique(np.searchsorted(blocks.starts[:-1], np.arange(0, n, size), side="right") - 1)
    bounds = np.append(cuts.clip(0), len(blocks))
    return [(int(a), int(b)) for a, b in itertools.pairwise(np.unique(bounds).tolist())]


def _gather_blocks(first: int, last: int) -> tuple[Ints, Ints, float]:
    """In a worker: gather the units of blocks first..last-1; their households (global
    indices), representatives (global) and the metres added."""
    problem, solution, params, hh_blocks, rep_blocks = shared()
    hs = hh_blocks.order[hh_blocks.starts[first] : hh_blocks.starts[last]]
    rs = rep_blocks.order[rep_blocks.starts[first] : rep_blocks.starts[last]]
    if not len(rs):
        return hs, solution.rep[hs], 0.0  # nobody serves these blocks: nothing to gather
    local_of = np.full(problem.n_reps, -1, np.int64)
    local_of[rs] = np.arange(len(rs))

    def local(global_rep: Ints) -> Ints:
        return np.where(global_rep >= 0, local_of[np.maximum(global_rep, 0)], -1)

    rep, fixed = local(solution.rep[hs]), local(problem.hh_fixed[hs])
    # a pin to a representative outside the run (the solver ignored it) still holds the
    # household where it is, as in the serial gathering
    fixed = np.where((problem.hh_fixed[hs] >= 0) & (fixed < 0), rep, fixed)
    part = take(problem, hs, rs, hh_fixed=fixed)
    new_rep, added = _gather(part, rep, solution.cross_group[hs], solution.distance_m[hs], params)
    return hs, np.where(new_rep >= 0, rs[np.maximum(new_rep, 0)], -1), added


def _gather(
    problem: Problem, flow_rep: Ints, flow_cross: Bools, flow_m: Floats, params: Params
) -> tuple[Ints, float]:
    """The gathering on one problem (serially): new representatives and the metres added."""
    rep = flow_rep.copy()
    parts = unit_mod.unit_parts(
        problem.hh_unit, rep, unit_mod.eligible_members(problem, rep, flow_cross)
    )
    n_parts = parts.n_parts
    split = np.flatnonzero(n_parts >= 2)
    if not len(split):
        return rep, 0.0
    anchored = (problem.hh_prev >= 0) & (rep == problem.hh_prev)
    in_whole_unit = np.zeros(problem.n_households, bool)
    in_whole_unit[parts.members] = (n_parts == 1)[parts.member_unit()]
    partner_ok = (
        ~problem.hh_key
        & (problem.hh_fixed < 0)
        & (rep >= 0)
        & ~flow_cross
        & ~anchored
        & ~in_whole_unit
    )
    planner = Planner(problem, rep, partner_ok, anchored, params.stability_m)
    cost, target = _first_costs(problem, rep, parts, split, partner_ok, anchored, planner)
    blocks, hh_block = np.unique(problem.hh_block, return_inverse=True)
    covered = rep >= 0
    block_m = np.bincount(hh_block[covered], weights=flow_m[covered], minlength=len(blocks))
    first = parts.members[parts.unit_start[split]]
    listed = parts.members.tolist()
    bounds = zip(
        parts.unit_start[split].tolist(), parts.unit_start[split + 1].tolist(), strict=True
    )
    unit_members = [tuple(listed[a:b]) for a, b in bounds]
    budget = _Budget(params.units_budget * block_m, params.stability_m)
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
        members = unit_members[i]
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
    return planner.rep, added


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
        plan = planner.best(tuple(parts.unit_members(int(split[i])).tolist()))
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
        return bool(distance <= self.distance_left[block] + _EPS_M)

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
