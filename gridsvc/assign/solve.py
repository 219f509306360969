"""Solve the assignment exactly as a min-cost flow, block by block (OR-Tools SimpleMinCostFlow).

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

Candidate arcs: all pairs inside a group (up to `k_nearest` representatives, else each
household's k nearest plus each representative's 30 nearest); households of a group that
lacks capacity also get arcs to the other groups of the block. No other household can cross
in an optimum, so the restriction loses nothing.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.spatial import cKDTree

from gridsvc.assign.problem import Bools, Floats, Ints, Params, Problem
from gridsvc.errors import InfeasibleError

_REP_NEAREST = 30
_COST_LIMIT = 2**62
_PARALLEL_FROM = 50_000  # households; below this one process is faster than a pool


@dataclass
class Solution:
    """One representative index per household (-1: uncovered), with the distances."""

    rep: Ints
    distance_m: Floats
    cross_group: Bools
    solve_seconds: float
    blocks: int
    arcs: int

    @property
    def covered(self) -> Bools:
        return self.rep >= 0


@dataclass
class _Block:
    """One block's arrays, local indices only (what a worker process receives)."""

    hh_xy: Floats
    hh_group: Ints
    hh_key: Bools
    hh_prev: Ints
    hh_unit: Ints
    hh_fixed: Ints
    forbidden: Ints
    rep_xy: Floats
    rep_group: Ints
    rep_min: Ints
    rep_max: Ints


def solve(problem: Problem, params: Params | None = None) -> Solution:
    """Assign every household of `problem`; blocks are independent and may run in parallel."""
    params = params or Params()
    started = time.perf_counter()
    n = problem.n_households
    rep = np.full(n, -1, np.int64)
    blocks, hh_index, rep_index = _split(problem)
    results = _run_blocks(blocks, params, n)
    arcs = 0
    for (local_rep, n_arcs), hh_idx, rep_idx in zip(results, hh_index, rep_index, strict=True):
        served = local_rep >= 0
        rep[hh_idx[served]] = rep_idx[local_rep[served]]
        arcs += n_arcs
    distance = np.full(n, np.nan)
    cross = np.zeros(n, bool)
    ok = rep >= 0
    distance[ok] = np.hypot(*(problem.hh_xy[ok] - problem.rep_xy[rep[ok]]).T)
    cross[ok] = problem.hh_group[ok] != problem.rep_group[rep[ok]]
    return Solution(rep, distance, cross, time.perf_counter() - started, len(blocks), arcs)


def _local(global_rep: Ints, local_of: Ints) -> Ints:
    return np.where(global_rep >= 0, local_of[np.maximum(global_rep, 0)], -1)


def _split(problem: Problem) -> tuple[list[_Block], list[Ints], list[Ints]]:
    blocks, hh_index, rep_index = [], [], []
    hh_order = np.argsort(problem.hh_block, kind="stable")
    rep_order = np.argsort(problem.rep_block, kind="stable")
    hh_ids, hh_starts = np.unique(problem.hh_block[hh_order], return_index=True)
    rep_ids, rep_starts = np.unique(problem.rep_block[rep_order], return_index=True)
    rep_slices = dict(zip(rep_ids.tolist(), np.split(rep_order, rep_starts[1:]), strict=True))
    hh_local = np.full(problem.n_households, -1, np.int64)
    for block_id, hh_idx in zip(hh_ids.tolist(), np.split(hh_order, hh_starts[1:]), strict=True):
        r_idx = rep_slices.get(block_id, np.empty(0, np.int64))
        local_of = np.full(problem.n_reps, -1, np.int64)
        local_of[r_idx] = np.arange(len(r_idx))
        hh_local[hh_idx] = np.arange(len(hh_idx))
        pairs = problem.forbidden[np.isin(problem.forbidden[:, 0], hh_idx)]
        forbidden = np.column_stack([hh_local[pairs[:, 0]], _local(pairs[:, 1], local_of)])
        blocks.append(
            _Block(
                problem.hh_xy[hh_idx],
                problem.hh_group[hh_idx],
                problem.hh_key[hh_idx],
                _local(problem.hh_prev[hh_idx], local_of),
                problem.hh_unit[hh_idx],
                _local(problem.hh_fixed[hh_idx], local_of),
                forbidden[forbidden[:, 1] >= 0],
                problem.rep_xy[r_idx],
                problem.rep_group[r_idx],
                problem.rep_min[r_idx],
                problem.rep_max[r_idx],
            )
        )
        hh_index.append(hh_idx)
        rep_index.append(r_idx)
    return blocks, hh_index, rep_index


def _run_blocks(blocks: list[_Block], params: Params, n: int) -> list[tuple[Ints, int]]:
    workers = params.workers or (os.cpu_count() or 1 if n >= _PARALLEL_FROM else 1)
    if workers <= 1 or len(blocks) < 2:
        return [_solve_block(b, params) for b in blocks]
    chunk = max(1, len(blocks) // (workers * 8))
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(_solve_block, blocks, [params] * len(blocks), chunksize=chunk))


