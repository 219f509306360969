"""Pins, forbidden pairs and building units in the optimiser, and optimality with them."""

from __future__ import annotations

import numpy as np
import pytest

from gridsvc.assign import Params, Problem, solve
from gridsvc.assign.diagnostics import split_units
from tests.assign.factories import line_problem, random_problem
from tests.assign.test_optimality import lp_optimum


def with_steering(problem: Problem, *, unit=None, fixed=None, forbidden=None) -> Problem:  # type: ignore[no-untyped-def]
    if unit is not None:
        problem.hh_unit = np.asarray(unit)
    if fixed is not None:
        problem.hh_fixed = np.asarray(fixed)
    if forbidden is not None:
        problem.forbidden = np.asarray(forbidden).reshape(-1, 2)
    return problem


def test_a_fixed_pin_beats_distance_and_group() -> None:
    problem = line_problem([1, 2, 3], [0, 100], hh_group=[0, 0, 0], rep_group=[0, 1])
    result = solve(with_steering(problem, fixed=[1, -1, -1]), Params(min_load=0))
    assert result.rep.tolist() == [1, 0, 0]


def test_a_forbidden_pair_is_never_made() -> None:
    problem = line_problem([1, 2, 3], [0, 100])
    result = solve(with_steering(problem, forbidden=[[0, 0]]), Params(min_load=0))
    assert result.rep.tolist() == [1, 0, 0]


def test_a_unit_of_six_with_room_is_kept_whole() -> None:
    # six households of one building unit at x=30 and singles; B must still reach its minimum
    # of 5: the singles nearest the middle go to B, the unit stays whole with A
    problem = line_problem([30] * 6 + [10, 48, 52, 70, 80, 90], [0, 100], min_load=5, max_load=15)
    result = solve(with_steering(problem, unit=[7] * 6 + [-1] * 6))
    assert np.bincount(result.rep).tolist() == [7, 5]
    assert len(set(result.rep[:6].tolist())) == 1
    assert split_units(problem, result) == []


def test_a_unit_larger_than_any_room_splits_into_the_fewest_parts() -> None:
    problem = line_problem([50] * 20, [0, 100, 400], max_load=15)
    result = solve(with_steering(problem, unit=[3] * 20), Params(min_load=0))
    parts = np.bincount(result.rep, minlength=3)
    assert sorted(parts.tolist()) == [0, 5, 15]
    (split,) = split_units(problem, result)
    assert split.parts == 2 and "larger than a representative's room" in split.reason


def test_a_unit_keeps_its_representative_on_a_rerun() -> None:
    problem = line_problem([50] * 6, [0, 60], prev=[1] * 6, min_load=0)
    result = solve(with_steering(problem, unit=[1] * 6), Params(min_load=0, stability_m=100))
    assert result.rep.tolist() == [1] * 6


@pytest.mark.parametrize("seed", range(20))
def test_with_pins_and_units_equals_the_lp_of_the_model(seed: int) -> None:
    rng = np.random.default_rng(2000 + seed)
    problem = random_problem(rng, sections=2, min_load=0)
    n = problem.n_households
    # building units: households snapped onto a few shared points per group
    unit = np.full(n, -1)
    for group in np.unique(problem.hh_group):
        members = np.flatnonzero(problem.hh_group == group)
        chosen = rng.choice(members, size=min(len(members), 12), replace=False)
        for k, part in enumerate(np.array_split(chosen, 3)):
            if not len(part):
                continue
            problem.hh_xy[part] = problem.hh_xy[part[0]]
            unit[part] = group * 10 + k
    fixed = np.full(n, -1)
    for h in rng.choice(n, size=3, replace=False):  # pin to a representative of its group
        fixed[h] = rng.choice(np.flatnonzero(problem.rep_group == problem.hh_group[h]))
    free = np.flatnonzero(fixed < 0)
    forbid = []
    for h in rng.choice(free, size=3, replace=False):
        forbid.append([h, rng.choice(np.flatnonzero(problem.rep_group == problem.hh_group[h]))])
    with_steering(problem, unit=unit, fixed=fixed, forbidden=forbid)
    result = solve(problem, Params(min_load=0))
    assert result.covered.all()
    assert all(result.rep[h] == fixed[h] for h in np.flatnonzero(fixed >= 0))
    assert all(result.rep[h] != r for h, r in forbid)
    best = lp_optimum(problem)
    assert best - 1e-6 <= result.distance_m.sum() <= best + 0.05 * n
