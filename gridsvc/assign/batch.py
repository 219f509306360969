"""One batch of components, solved in a worker: supply nodes, their arcs and costs, the flows."""

from __future__ import annotations

import time

import numpy as np

from gridsvc.assign import arcs, network
from gridsvc.assign.groups import ranges
from gridsvc.assign.layout import Layout
from gridsvc.assign.pool import shared
from gridsvc.assign.problem import Floats, Ints, Problem


def solve_batch(c0: int, c1: int) -> tuple[Ints, int, float]:
    """Global representative per household of components c0..c1-1 (in layout order), the
    number of arcs and the seconds spent making them (nodes, arcs, costs). Runs in a worker:
    the problem comes from the shared state."""
    started = time.perf_counter()
    problem, params, layout = shared()
    b = cut(problem, layout, c0, c1)
    if not len(b.rep):
        return np.full(len(b.hh), -1, np.int64), 0, 0.0  # nobody to serve them
    item_of, first = items(b)
    nodes = _nodes(b, item_of, first)
    # arcs are made for nodes, not households: a unit's households share them
    arc_item, arc_rep, arc_cross = arcs.candidate_arcs(nodes, params)
    metres = _mean_metres(b, item_of, first, arc_item, arc_rep)
    weight = np.where(nodes.hh_key[arc_item], params.key_weight, 1.0)
    moved = (nodes.hh_prev[arc_item] >= 0) & (nodes.hh_prev[arc_item] != arc_rep)
    arc_m = metres * weight + np.where(moved, params.stability_m, 0.0)
    arc_seconds = time.perf_counter() - started
    n_comps = c1 - c0
    item_comp = np.repeat(nodes.cell_comp, np.diff(nodes.cell_h))
    item_bounds = np.searchsorted(item_comp, np.arange(n_comps + 1))
    arc_bounds = np.searchsorted(arc_item, item_bounds)
    rep_bounds = b.comp_bounds(b.cell_r)
    comp_keys = np.bincount(item_comp[item_of[b.hh_key]], minlength=n_comps)
    flows = np.zeros(len(arc_item), np.int64)
    for k in range(n_comps):
        i0, i1 = item_bounds[k], item_bounds[k + 1]
        a0, a1 = arc_bounds[k], arc_bounds[k + 1]
        r0, r1 = rep_bounds[k], rep_bounds[k + 1]
        if i0 == i1 or r0 == r1:
            continue  # no households, or nobody to serve them: uncovered
        part = network.Component(
            sizes=nodes.hh_size[i0:i1],
            item_key=nodes.hh_key[i0:i1],
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
    return np.where(local >= 0, b.rep[np.maximum(local, 0)], -1), len(arc_item), arc_seconds


def cut(problem: Problem, layout: Layout, c0: int, c1: int) -> arcs.Batch:
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
    return arcs.Batch(
        hh=hh,
        rep=rep,
        hh_xy=problem.hh_xy[hh],
        rep_xy=problem.rep_xy[rep],
        hh_key=problem.hh_key[hh],
        hh_size=np.ones(len(hh), np.int64),
        hh_unit=layout.unit_rank[hh],
        hh_prev=local(problem.hh_prev[hh]),
        hh_fixed=local(problem.hh_fixed[hh]),
        rep_min=problem.rep_min[rep],
        rep_max=problem.rep_max[rep],
        cell_h=cell_h,
        cell_r=cell_r,
        cell_comp=cell_comp,
        comp_penalised=layout.comp_penalised[c0:c1],
        forbidden=np.unique(h[ok] * len(rep) + r[ok]),
    )


def items(b: arcs.Batch) -> tuple[Ints, Ints]:
    """Supply nodes: a unit's ordinary households with the same current representative form
    one node; key, pinned and restricted households stay single. Nodes are numbered cell by
    cell. Returns each household's node and each node's first household."""
    n = len(b.hh)
    restricted = np.zeros(n, bool)
    restricted[b.forbidden // max(len(b.rep), 1)] = True
    single = (b.hh_unit < 0) | b.hh_key | (b.hh_fixed >= 0) | restricted
    cell = b.hh_cell()
    unit = np.where(single, -1 - np.arange(n), b.hh_unit)
    prev = np.where(single, 0, b.hh_prev)
    order = np.lexsort((prev, unit, cell))
    new = np.ones(n, bool)
    new[1:] = (
        (np.diff(cell[order]) != 0) | (np.diff(unit[order]) != 0) | (np.diff(prev[order]) != 0)
    )
    item_of = np.empty(n, np.int64)
    item_of[order] = np.cumsum(new) - 1
    first = np.full(int(new.sum()), n, np.int64)
    np.minimum.at(first, item_of, np.arange(n))
    return item_of, first


def _nodes(b: arcs.Batch, item_of: Ints, first: Ints) -> arcs.Batch:
    """The batch with one entry per node (at its first household's point), so that arcs are
    made once per node."""
    cell = b.hh_cell()[first]
    r = max(len(b.rep), 1)
    return arcs.Batch(
        hh=b.hh[first],
        rep=b.rep,
        hh_xy=b.hh_xy[first],
        rep_xy=b.rep_xy,
        hh_key=b.hh_key[first],
        hh_size=np.bincount(item_of, minlength=len(first)),
        hh_unit=b.hh_unit[first],
        hh_prev=b.hh_prev[first],
        hh_fixed=b.hh_fixed[first],
        rep_min=b.rep_min,
        rep_max=b.rep_max,
        cell_h=np.searchsorted(cell, np.arange(b.n_cells + 1)),
        cell_r=b.cell_r,
        cell_comp=b.cell_comp,
        comp_penalised=b.comp_penalised,
        forbidden=item_of[b.forbidden // r] * r + b.forbidden % r,  # restricted: single nodes
    )


def _mean_metres(
    b: arcs.Batch, item_of: Ints, first: Ints, arc_item: Ints, arc_rep: Ints
) -> Floats:
    """Distance of each arc, as the mean over the node's households: the first household's
    when they share its point (a building unit's stairwell), else averaged."""
    metres = np.hypot(*(b.hh_xy[first[arc_item]] - b.rep_xy[arc_rep]).T)
    apart = np.any(b.hh_xy != b.hh_xy[first[item_of]], axis=1)
    spread = np.bincount(item_of[apart], minlength=len(first)) > 0
    some = np.flatnonzero(spread[arc_item])
    if len(some):
        sizes = np.bincount(item_of, minlength=len(first))
        members = np.argsort(item_of, kind="stable")
        starts = np.cumsum(sizes) - sizes
        count = sizes[arc_item[some]]
        h = members[ranges(starts[arc_item[some]], count)]
        arc = np.repeat(np.arange(len(some)), count)
        d = np.hypot(*(b.hh_xy[h] - b.rep_xy[arc_rep[some]][arc]).T)
        metres[some] = np.bincount(arc, weights=d, minlength=len(some)) / count
    return np.asarray(metres, np.float64)