def _candidate_pairs(h_xy: Floats, r_xy: Floats, k: int) -> tuple[Ints, Ints]:
    """Household/representative index pairs worth an arc: all, or the nearest ones."""
    nh, nr = len(h_xy), len(r_xy)
    if nr == 0 or nh == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if nr <= k:
        return np.repeat(np.arange(nh), nr), np.tile(np.arange(nr), nh)
    _, near_r = cKDTree(r_xy).query(h_xy, k=k)
    kh = min(_REP_NEAREST, nh)
    _, near_h = cKDTree(h_xy).query(r_xy, k=kh)
    keys = np.concatenate(
        [
            np.repeat(np.arange(nh), k) * nr + near_r.reshape(-1),
            near_h.reshape(-1) * nr + np.repeat(np.arange(nr), kh),
        ]
    )
    keys = np.unique(keys)
    return keys // nr, keys % nr


def _block_pairs(b: _Block, params: Params) -> tuple[Ints, Ints, Bools]:
    """Candidate arcs of a block: inside each group, plus crossing arcs for short groups;
    then the pins: a fixed household keeps one arc, a forbidden pair loses its arc."""
    heads_h, heads_r, crossing = [], [], []
    for group in np.unique(b.hh_group):
        hs = np.flatnonzero(b.hh_group == group)
        rs = np.flatnonzero(b.rep_group == group)
        h, r = _candidate_pairs(b.hh_xy[hs], b.rep_xy[rs], params.k_nearest)
        heads_h.append(hs[h])
        heads_r.append(rs[r])
        crossing.append(np.zeros(len(h), bool))
        if len(hs) > b.rep_max[rs].sum():  # the group lacks room: let it reach its neighbours
            others = np.flatnonzero(b.rep_group != group)
            h, r = _candidate_pairs(b.hh_xy[hs], b.rep_xy[others], max(params.k_nearest, 60))
            heads_h.append(hs[h])
            heads_r.append(others[r])
            crossing.append(np.ones(len(h), bool))
    ph = np.concatenate(heads_h) if heads_h else np.empty(0, np.int64)
    pr = np.concatenate(heads_r) if heads_r else np.empty(0, np.int64)
    cross = np.concatenate(crossing) if crossing else np.empty(0, bool)
    nr = len(b.rep_xy)
    keep = ~np.isin(ph * nr + pr, b.forbidden[:, 0] * nr + b.forbidden[:, 1])
    keep &= b.hh_fixed[ph] < 0
    fixed = np.flatnonzero(b.hh_fixed >= 0)
    return (
        np.concatenate([ph[keep], fixed]),
        np.concatenate([pr[keep], b.hh_fixed[fixed]]),
        np.concatenate([cross[keep], np.zeros(len(fixed), bool)]),
    )


def _items(b: _Block) -> tuple[Ints, Ints]:
    """Supply nodes: a unit's ordinary households with the same current representative form
    one node; key, pinned and restricted households stay single. Returns each household's
    node and each node's size."""
    n = len(b.hh_xy)
    single = (
        (b.hh_unit < 0) | b.hh_key | (b.hh_fixed >= 0) | np.isin(np.arange(n), b.forbidden[:, 0])
    )
    label = np.where(single, -1 - np.arange(n), b.hh_unit * (len(b.rep_xy) + 1) + b.hh_prev + 1)
    _, item_of = np.unique(label, return_inverse=True)
    return item_of, np.bincount(item_of)


def _solve_block(b: _Block, params: Params) -> tuple[Ints, int]:
    """Local representative index per household of the block (-1: uncovered), and arc count."""
    nh, nr = len(b.hh_xy), len(b.rep_xy)
    if nr == 0:
        return np.full(nh, -1, np.int64), 0
    ph, pr, cross = _block_pairs(b, params)
    metres = np.hypot(*(b.hh_xy[ph] - b.rep_xy[pr]).T)
    weight = np.where(b.hh_key[ph], params.key_weight, 1.0)
    moved = (b.hh_prev[ph] >= 0) & (b.hh_prev[ph] != pr)
    base_m = metres * weight + np.where(moved, params.stability_m, 0.0)
    item_of, sizes = _items(b)
    keys, inverse = np.unique(item_of[ph] * nr + pr, return_inverse=True)
    arc_item, arc_rep = keys // nr, keys % nr
    counts = np.bincount(inverse)
    arc_base = np.bincount(inverse, weights=base_m) / counts
    arc_cross = np.bincount(inverse, weights=cross) > 0
    item_key = np.zeros(len(sizes), bool)
    item_key[item_of[b.hh_key]] = True
    for resolution in (10.0, 1.0, 0.1):  # decimetres unless the penalties would overflow
        costs = _Costs.for_block(b, sizes, arc_item, arc_base, arc_cross, resolution)
        if costs.fits(len(sizes), nh, nr):
            break
    else:
        raise InfeasibleError(f"a block of {nh} households is too large to solve exactly")
    flows = _flow(b, params, sizes, item_key, arc_item, arc_rep, costs)
    return _distribute(item_of, arc_item, arc_rep, flows, costs.arc), len(keys)


