"""Building units in an assignment: which are split, and what gathering each would cost."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gridsvc.assign.groups import ranges
from gridsvc.assign.problem import Bools, Floats, Ints, Problem


@dataclass(frozen=True)
class Parts:
    """Eligible unit members grouped by (unit, representative): `members` is sorted so that
    each unit's members are contiguous, and within a unit each part (one representative's
    share) is contiguous."""

    members: Ints
    unit_start: Ints  # boundaries of each unit in members (len units + 1)
    part_start: Ints  # boundaries of each part in members (len parts + 1)
    part_unit: Ints  # unit (index into unit_start) of each part
    part_rep: Ints

    @property
    def n_parts(self) -> Ints:
        return np.bincount(self.part_unit, minlength=len(self.unit_start) - 1)

    def member_unit(self) -> Ints:
        return np.repeat(np.arange(len(self.unit_start) - 1), np.diff(self.unit_start))

    def unit_members(self, u: int) -> Ints:
        return self.members[self.unit_start[u] : self.unit_start[u + 1]]


def unit_parts(unit: Ints, rep: Ints, eligible: Bools) -> Parts:
    """The parts of every unit among the `eligible` households (one sort, no scans)."""
    idx = np.flatnonzero(eligible)
    idx = idx[np.lexsort((rep[idx], unit[idx]))]
    u, r = unit[idx], rep[idx]
    new_unit = np.ones(len(idx), bool)
    new_unit[1:] = u[1:] != u[:-1]
    new_part = new_unit.copy()
    new_part[1:] |= r[1:] != r[:-1]
    unit_start = np.append(np.flatnonzero(new_unit), len(idx))
    part_start = np.append(np.flatnonzero(new_part), len(idx))
    part_unit = np.cumsum(new_unit)[part_start[:-1]] - 1
    return Parts(idx, unit_start, part_start, part_unit, r[part_start[:-1]])


def eligible_members(problem: Problem, rep: Ints, cross: Bools) -> Bools:
    """Unit members the gathering may concern: ordinary, unpinned, served in their group."""
    return (problem.hh_unit >= 0) & ~problem.hh_key & (problem.hh_fixed < 0) & (rep >= 0) & ~cross


def two_part_estimates(
    problem: Problem,
    rep: Ints,
    loads: Ints,
    parts: Parts,
    units: Ints,
    partner_ok: Bools,
    anchored: Bools,
) -> tuple[Floats, Ints]:
    """For each of `units` (exactly two parts each), the cheaper of gathering it onto either
    part's representative (in metres) and that representative. A plan moves the members
    directly while the target has room and the donor stays at its minimum or above, then in
    exchange for the target's cheapest movable households. This is the exact plan's cost in
    the current state, except that forbidden pairs are ignored: a lower bound (inf: none)."""
    first = np.searchsorted(parts.part_unit, units)
    label = problem.hh_unit[parts.members[parts.unit_start[units]]]
    costs = np.full((len(units), 2), np.inf)
    targets = np.zeros((len(units), 2), np.int64)
    xy, rxy = problem.hh_xy, problem.rep_xy
    covered = np.flatnonzero(rep >= 0)
    by_rep = covered[np.argsort(rep[covered], kind="stable")]
    rep_start = np.searchsorted(rep[by_rep], np.arange(problem.n_reps + 1))
    for side in (0, 1):  # side 0: gather onto the first part's representative
        target = parts.part_rep[first + side]
        donor_part = first + 1 - side
        donor = parts.part_rep[donor_part]
        movers = np.diff(parts.part_start)[donor_part]
        owner = np.repeat(np.arange(len(units)), movers)
        h = parts.members[ranges(parts.part_start[donor_part], movers)]
        gain = np.hypot(*(xy[h] - rxy[target[owner]]).T) - np.hypot(*(xy[h] - rxy[donor[owner]]).T)
        mover_cost = np.bincount(owner, weights=gain, minlength=len(units))
        blocked = np.bincount(owner, weights=anchored[h], minlength=len(units)) > 0
        room = np.maximum(problem.rep_max[target] - loads[target], 0)
        give = np.maximum(loads[donor] - problem.rep_min[donor], 0)
        swaps = movers - np.minimum(movers, np.minimum(room, give))
        need = np.flatnonzero(swaps > 0)
        partner = np.zeros(len(units))
        partner[need] = _cheapest_partners(
            problem,
            by_rep,
            rep_start,
            partner_ok,
            target[need],
            donor[need],
            swaps[need],
            label[need],
        )
        costs[:, side] = np.where(blocked, np.inf, mover_cost + partner)
        targets[:, side] = target
    side = costs.argmin(axis=1)
    rows = np.arange(len(units))
    return costs[rows, side], targets[rows, side]


def _cheapest_partners(
    problem: Problem,
    by_rep: Ints,
    rep_start: Ints,
    partner_ok: Bools,
    target: Ints,
    donor: Ints,
    swaps: Ints,
    label: Ints,
) -> Floats:
    """Sum of the `swaps` smallest d(c, donor) - d(c, target) over the movable households c of
    the donor's group at the target, outside the unit itself (inf: too few of them)."""
    count = rep_start[target + 1] - rep_start[target]
    query = np.repeat(np.arange(len(target)), count)
    c = by_rep[ranges(rep_start[target], count)]
    o, t = donor[query], target[query]
    ok = (
        partner_ok[c]
        & (problem.hh_group[c] == problem.rep_group[o])
        & (problem.hh_unit[c] != label[query])
    )
    xy, rxy = problem.hh_xy[c], problem.rep_xy
    value = np.where(ok, np.hypot(*(xy - rxy[o]).T) - np.hypot(*(xy - rxy[t]).T), np.inf)
    order = np.lexsort((value, query))  # by query, cheapest first
    rank = np.arange(len(order)) - np.repeat(np.cumsum(count) - count, count)
    taken = order[rank < swaps[query[order]]]
    total = np.bincount(query[taken], weights=value[taken], minlength=len(target))
    return np.where(count >= swaps, total, np.inf)
