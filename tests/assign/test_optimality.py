"""The optimiser against an independent LP (scipy's HiGHS) and simple invariants."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from gridsvc.assign import Params, Problem, solve
from gridsvc.assign.baseline import greedy_nearest
from tests.assign.factories import random_problem


def lp_optimum(
    problem: Problem,
    *,
    key_weight: float = 1.0,
    key_max: int | None = None,
    stability_m: float = 0.0,
) -> float:
    """The transportation LP inside groups: loads in [min, max], optional key cap, weighted,
    S more for a household leaving its current representative; a pinned household has only
    its pinned pair, a forbidden pair is left out."""
    forbidden = {(int(h), int(r)) for h, r in problem.forbidden}
    pairs = [
        (h, int(r))
        for h in range(problem.n_households)
        for r in (
            np.flatnonzero(problem.rep_group == problem.hh_group[h])
            if problem.hh_fixed[h] < 0
            else [problem.hh_fixed[h]]
        )
        if (h, int(r)) not in forbidden
    ]
    h_idx, r_idx = np.array(pairs).T
    metres = np.hypot(*(problem.hh_xy[h_idx] - problem.rep_xy[r_idx]).T)
    cost = metres * np.where(problem.hh_key[h_idx], key_weight, 1.0)
    prev = problem.hh_prev[h_idx]
    cost += stability_m * ((prev >= 0) & (prev != r_idx))
    cols = np.arange(len(pairs))
    ones = np.ones(len(pairs))
    n, m = problem.n_households, problem.n_reps
    a_eq = coo_matrix((ones, (h_idx, cols)), shape=(n, len(pairs)))
    load = coo_matrix((ones, (r_idx, cols)), shape=(m, len(pairs)))
    a_ub = [load, -load]
    b_ub = [problem.rep_max, -problem.rep_min]
    if key_max is not None:
        key = problem.hh_key[h_idx]
        a_ub.append(coo_matrix((ones[key], (r_idx[key], cols[key])), shape=(m, len(pairs))))
        b_ub.append(np.full(m, key_max))
    from scipy.sparse import vstack

    result = linprog(
        cost,
        A_ub=vstack(a_ub),
        b_ub=np.concatenate(b_ub),
        A_eq=a_eq,
        b_eq=np.ones(n),
        bounds=(0, 1),
        method="highs",
    )
    assert result.status == 0, result.message
    return float(result.fun)


@pytest.mark.parametrize("seed", range(60))
def test_equals_the_transportation_optimum(seed: int) -> None:
    problem = random_problem(np.random.default_rng(seed), sections=int(seed % 3) + 1)
    result = solve(problem, Params())
    ours = float(result.distance_m.sum())
    best = lp_optimum(problem)
    assert result.covered.all() and not result.cross_group.any()
    # costs are integral decimetres: at most 5 cm of rounding per household
    assert best - 1e-6 <= ours <= best + 0.05 * problem.n_households


@pytest.mark.parametrize("seed", range(20))
def test_with_key_households_equals_the_weighted_optimum_under_the_cap(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    problem = random_problem(rng, sections=2, key_share=0.15)
    for group in np.unique(problem.hh_group):  # keep every group within the cap: LP-feasible
        keys = np.flatnonzero(problem.hh_key & (problem.hh_group == group))
        problem.hh_key[keys[3 * int((problem.rep_group == group).sum()) :]] = False
    result = solve(problem, Params(key_weight=2.0, key_max=3))
    weights = np.where(problem.hh_key, 2.0, 1.0)
    ours = float((result.distance_m * weights).sum())
    best = lp_optimum(problem, key_weight=2.0, key_max=3)
    assert np.bincount(result.rep[problem.hh_key], minlength=problem.n_reps).max() <= 3
    assert best - 1e-6 <= ours <= best + 0.1 * problem.n_households


@pytest.mark.parametrize("seed", range(20))
def test_with_current_representatives_equals_the_optimum_with_stability(seed: int) -> None:
    rng = np.random.default_rng(1500 + seed)
    problem = random_problem(rng, sections=2, key_share=0.1)
    for group in np.unique(problem.hh_group):  # keep every group within the key cap
        keys = np.flatnonzero(problem.hh_key & (problem.hh_group == group))
        problem.hh_key[keys[3 * int((problem.rep_group == group).sum()) :]] = False
    problem.hh_prev = np.array(
        [
            rng.choice(np.flatnonzero(problem.rep_group == g)) if rng.random() < 0.7 else -1
            for g in problem.hh_group
        ]
    )
    result = solve(problem, Params(key_weight=2.0, key_max=3, stability_m=100.0))
    moved = (problem.hh_prev >= 0) & (result.rep != problem.hh_prev)
    weights = np.where(problem.hh_key, 2.0, 1.0)
    ours = float((result.distance_m * weights).sum() + 100.0 * moved.sum())
    best = lp_optimum(problem, key_weight=2.0, key_max=3, stability_m=100.0)
    assert best - 1e-6 <= ours <= best + 0.1 * problem.n_households


@pytest.mark.parametrize("seed", range(10))
def test_invariants_and_no_worse_than_greedy(seed: int) -> None:
    problem = random_problem(np.random.default_rng(500 + seed), sections=3, min_load=0)
    result = solve(problem)
    loads = np.bincount(result.rep, minlength=problem.n_reps)
    assert result.covered.all() and len(result.rep) == problem.n_households
    assert (loads <= problem.rep_max).all()
    greedy = greedy_nearest(problem)
    assert (greedy >= 0).all()
    greedy_total = np.hypot(*(problem.hh_xy - problem.rep_xy[greedy]).T).sum()
    assert result.distance_m.sum() <= greedy_total + 0.05 * problem.n_households


def test_loads_stay_within_limits_on_a_feasible_street() -> None:
    problem = random_problem(np.random.default_rng(99), sections=4)
    loads = np.bincount(solve(problem).rep, minlength=problem.n_reps)
    assert ((loads >= 5) & (loads <= 15)).all()
