"""Builders of small assignment problems, by hand or at random."""

from __future__ import annotations

import numpy as np

from gridsvc.assign import Problem


def line_problem(
    households: list[float],
    reps: list[float],
    *,
    hh_group: list[int] | None = None,
    rep_group: list[int] | None = None,
    hh_block: list[int] | None = None,
    rep_block: list[int] | None = None,
    key: list[bool] | None = None,
    prev: list[int] | None = None,
    min_load: int = 0,
    max_load: int = 15,
) -> Problem:
    """Households and representatives on the x axis (metres)."""
    nh, nr = len(households), len(reps)
    return Problem(
        hh_xy=np.column_stack([households, np.zeros(nh)]),
        hh_group=np.array(hh_group or [0] * nh),
        hh_block=np.array(hh_block or [0] * nh),
        hh_key=np.array(key or [False] * nh),
        rep_xy=np.column_stack([reps, np.zeros(nr)]),
        rep_group=np.array(rep_group or [0] * nr),
        rep_block=np.array(rep_block or [0] * nr),
        rep_min=np.full(nr, min_load),
        rep_max=np.full(nr, max_load),
        hh_prev=np.array(prev if prev is not None else [-1] * nh),
    )


def random_problem(
    rng: np.random.Generator,
    *,
    sections: int = 2,
    key_share: float = 0.0,
    min_load: int = 5,
    max_load: int = 15,
) -> Problem:
    """A feasible random street: each group's households fit its representatives' loads."""
    hh_xy, hh_group, hh_block, rep_xy, rep_group, rep_block = [], [], [], [], [], []
    group = 0
    for section in range(sections):
        for _ in range(int(rng.integers(1, 4))):
            centre = rng.uniform(0, 3000, 2)
            n_reps = int(rng.integers(2, 7))
            n_house = int(rng.integers(min_load * n_reps, max_load * n_reps + 1))
            hh_xy.append(centre + rng.normal(0, 150, (n_house, 2)))
            rep_xy.append(centre + rng.normal(0, 150, (n_reps, 2)))
            hh_group += [group] * n_house
            hh_block += [section] * n_house
            rep_group += [group] * n_reps
            rep_block += [section] * n_reps
            group += 1
    n = len(hh_group)
    m = len(rep_group)
    return Problem(
        hh_xy=np.concatenate(hh_xy),
        hh_group=np.array(hh_group),
        hh_block=np.array(hh_block),
        hh_key=rng.random(n) < key_share,
        rep_xy=np.concatenate(rep_xy),
        rep_group=np.array(rep_group),
        rep_block=np.array(rep_block),
        rep_min=np.full(m, min_load),
        rep_max=np.full(m, max_load),
    )


def with_units(problem: Problem, rng: np.random.Generator, spread_m: float = 0.0) -> Problem:
    """Most households of each group in units of 2..12 at one stairwell (give or take)."""
    unit = np.full(problem.n_households, -1)
    for group in np.unique(problem.hh_group):
        members = rng.permutation(np.flatnonzero(problem.hh_group == group))
        start, label = 0, 0
        while start < 0.8 * len(members):
            part = members[start : start + int(rng.integers(2, 13))]
            problem.hh_xy[part] = problem.hh_xy[part[0]] + rng.normal(0, spread_m, (len(part), 2))
            unit[part] = group * 1000 + label
            start, label = start + len(part), label + 1
    problem.hh_unit = unit
    return problem
