"""Gathering split building units: within the budget, every constraint kept, stable on re-runs."""

from __future__ import annotations

import numpy as np
import pytest

from gridsvc.assign import Params, Problem, Solution, solve
from gridsvc.assign.cohesion import keep_units_together
from gridsvc.assign.diagnostics import split_units
from gridsvc.assign.solve import served_distances
from tests.assign.factories import line_problem, random_problem, with_units


def run(problem: Problem, params: Params) -> tuple[Solution, Solution, float]:
    flow = solve(problem, params)
    gathered, extra = keep_units_together(problem, flow)
    return flow, gathered, extra


def hand_made(
    households: list[float], unit: list[int], rep: list[int], max_load: list[int]
) -> tuple[Problem, Solution]:
    """Representatives A (x=0) and B (x=100), households on the x axis assigned as `rep`
    says, the unit's households marked 7."""
    problem = line_problem(households, [0, 100])
    problem.hh_unit = np.where(np.array(unit) > 0, 7, -1)
    problem.rep_max = np.array(max_load)
    assignment = np.array(rep)
    distance, cross = served_distances(problem, assignment)
    return problem, Solution(assignment, distance, cross, 0.0, 1, 0, Params(min_load=0))


def test_a_split_that_costs_nothing_to_mend_is_mended() -> None:
    # A has room: the unit's member at B (50 m from both) joins it directly
    problem, split = hand_made(
        [10, 10, 90, 90, 50, 50, 50], [0, 0, 0, 0, 1, 1, 0], [0, 0, 1, 1, 0, 1, 1], [4, 4]
    )
    gathered, extra = keep_units_together(problem, split)
    assert gathered.rep[4] == gathered.rep[5] and extra == pytest.approx(0.0)
    assert np.nansum(gathered.distance_m) == pytest.approx(np.nansum(split.distance_m))


@pytest.mark.parametrize(("budget", "mended"), [(0.003, False), (1.0, True)])
def test_an_exchange_is_made_only_within_the_budget(budget: float, mended: bool) -> None:
    # both are full: the unit is mended only by exchanging a member for a household at
    # x=10 or x=90, which costs 80 m, 57 % of the 140 m total
    problem, split = hand_made(
        [10, 10, 90, 90, 50, 50], [0, 0, 0, 0, 1, 1], [0, 0, 1, 1, 0, 1], [3, 3]
    )
    params = Params(min_load=0, units_budget=budget)
    gathered, extra = keep_units_together(problem, split, params=params)
    assert bool(gathered.rep[4] == gathered.rep[5]) is mended
    assert extra == pytest.approx(80.0 if mended else 0.0)
    assert np.bincount(gathered.rep).tolist() == [3, 3]


def test_no_exchange_costs_as_much_as_the_stability_threshold() -> None:
    # the households to exchange are now 100 m farther from the other side: not below S
    problem, split = hand_made(
        [-100, -100, 200, 200, 50, 50], [0, 0, 0, 0, 1, 1], [0, 0, 1, 1, 0, 1], [3, 3]
    )
    params = Params(min_load=0, units_budget=1.0)
    gathered, extra = keep_units_together(problem, split, params=params)
    assert gathered is split and extra == 0.0
    loose = Params(min_load=0, units_budget=1.0, stability_m=0.0)
    assert keep_units_together(problem, split, params=loose)[1] == pytest.approx(100.0)


def test_with_keep_units_off_the_flow_optimum_is_returned() -> None:
    problem = with_units(
        random_problem(np.random.default_rng(1), sections=2), np.random.default_rng(1)
    )
    flow = solve(problem, Params(keep_units=False))
    result, extra = keep_units_together(problem, flow)
    assert result is flow and extra == 0.0


@pytest.mark.parametrize("seed", range(20))
def test_gathering_keeps_every_constraint_and_stays_within_the_budget(seed: int) -> None:
    rng = np.random.default_rng(3000 + seed)
    problem = with_units(random_problem(rng, sections=3, key_share=0.1), rng, seed % 3)
    n = problem.n_households
    fixed = np.full(n, -1)
    for h in rng.choice(n, 3, replace=False):
        fixed[h] = rng.choice(np.flatnonzero(problem.rep_group == problem.hh_group[h]))
    problem.hh_fixed = fixed
    problem.forbidden = np.array([[h, rng.integers(problem.n_reps)] for h in rng.choice(n, 5)])
    params = Params(units_budget=float(rng.choice([0.0, 0.003, 0.02])))
    flow = solve(problem, params)
    gathered, extra = keep_units_together(problem, flow)
    before = np.bincount(flow.rep, minlength=problem.n_reps)
    after = np.bincount(gathered.rep, minlength=problem.n_reps)
    within = (problem.rep_min <= before) & (before <= problem.rep_max)
    assert ((problem.rep_min <= after) & (after <= problem.rep_max))[within].all()
    assert np.array_equal(gathered.covered, flow.covered)
    assert np.array_equal(gathered.cross_group, flow.cross_group)
    assert np.array_equal(gathered.rep[problem.hh_key], flow.rep[problem.hh_key])
    assert np.array_equal(gathered.rep[fixed >= 0], fixed[fixed >= 0])
    assert not any(gathered.rep[h] == r for h, r in problem.forbidden)
    total, flow_total = np.nansum(gathered.distance_m), np.nansum(flow.distance_m)
    assert total - flow_total == pytest.approx(extra, abs=1e-6)
    for block in np.unique(problem.hh_block):  # the budget holds block by block
        mine = problem.hh_block == block
        added = np.nansum(gathered.distance_m[mine]) - np.nansum(flow.distance_m[mine])
        assert added <= params.units_budget * np.nansum(flow.distance_m[mine]) + 1e-6
    assert len(split_units(problem, gathered)) <= len(split_units(problem, flow))


@pytest.mark.parametrize("seed", range(20))
def test_a_rerun_of_the_same_problem_moves_no_one(seed: int) -> None:
    rng = np.random.default_rng(4000 + seed)
    problem = with_units(random_problem(rng, sections=3, key_share=0.08), rng, seed % 2 * 3.0)
    _, first, _ = run(problem, Params())
    problem.hh_prev = first.rep.copy()
    flow, again, extra = run(problem, Params())
    assert np.array_equal(flow.rep, first.rep)
    assert np.array_equal(again.rep, first.rep) and extra == 0.0


@pytest.mark.parametrize("seed", range(10))
def test_after_a_change_the_next_rerun_moves_no_one(seed: int) -> None:
    rng = np.random.default_rng(5000 + seed)
    problem = with_units(random_problem(rng, sections=3, key_share=0.08), rng)
    _, first, _ = run(problem, Params())
    previous = first.rep.copy()  # as if 15 households had been moved by hand
    for h in rng.choice(problem.n_households, 15, replace=False):
        previous[h] = rng.choice(np.flatnonzero(problem.rep_group == problem.hh_group[h]))
    problem.hh_prev = previous
    _, changed, _ = run(problem, Params())
    problem.hh_prev = changed.rep.copy()
    _, again, _ = run(problem, Params())
    assert np.array_equal(again.rep, changed.rep)
