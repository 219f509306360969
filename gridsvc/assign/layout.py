"""The problem cut into cells (a group within a block) and components solved on their own."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gridsvc.assign.problem import Bools, Ints, Problem


@dataclass(frozen=True)
class Layout:
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


def layout(problem: Problem) -> Layout:
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
    return Layout(
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
