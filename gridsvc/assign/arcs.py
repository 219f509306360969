"""Candidate arcs of a batch of components: which representatives may serve which households."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from gridsvc.assign.groups import distinct
from gridsvc.assign.problem import Bools, Floats, Ints, Params

REP_NEAREST = 30  # each representative's nearest households get arcs in large groups
CROSS_NEAREST = 60  # representatives of other groups offered to a group without room
ALL_PAIRS_UP_TO = 40  # representatives: a group with no more has every pair as an arc


@dataclass
class Batch:
    """Whole components, their households and representatives in cell order, local indices.

    A cell is a group within a block. A component is one cell, or a whole block when one of its
    groups lacks room or a pin crosses groups; components are solved independently.
    """

    hh: Ints  # global index of each household
    rep: Ints  # global index of each representative
    hh_xy: Floats
    rep_xy: Floats
    hh_key: Bools
    hh_size: Ints  # households each entry stands for (a node of a unit's households: several)
    hh_unit: Ints  # rank of the building unit, -1: none
    hh_prev: Ints  # local representative, -1: none or outside the component
    hh_fixed: Ints  # local pinned representative, -1: none or outside the component
    rep_min: Ints
    rep_max: Ints
    cell_h: Ints  # household boundaries of each cell (len cells + 1)
    cell_r: Ints  # representative boundaries of each cell
    cell_comp: Ints  # component of each cell
    comp_penalised: Bools  # components holding a group without room: lexicographic penalties
    forbidden: Ints  # local household * len(rep) + local representative, sorted

    @property
    def n_cells(self) -> int:
        return len(self.cell_h) - 1

    def hh_cell(self) -> Ints:
        return np.repeat(np.arange(self.n_cells), np.diff(self.cell_h))

    def rep_cell(self) -> Ints:
        return np.repeat(np.arange(self.n_cells), np.diff(self.cell_r))

    def comp_bounds(self, cell_bounds: Ints) -> Ints:
        """Boundaries of each component in an array ordered by cell."""
        first = np.searchsorted(self.cell_comp, np.arange(self.cell_comp[-1] + 2))
        return cell_bounds[first]


def all_pairs(cell_h: Ints, cell_r: Ints, cells: Ints) -> tuple[Ints, Ints]:
    """Every household/representative pair of each of `cells`, vectorised across cells."""
    nh = (cell_h[cells + 1] - cell_h[cells]).astype(np.int64)
    nr = (cell_r[cells + 1] - cell_r[cells]).astype(np.int64)
    per_cell = nh * nr
    total = int(per_cell.sum())
    if total == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    cell_of = np.repeat(np.arange(len(cells)), per_cell)
    offset = np.arange(total) - np.repeat(np.cumsum(per_cell) - per_cell, per_cell)
    h = cell_h[cells][cell_of] + offset // nr[cell_of]
    r = cell_r[cells][cell_of] + offset % nr[cell_of]
    return h, r


def nearest_pairs(h_xy: Floats, r_xy: Floats, k: int) -> tuple[Ints, Ints]:
    """Each household's k nearest representatives and each representative's nearest
    households (all pairs when there are at most k representatives)."""
    nh, nr = len(h_xy), len(r_xy)
    if nr == 0 or nh == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if nr <= k:
        return np.repeat(np.arange(nh), nr), np.tile(np.arange(nr), nh)
    _, near_r = cKDTree(r_xy).query(h_xy, k=k)
    kh = min(REP_NEAREST, nh)
    _, near_h = cKDTree(h_xy).query(r_xy, k=kh)
    keys = distinct(
        np.concatenate(
            [
                np.repeat(np.arange(nh), k) * nr + near_r.reshape(-1),
                near_h.reshape(-1) * nr + np.repeat(np.arange(nr), kh),
            ]
        )
    )
    return keys // nr, keys % nr


def candidate_arcs(b: Batch, params: Params) -> tuple[Ints, Ints, Bools]:
    """(household, representative, crossing) of every arc worth offering, deduplicated.

    Inside each cell: all pairs, or the nearest ones in large groups. A group without room also
    reaches the other groups of its block. Each household keeps an arc to its current
    representative (so stability can always keep it). A pinned household has only its pin; a
    forbidden pair has no arc. No other pair is used by an optimum in practice (the restriction
    to nearest neighbours only applies to groups of more than k_nearest representatives).
    """
    k = params.k_nearest
    cells = np.arange(b.n_cells)
    n_r = np.diff(b.cell_r)
    parts_h, parts_r = [], []
    h, r = all_pairs(b.cell_h, b.cell_r, cells[n_r <= max(k, ALL_PAIRS_UP_TO)])
    parts_h.append(h)
    parts_r.append(r)
    for c in cells[n_r > max(k, ALL_PAIRS_UP_TO)].tolist():  # large groups: nearest neighbours only
        h0, r0 = int(b.cell_h[c]), int(b.cell_r[c])
        h, r = nearest_pairs(b.hh_xy[h0 : b.cell_h[c + 1]], b.rep_xy[r0 : b.cell_r[c + 1]], k)
        parts_h.append(h + h0)
        parts_r.append(r + r0)
    hh_cell, rep_cell = b.hh_cell(), b.rep_cell()
    room = np.bincount(rep_cell, weights=b.rep_max, minlength=b.n_cells)
    households = np.bincount(hh_cell, weights=b.hh_size, minlength=b.n_cells)
    short = cells[(households > room) & b.comp_penalised[b.cell_comp]]
    comp_r = b.comp_bounds(b.cell_r)
    for c in short.tolist():  # a group without room reaches the rest of its block
        comp = b.cell_comp[c]
        others = np.r_[comp_r[comp] : b.cell_r[c], b.cell_r[c + 1] : comp_r[comp + 1]]
        hs = np.arange(b.cell_h[c], b.cell_h[c + 1])
        h, r = nearest_pairs(b.hh_xy[hs], b.rep_xy[others], max(k, CROSS_NEAREST))
        parts_h.append(hs[h])
        parts_r.append(others[r])
    has_prev = np.flatnonzero(b.hh_prev >= 0)
    parts_h.append(has_prev)
    parts_r.append(b.hh_prev[has_prev])
    ph, pr = np.concatenate(parts_h), np.concatenate(parts_r)
    nr_all = len(b.rep)
    keys = ph * nr_all + pr
    keep = (b.hh_fixed[ph] < 0) & ~np.isin(keys, b.forbidden)
    fixed = np.flatnonzero(b.hh_fixed >= 0)
    keys = distinct(np.concatenate([keys[keep], fixed * nr_all + b.hh_fixed[fixed]]))
    ph, pr = keys // nr_all, keys % nr_all
    # a pin is the planner's word: it pays no crossing penalty
    cross = (rep_cell[pr] != hh_cell[ph]) & (b.hh_fixed[ph] < 0)
    return ph, pr, cross
