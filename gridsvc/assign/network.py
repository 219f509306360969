"""The min-cost flow of one component (OR-Tools): exact demands, or penalties when needed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from gridsvc.assign.problem import Bools, Floats, Ints, Params
from gridsvc.errors import InfeasibleError

_COST_LIMIT = 2**62


@dataclass
class Component:
    """One component's network data, local indices: supply nodes (items) and their arcs."""

    sizes: Ints  # households per item
    item_key: Bools
    arc_item: Ints
    arc_rep: Ints
    arc_m: Floats  # weighted metres plus the stability bonus, per household
    arc_cross: Bools
    rep_min: Ints
    rep_max: Ints
    n_keys: int


def component_flow(c: Component, params: Params, penalised: bool) -> Ints:
    """Households sent along each item->representative arc in an optimum.

    The exact network gives each representative a demand of its minimum and lets it pass up to
    max - min more to the sink; key items go through the representative's key node (capacity
    K). It has no penalty costs, so cost scaling needs few phases. It applies when the
    component can meet every level of the lexicographic objective at no penalty (all covered
    inside their group, every minimum met, keys within K); then its optimum is the model's.
    Otherwise the penalised network decides.
    """
    n_h = int(c.sizes.sum())
    if (
        not penalised
        and int(c.rep_min.sum()) <= n_h <= int(c.rep_max.sum())
        and c.n_keys <= params.key_max * len(c.rep_min)
        and not c.arc_cross.any()
    ):
        flows = _exact(c, params, n_h)
        if flows is not None:
            return flows
    return _penalised(c, params, n_h)


def _arc_costs(c: Component, resolution: float) -> Ints:
    return np.rint(c.arc_m * resolution).astype(np.int64)


def _exact(c: Component, params: Params, n_h: int) -> Ints | None:
    ni, nr = len(c.sizes), len(c.rep_min)
    rep_node = ni + np.arange(nr)
    key_node = ni + nr + np.arange(nr)
    sink = ni + 2 * nr
    is_key = c.item_key[c.arc_item]
    flow = min_cost_flow.SimpleMinCostFlow()
    first = flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([c.arc_item, key_node, rep_node]),
        np.concatenate(
            [np.where(is_key, key_node[c.arc_rep], rep_node[c.arc_rep]), rep_node, [sink] * nr]
        ),
        np.concatenate([c.sizes[c.arc_item], [params.key_max] * nr, c.rep_max - c.rep_min]),
        np.concatenate([_arc_costs(c, 10.0), np.zeros(2 * nr, np.int64)]),
    )
    supplies = np.concatenate([c.sizes, -c.rep_min, np.zeros(nr + 1, np.int64)])
    supplies[sink] = -(n_h - int(c.rep_min.sum()))
    flow.set_nodes_supplies(np.arange(ni + 2 * nr + 1), supplies)
    if flow.solve() != flow.OPTIMAL:
        return None
    flows: Ints = np.asarray(flow.flows(first[: len(c.arc_item)]), np.int64)
    return flows


@dataclass(frozen=True)
class _Penalties:
    arc: Ints
    p_key: int
    m_min: int
    uncovered: int

    @classmethod
    def of(cls, c: Component, resolution: float) -> _Penalties:
        """Each level's penalty exceeds the largest total the levels below can reach."""
        arc = _arc_costs(c, resolution)
        worst = np.zeros(len(c.sizes), np.int64)
        np.maximum.at(worst, c.arc_item, arc)
        p_key = int((worst * c.sizes).sum()) + 1
        m_min = p_key * (c.n_keys + 1)
        p_cross = m_min * (int(c.rep_min.sum()) + 1)
        crossers = int(c.sizes[np.unique(c.arc_item[c.arc_cross])].sum())
        # every served unit may pay M_MIN, so covering one more must outweigh all of them
        uncovered = p_cross * (crossers + 1) + m_min * (int(c.sizes.sum()) + 1)
        return cls(arc + np.where(c.arc_cross, p_cross, 0), p_key, m_min, uncovered)

    def fits(self, n_items: int, n_h: int, n_r: int) -> bool:
        """OR-Tools scales costs by the node count: keep the largest total within int64."""
        return self.uncovered * (n_h + 1) * (n_items + 2 * n_r + 3) < _COST_LIMIT


def _penalised(c: Component, params: Params, n_h: int) -> Ints:
    ni, nr = len(c.sizes), len(c.rep_min)
    for resolution in (10.0, 1.0, 0.1):  # decimetres unless the penalties would overflow
        costs = _Penalties.of(c, resolution)
        if costs.fits(ni, n_h, nr):
            break
    else:
        raise InfeasibleError(f"a block of {n_h} households is too large to solve exactly")
    rep_node = ni + np.arange(nr)
    key_node = ni + nr + np.arange(nr)
    uncovered, sink = ni + 2 * nr, ni + 2 * nr + 1
    is_key = c.item_key[c.arc_item]
    n_key_arcs = int(is_key.sum())
    parts = [  # tail, head, capacity, unit cost
        (c.arc_item, np.where(is_key, key_node[c.arc_rep], rep_node[c.arc_rep]),
         c.sizes[c.arc_item], costs.arc),
        (c.arc_item[is_key], rep_node[c.arc_rep[is_key]],  # over the key limit, softened
         np.ones(n_key_arcs), costs.arc[is_key] + costs.p_key),
        (key_node, rep_node, [params.key_max] * nr, np.zeros(nr)),
        (rep_node, [sink] * nr, c.rep_min, np.zeros(nr)),
        (rep_node, [sink] * nr, c.rep_max - c.rep_min, np.full(nr, costs.m_min)),
        (np.arange(ni), [uncovered] * ni, c.sizes, np.full(ni, costs.uncovered)),
        ([uncovered], [sink], [n_h], [0]),
    ]  # fmt: skip
    flow = min_cost_flow.SimpleMinCostFlow()
    first = flow.add_arcs_with_capacity_and_unit_cost(
        *(np.concatenate([np.asarray(p[i], np.int64) for p in parts]) for i in range(4))
    )
    supplies = np.concatenate([c.sizes, np.zeros(2 * nr + 1, np.int64), [-n_h]])
    flow.set_nodes_supplies(np.arange(ni + 2 * nr + 2), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise InfeasibleError(
            f"min-cost flow ended with status {status} on a block of "
            f"{n_h} households and {nr} representatives"
        )
    n_arcs = len(c.arc_item)
    amount: Ints = np.asarray(flow.flows(first[:n_arcs]), np.int64)
    amount[is_key] += flow.flows(first[n_arcs : n_arcs + n_key_arcs]).astype(np.int64)
    return amount


def distribute(item_of: Ints, arc_item: Ints, arc_rep: Ints, flows: Ints, arc_cost: Floats) -> Ints:
    """Give each item's households to the representatives its flow went to, nearest first
    (vectorised: the k-th household of an item takes the k-th unit of its flow)."""
    local = np.full(len(item_of), -1, np.int64)
    used = np.flatnonzero(flows > 0)
    used = used[np.lexsort((arc_cost[used], arc_item[used]))]
    rep_seq = np.repeat(arc_rep[used], flows[used])
    n_items = int(item_of.max()) + 1 if len(item_of) else 0
    sent = np.bincount(arc_item[used], weights=flows[used], minlength=n_items).astype(np.int64)
    members = np.argsort(item_of, kind="stable")
    sizes = np.bincount(item_of, minlength=n_items)
    rank = np.arange(len(members)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    item = item_of[members]
    served = rank < sent[item]
    local[members[served]] = rep_seq[(np.cumsum(sent) - sent)[item[served]] + rank[served]]
    return local
