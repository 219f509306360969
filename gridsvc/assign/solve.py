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
optimum, found faster. Candidate arcs: see arcs.py.
"""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field

import numpy as np

from gridsvc.assign import arcs, network
from gridsvc.assign.groups import distinct
from gridsvc.assign.pool import map_shared, shared
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

    @property
    def covered(self) -> Bools:
        return self.rep >= 0


@dataclass(frozen=True)
class _Layout:
    """The problem in cell order (cell: a group within a block), cut into components."""

    hh_order: Ints
    rep_order: Ints
    hh_pos: Ints  # position of each household in hh_order
    rep_pos: Ints  # position of each representative in rep_order
    cell_h: Ints  # boundaries of each cell in hh_order (len cells + 1)
    cell_r: Ints
    cell_comp: Ints  # component of each cell
    comp_penalised: Bools
    unit_rank: Ints
    forbidden: Ints  # household * n_reps + representative, sorted


def solve(problem: Problem, params: Params | None = None) -> Solution:
    """Assign every household of `problem`; components are independent and may run in
    parallel (forked workers that read the problem without copying it)."""
    params = params or Params()
    started = time.perf_counter()
    n = problem.n_households
    layout = _layout(problem)
    workers = params.workers or ((os.cpu_count() or 1) if n >= _PARALLEL_FROM else 1)
    tasks = _batches(layout, workers)
    results = map_shared(_solve_batch, tasks, (problem, params, layout), workers)
    rep = np.full(n, -1, np.int64)
    n_arcs = 0
    for (c0, c1), (batch_rep, batch_arcs) in zip(tasks, results, strict=True):
        comp_h = layout.cell_h[np.searchsorted(layout.cell_comp, [c0, c1])]
        rep[layout.hh_order[comp_h[0] : comp_h[1]]] = batch_rep
        n_arcs += batch_arcs
    distance, cross = served_distances(problem, rep)
    blocks = len(distinct(problem.hh_block))
    return Solution(rep, distance, cross, time.perf_counter() - started, blocks, n_arcs, params)


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


def _layout(problem: Problem) -> _Layout:
    """Sort once by (block, group); a block is one component when a group of it lacks room or
    a pin crosses its groups, else each of its groups is."""
    n, m = problem.n_households, problem.n_reps
    _, block = np.unique(np.concatenate([problem.hh_block, problem.rep_block]), return_inverse=True)
    _, group = np.unique(np.concatenate([problem.hh_group, problem.rep_group]), return_inverse=True)
    cells, cell_of = np.unique(
        block * (group.max() + 1 if len(group) else 1) + group, return_inverse=True
    )
    hh_cell, rep_cell = cell_of[:n], cell_of[n:]
    cell_block = np.zeros(len(cells), np.int64)
    cell_block[cell_of] = block
    hh_order = np.argsort(hh_cell, kind="stable")
    rep_order = np.argsort(rep_cell, kind="stable")
    n_cells = len(cells)
    cell_h = np.concatenate([[0], np.cumsum(np.bincount(hh_cell, minlength=n_cells))])
    cell_r = np.concatenate([[0], np.cumsum(np.bincount(rep_cell, minlength=n_cells))])
    room = np.bincount(rep_cell, weights=problem.rep_max, minlength=n_cells)
    whole_block = np.zeros(block.max() + 1 if len(block) else 0, bool)
    whole_block[cell_block[np.diff(cell_h) > room]] = True
    pinned = np.flatnonzero(problem.hh_fixed >= 0)
    pin_rep_cell = rep_cell[problem.hh_fixed[pinned]]
    crossing_pin = (pin_rep_cell != hh_cell[pinned]) & (
        cell_block[pin_rep_cell] == cell_block[hh_cell[pinned]]
    )
    whole_block[cell_block[hh_cell[pinned[crossing_pin]]]] = True
    # consecutive cells of a whole block share a component; every other cell is its own
    joined = whole_block[cell_block[1:]] & (cell_block[1:] == cell_block[:-1])
    cell_comp = np.concatenate([[0], np.cumsum(~joined)]) if n_cells else np.empty(0, np.int64)
    comp_penalised = np.zeros(int(cell_comp[-1]) + 1 if n_cells else 0, bool)
    comp_penalised[cell_comp] = whole_block[cell_block]
    hh_pos, rep_pos = np.empty(n, np.int64), np.empty(m, np.int64)
    hh_pos[hh_order] = np.arange(n)
    rep_pos[rep_order] = np.arange(m)
    units = problem.hh_unit
    unit_rank = np.full(n, -1, np.int64)
    unit_rank[units >= 0] = np.unique(units[units >= 0], return_inverse=True)[1]
    forbidden = np.unique(problem.forbidden[:, 0] * m + problem.forbidden[:, 1])
    return _Layout(
        hh_order,
        rep_order,
        hh_pos,
        rep_pos,
        cell_h,
        cell_r,
        cell_comp,
        comp_penalised,
        unit_rank,
        forbidden,
    )


def _batches(layout: _Layout, workers: int) -> list[tuple[int, int]]:
    """Runs of whole components (first, last + 1) of about equal numbers of households."""
    n_comps = len(layout.comp_penalised)
    if n_comps == 0:
        return []
    comp_h = layout.cell_h[np.searchsorted(layout.cell_comp, np.arange(n_comps + 1))]
    n = int(comp_h[-1])
    size = min(_BATCH_MAX, max(_BATCH_MIN, n // (workers * _TASKS_PER_WORKER)))
    cuts = np.unique(np.searchsorted(comp_h, np.arange(0, n, size)))
    bounds = np.append(cuts[cuts < n_comps], n_comps)
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds.tolist())]


def _cut(problem: Problem, layout: _Layout, c0: int, c1: int) -> arcs.Batch:
    """Components c0..c1-1 as a Batch with local indices."""
    cell0, cell1 = np.searchsorted(layout.cell_comp, [c0, c1])
    h0, h1 = int(layout.cell_h[cell0]), int(layout.cell_h[cell1])
    r0, r1 = int(layout.cell_r[cell0]), int(layout.cell_r[cell1])
    hh, rep = layout.hh_order[h0:h1], layout.rep_order[r0:r1]
    cell_h = layout.cell_h[cell0 : cell1 + 1] - h0
    cell_r = layout.cell_r[cell0 : cell1 + 1] - r0
    cell_comp = layout.cell_comp[cell0:cell1] - c0
    hh_comp = np.repeat(cell_comp, np.diff(cell_h))
    rep_comp = np.repeat(cell_comp, np.diff(cell_r))

    def local(global_rep: Ints) -> Ints:
        """A representative's local index when it is in the household's component, else -1."""
        if not len(layout.rep_pos):
            return np.full(len(global_rep), -1, np.int64)
        pos = layout.rep_pos[np.maximum(global_rep, 0)] - r0
        inside = (global_rep >= 0) & (pos >= 0) & (pos < len(rep))
        inside[inside] &= rep_comp[pos[inside]] == hh_comp[inside]
        return np.where(inside, pos, -1)

    m = max(problem.n_reps, 1)
    h = layout.hh_pos[layout.forbidden // m] - h0
    r = layout.rep_pos[layout.forbidden % m] - r0
    ok = (h >= 0) & (h < len(hh)) & (r >= 0) & (r < len(rep))
    forbidden = np.unique(h[ok] * len(rep) + r[ok])
    return arcs.Batch(
        hh=hh,
        rep=rep,
        hh_xy=problem.hh_xy[hh],
        rep_xy=problem.rep_xy[rep],
        hh_key=problem.hh_key[hh],
        hh_unit=layout.unit_rank[hh],
        hh_prev=local(problem.hh_prev[hh]),
        hh_fixed=local(problem.hh_fixed[hh]),
        rep_min=problem.rep_min[rep],
        rep_max=problem.rep_max[rep],
        cell_h=cell_h,
        cell_r=cell_r,
        cell_comp=cell_comp,
        comp_penalised=layout.comp_penalised[c0:c1],
        forbidden=forbidden,
    )


def _items(b: arcs.Batch) -> Ints:
    """Supply nodes: a unit's ordinary households with the same current representative form
    one node; key, pinned and restricted households stay single. Nodes are numbered
    component by component."""
    n = len(b.hh)
    restricted = np.zeros(n, bool)
    restricted[b.forbidden // max(len(b.rep), 1)] = True
    single = (b.hh_unit < 0) | b.hh_key | (b.hh_fixed >= 0) | restricted
    comp = np.repeat(b.cell_comp, np.diff(b.cell_h))
    unit = np.where(single, -1 - np.arange(n), b.hh_unit)
    prev = np.where(single, 0, b.hh_prev)
    order = np.lexsort((prev, unit, comp))
    new = np.ones(n, bool)
    new[1:] = (
        (np.diff(comp[order]) != 0) | (np.diff(unit[order]) != 0) | (np.diff(prev[order]) != 0)
    )
    item_of = np.empty(n, np.int64)
    item_of[order] = np.cumsum(new) - 1
    return item_of


def _solve_batch(c0: int, c1: int) -> tuple[Ints, int]:
    """Global representative per household of components c0..c1-1 (in layout order), and the
    number of arcs. Runs in a worker: the problem comes from the shared state."""
    problem, params, layout = shared()
    b = _cut(problem, layout, c0, c1)
    if not len(b.rep):
        return np.full(len(b.hh), -1, np.int64), 0  # nobody to serve them
    ph, pr, cross = arcs.candidate_arcs(b, params)
    metres = np.hypot(*(b.hh_xy[ph] - b.rep_xy[pr]).T)
    weight = np.where(b.hh_key[ph], params.key_weight, 1.0)
    moved = (b.hh_prev[ph] >= 0) & (b.hh_prev[ph] != pr)
    base_m = metres * weight + np.where(moved, params.stability_m, 0.0)
    item_of = _items(b)
    n_items = int(item_of.max()) + 1 if len(item_of) else 0
    sizes = np.bincount(item_of, minlength=n_items)
    nr = max(len(b.rep), 1)
    keys, inverse = np.unique(item_of[ph] * nr + pr, return_inverse=True)
    arc_item, arc_rep = keys // nr, keys % nr
    arc_m = np.bincount(inverse, weights=base_m) / np.bincount(inverse)
    arc_cross = np.bincount(inverse, weights=cross) > 0
    item_key = np.zeros(n_items, bool)
    item_key[item_of[b.hh_key]] = True
    n_comps = c1 - c0
    item_comp = np.zeros(n_items, np.int64)
    item_comp[item_of] = np.repeat(b.cell_comp, np.diff(b.cell_h))
    item_bounds = np.searchsorted(item_comp, np.arange(n_comps + 1))
    arc_bounds = np.searchsorted(arc_item, item_bounds)
    rep_bounds = b.comp_bounds(b.cell_r)
    comp_keys = np.bincount(item_comp[item_of[b.hh_key]], minlength=n_comps)
    flows = np.zeros(len(keys), np.int64)
    for k in range(n_comps):
        i0, i1 = item_bounds[k], item_bounds[k + 1]
        a0, a1 = arc_bounds[k], arc_bounds[k + 1]
        r0, r1 = rep_bounds[k], rep_bounds[k + 1]
        if i0 == i1 or r0 == r1:
            continue  # no households, or nobody to serve them: uncovered
        part = network.Component(
            sizes=sizes[i0:i1],
            item_key=item_key[i0:i1],
            arc_item=arc_item[a0:a1] - i0,
            arc_rep=arc_rep[a0:a1] - r0,
            arc_m=arc_m[a0:a1],
            arc_cross=arc_cross[a0:a1],
            rep_min=b.rep_min[r0:r1],
            rep_max=b.rep_max[r0:r1],
            n_keys=int(comp_keys[k]),
        )
        flows[a0:a1] = network.component_flow(part, params, bool(b.comp_penalised[k]))
    local = network.distribute(item_of, arc_item, arc_rep, flows, arc_m)
    return np.where(local >= 0, b.rep[np.maximum(local, 0)], -1), len(keys)
