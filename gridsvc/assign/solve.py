"""Solve the assignment exactly as a min-cost flow, group by group (OR-Tools SimpleMinCostFlow).

Formulation, for one block (a section). Supply nodes are households, except that the ordinary
households of one building unit with the same current representative form one node that
supplies their number (a unit is then kept whole unless capacity or loads make it split); key
and pinned households stay single. The sink absorbs every unit. Arcs (capacity / unit cost):

    node -> representative             size / d·w (+S if not current) (+CROSS other group)
    key node -> rep's key node          1 / same cost
    rep's key node -> representative    K / 0                  (at most K key households)
    key node -> representative          1 / cost + P_KEY       (the K limit, softened)
    representative -> sink              min / 0
    representative -> sink              max - min / M_MIN      (load above the minimum)
    node -> uncovered -> sink           size / UNS             (only when nothing else fits)

d is the straight-line distance in metres (projected; the mean over a unit's households), w
the key weight, S the stability bonus. A pinned household has one arc, to its representative,
with no crossing penalty; a forbidden pair has none. The penalties are lexicographic: each
exceeds the largest total the levels below can reach in the block, so the optimum first covers
every household it can, then keeps households in their own group, then fills every
representative's minimum, then keeps key households within K, and only then minimises
distance. With no key households, no current assignment and a feasible block, it is the plain
transportation optimum.

Decomposition: a block whose groups all have room and whose pins stay inside their groups
has no arc between groups, so each group is solved on its own. When a group can meet every
level at no penalty, the penalty arcs are dropped (exact demands, see network.py): the same
optimum, found faster. Candidate arcs (arcs.py) are made once per supply node (batch.py).
"""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field

import numpy as np

from gridsvc.assign.batch import solve_batch
from gridsvc.assign.groups import distinct
from gridsvc.assign.layout import Layout, layout
from gridsvc.assign.pool import map_shared
from gridsvc.assign.problem import Bools, Floats, Ints, Params, Problem

_PARALLEL_FROM = 50_000  # households; below this one process is faster than a pool
_TASKS_PER_WORKER = 8  # batches per worker, so that a slow batch does not idle the others
_BATCH_MIN, _BATCH_MAX = 2_000, 10_000  # households; small batches keep arrays in cache


@dataclass
class Solution:
    """One representative index per household (-1: uncovered), with the distances."""

    rep: Ints
    distance_m: Floats
    cross_group: Bools
    solve_seconds: float
    blocks: int
    arcs: int
    params: Params = field(default_factory=Params)  # what it was solved with
    arcs_seconds: float = 0.0  # making the candidate arcs, summed over the workers

    @property
    def covered(self) -> Bools:
        return self.rep >= 0


def solve(problem: Problem, params: Params | None = None) -> Solution:
    """Assign every household of `problem`; components are independent and may run in
    parallel (forked workers that read the problem without copying it)."""
    params = params or Params()
    started = time.perf_counter()
    n = problem.n_households
    cells = layout(problem)
    workers = params.workers or ((os.cpu_count() or 1) if n >= _PARALLEL_FROM else 1)
    tasks = _batches(cells, workers)
    results = map_shared(solve_batch, tasks, (problem, params, cells), workers)
    rep = np.full(n, -1, np.int64)
    n_arcs, arc_seconds = 0, 0.0
    for (c0, c1), (batch_rep, batch_arcs, batch_seconds) in zip(tasks, results, strict=True):
        comp_h = cells.cell_h[np.searchsorted(cells.cell_comp, [c0, c1])]
        rep[cells.hh_order[comp_h[0] : comp_h[1]]] = batch_rep
        n_arcs += batch_arcs
        arc_seconds += batch_seconds
    distance, cross = served_distances(problem, rep)
    blocks = len(distinct(problem.hh_block))
    seconds = time.perf_counter() - started
    return Solution(rep, distance, cross, seconds, blocks, n_arcs, params, arc_seconds)


def served_distances(problem: Problem, rep: Ints) -> tuple[Floats, Bools]:
    """Each household's distance to its representative (nan: uncovered) and whether that
    representative is of another group."""
    n = problem.n_households
    distance = np.full(n, np.nan)
    cross = np.zeros(n, bool)
    ok = rep >= 0
    distance[ok] = np.hypot(*(problem.hh_xy[ok] - problem.rep_xy[rep[ok]]).T)
    cross[ok] = problem.hh_group[ok] != problem.rep_group[rep[ok]]
    return distance, cross


def _batches(cells: Layout, workers: int) -> list[tuple[int, int]]:
    """Runs of whole components (first, last + 1) of about equal numbers of households."""
    n_comps = len(cells.comp_penalised)
    if n_comps == 0:
        return []
    comp_h = cells.cell_h[np.searchsorted(cells.cell_comp, np.arange(n_comps + 1))]
    n = int(comp_h[-1])
    size = min(_BATCH_MAX, max(_BATCH_MIN, n // (workers * _TASKS_PER_WORKER)))
    cuts = np.unique(np.searchsorted(comp_h, np.arange(0, n, size)))
    bounds = np.append(cuts[cuts < n_comps], n_comps)
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds.tolist())]