@dataclass(frozen=True)
class _Costs:
    arc: Ints
    p_key: int
    m_min: int
    cross: int
    uncovered: int

    @classmethod
    def for_block(
        cls,
        b: _Block,
        sizes: Ints,
        arc_item: Ints,
        arc_base: Floats,
        arc_cross: Bools,
        resolution: float,
    ) -> _Costs:
        arc = np.rint(arc_base * resolution).astype(np.int64)
        worst = np.zeros(len(sizes), np.int64)
        np.maximum.at(worst, arc_item, arc)
        distance_bound = int((worst * sizes).sum()) + 1
        p_key = distance_bound
        m_min = p_key * (int(b.hh_key.sum()) + 1)
        p_cross = m_min * (int(b.rep_min.sum()) + 1)
        crossers = int(sizes[np.unique(arc_item[arc_cross])].sum())
        # every served unit may pay M_MIN, so covering one more must outweigh all of them
        uncovered = p_cross * (crossers + 1) + m_min * (int(sizes.sum()) + 1)
        return cls(arc + np.where(arc_cross, p_cross, 0), p_key, m_min, p_cross, uncovered)

    def fits(self, n_items: int, nh: int, nr: int) -> bool:
        """OR-Tools scales costs by the node count: keep the largest total within int64."""
        nodes = n_items + 2 * nr + 2
        return self.uncovered * (nh + 1) * (nodes + 1) < _COST_LIMIT


def _flow(
    b: _Block,
    params: Params,
    sizes: Ints,
    item_key: Bools,
    arc_item: Ints,
    arc_rep: Ints,
    costs: _Costs,
) -> Ints:
    """Flow on each item->representative arc (key items' direct arcs added in)."""
    ni, nr, nh = len(sizes), len(b.rep_xy), len(b.hh_xy)
    rep_node = ni + np.arange(nr)
    key_node = ni + nr + np.arange(nr)
    uncovered, sink = ni + 2 * nr, ni + 2 * nr + 1
    is_key = item_key[arc_item]
    tails = [arc_item, arc_item[is_key], key_node, rep_node, rep_node, np.arange(ni), [uncovered]]
    heads = [
        np.where(is_key, key_node[arc_rep], rep_node[arc_rep]),
        rep_node[arc_rep[is_key]],
        rep_node,
        [sink] * nr,
        [sink] * nr,
        [uncovered] * ni,
        [sink],
    ]
    caps = [
        sizes[arc_item],
        np.ones(int(is_key.sum())),
        [params.key_max] * nr,
        b.rep_min,
        b.rep_max - b.rep_min,
        sizes,
        [nh],
    ]
    unit = [
        costs.arc,
        costs.arc[is_key] + costs.p_key,
        np.zeros(nr),
        np.zeros(nr),
        np.full(nr, costs.m_min),
        np.full(ni, costs.uncovered),
        [0],
    ]
    flow = min_cost_flow.SimpleMinCostFlow()
    first = flow.add_arcs_with_capacity_and_unit_cost(
        *(
            np.concatenate([np.asarray(x, np.int64) for x in part])
            for part in (tails, heads, caps, unit)
        )
    )
    supplies = np.concatenate([sizes, np.zeros(2 * nr + 1, np.int64), [-nh]])
    flow.set_nodes_supplies(np.arange(ni + 2 * nr + 2), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise InfeasibleError(
            f"min-cost flow ended with status {status} on a block of "
            f"{nh} households and {nr} representatives"
        )
    n_arcs = len(arc_item)
    amount = flow.flows(first[:n_arcs]).astype(np.int64)
    amount[is_key] += flow.flows(first[n_arcs : n_arcs + int(is_key.sum())]).astype(np.int64)
    return amount


def _distribute(item_of: Ints, arc_item: Ints, arc_rep: Ints, flows: Ints, arc_cost: Ints) -> Ints:
    """Give each node's households to the representatives its flow went to, nearest first."""
    local = np.full(len(item_of), -1, np.int64)
    members = np.argsort(item_of, kind="stable")
    starts = np.searchsorted(item_of[members], np.arange(item_of.max() + 1))
    taken = np.zeros(len(starts), np.int64)
    order = np.lexsort((arc_cost, arc_item))  # by node, nearest representative first
    for a in order[flows[order] > 0]:
        item, count = arc_item[a], flows[a]
        chosen = members[starts[item] + taken[item] : starts[item] + taken[item] + count]
        local[chosen] = arc_rep[a]
        taken[item] += count
    return local
