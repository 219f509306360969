"""Part of a problem (some blocks) as a problem of its own, and a solution put back together."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gridsvc.assign.problem import Bools, Ints, Problem
from gridsvc.assign.solve import Solution


@dataclass(frozen=True)
class Subset:
    """A sub-problem and where its households and representatives sit in the whole."""

    problem: Problem
    households: Ints  # indices into the whole problem's households
    reps: Ints  # indices into the whole problem's representatives


def take(problem: Problem, hh: Ints, reps: Ints, hh_fixed: Ints | None = None) -> Problem:
    """The households `hh` and representatives `reps` as a problem of their own, re-indexed:
    previous and pinned representatives outside it become -1 (or `hh_fixed`, local, if
    given); forbidden pairs inside it are kept."""
    local = np.full(problem.n_reps, -1, np.int64)
    local[reps] = np.arange(len(reps))
    hh_local = np.full(problem.n_households, -1, np.int64)
    hh_local[hh] = np.arange(len(hh))

    def rep_index(values: Ints) -> Ints:
        return np.where(values >= 0, local[np.maximum(values, 0)], -1)

    forbidden = problem.forbidden
    keep = (hh_local[forbidden[:, 0]] >= 0) & (local[forbidden[:, 1]] >= 0)
    return Problem(
        hh_xy=problem.hh_xy[hh],
        hh_group=problem.hh_group[hh],
        hh_block=problem.hh_block[hh],
        hh_key=problem.hh_key[hh],
        rep_xy=problem.rep_xy[reps],
        rep_group=problem.rep_group[reps],
        rep_block=problem.rep_block[reps],
        rep_min=problem.rep_min[reps],
        rep_max=problem.rep_max[reps],
        hh_prev=rep_index(problem.hh_prev[hh]),
        hh_unit=problem.hh_unit[hh],
        hh_fixed=rep_index(problem.hh_fixed[hh]) if hh_fixed is None else hh_fixed,
        forbidden=np.column_stack([hh_local[forbidden[keep, 0]], local[forbidden[keep, 1]]]).astype(
            np.int64
        ),
    )


def blocks_subset(problem: Problem, blocks: Ints) -> Subset:
    """The households and representatives of `blocks`, as a problem of their own."""
    hh = np.flatnonzero(np.isin(problem.hh_block, blocks))
    reps = np.flatnonzero(np.isin(problem.rep_block, blocks))
    return Subset(take(problem, hh, reps), hh, reps)


def kept_solution(problem: Problem, keep: Bools) -> Solution:
    """Households under `keep` stay with their previous representative (distances and group
    crossings recomputed); the others are left uncovered for the caller to fill."""
    rep = np.where(keep, problem.hh_prev, -1).astype(np.int64)
    served = rep >= 0
    distance = np.full(problem.n_households, np.nan)
    delta = problem.hh_xy[served] - problem.rep_xy[rep[served]]
    distance[served] = np.hypot(delta[:, 0], delta[:, 1])
    crossing = np.zeros(problem.n_households, bool)
    crossing[served] = problem.hh_group[served] != problem.rep_group[rep[served]]
    return Solution(rep, distance, crossing, 0.0, 0, 0)


def merge(whole: Solution, part: Solution, subset: Subset) -> Solution:
    """`whole` with the households of `subset` taken from `part` (its solved blocks)."""
    rep = whole.rep.copy()
    rep[subset.households] = np.where(part.rep >= 0, subset.reps[np.maximum(part.rep, 0)], -1)
    distance = whole.distance_m.copy()
    distance[subset.households] = part.distance_m
    crossing = whole.cross_group.copy()
    crossing[subset.households] = part.cross_group
    return Solution(
        rep,
        distance,
        crossing,
        part.solve_seconds,
        part.blocks,
        part.arcs,
        arcs_seconds=part.arcs_seconds,
    )
