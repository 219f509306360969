"""The optimiser on hand-made instances with known answers, one constraint at a time."""

from __future__ import annotations

import numpy as np
import pytest

from gridsvc.assign import Params, solve
from gridsvc.assign.cohesion import keep_units_together
from gridsvc.assign.diagnostics import explain
from gridsvc.errors import InputError
from tests.assign.factories import line_problem


def test_minimum_load_takes_the_cheapest_households_away() -> None:
    # ten households near A; B must get five: those for whom B costs least extra (x = 6..10)
    problem = line_problem([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [0, 100], min_load=5)
    result = solve(problem)
    assert result.rep.tolist() == [0] * 5 + [1] * 5


def test_without_a_minimum_everyone_goes_to_the_nearest() -> None:
    result = solve(line_problem([1, 2, 3, 4, 5, 6], [0, 100]))
    assert result.rep.tolist() == [0] * 6


def test_maximum_load_is_never_exceeded() -> None:
    result = solve(line_problem(list(range(1, 21)), [0, 100], max_load=15))
    assert np.bincount(result.rep).tolist() == [15, 5]
    assert result.rep.tolist() == [0] * 15 + [1] * 5


def test_a_group_without_room_crosses_only_as_much_as_it_must() -> None:
    # group 0 has one representative for 16 households; group 1 (same section) has room
    problem = line_problem(
        [float(x) for x in range(16)] + [500.0], [0, 600], hh_group=[0] * 16 + [1], rep_group=[0, 1]
    )
    result = solve(problem)
    assert result.covered.all()
    assert result.cross_group.sum() == 1
    assert result.rep[15] == 1  # the household nearest to group 1's representative crosses
    findings = explain(problem, result, Params())
    assert findings[0].kind == "group_over_capacity" and findings[0].households == 1


def test_households_prefer_their_own_group_even_when_another_is_nearer() -> None:
    problem = line_problem([50, 60], [0, 55], hh_group=[0, 0], rep_group=[0, 1])
    assert solve(problem).rep.tolist() == [0, 0]


def test_sections_are_never_crossed_unless_asked() -> None:
    problem = line_problem(
        [float(x) for x in range(16)] + [500.0],
        [0, 600],
        hh_group=[0] * 16 + [1],
        rep_group=[0, 1],
        hh_block=[0] * 16 + [1],
        rep_block=[0, 1],
    )
    result = solve(problem)
    assert result.covered.sum() == 16 and not result.cross_group.any()
    finding = explain(problem, result, Params())[0]
    assert finding.kind == "group_over_capacity" and "1 uncovered" in finding.message
    assert finding.point_xy == (15.0, 0.0)


def test_key_households_are_spread_at_most_k_each() -> None:
    problem = line_problem([1, 2, 3, 4, 5, 6], [0, 1000], key=[True] * 6)
    result = solve(problem, Params(key_max=3, min_load=0))
    assert sorted(np.bincount(result.rep).tolist()) == [3, 3]


def test_key_households_get_the_nearer_representative() -> None:
    # A has room for one: unweighted, the ordinary household would take it (290 m < 390 m);
    # with the key weight 2 the key household does (440 < 540 weighted)
    problem = line_problem([50, -40], [0, 300], key=[True, False], max_load=1)
    assert solve(problem, Params(key_weight=1.0, min_load=0)).rep.tolist() == [1, 0]
    assert solve(problem, Params(key_weight=2.0, min_load=0)).rep.tolist() == [0, 1]


@pytest.mark.parametrize(("other_rep_at", "expected"), [(60, 1), (200, 0)])
def test_stability_keeps_the_current_representative_unless_it_saves_enough(
    other_rep_at: float, expected: int
) -> None:
    # the household is at 0 and currently served by B; A is 10 m away
    problem = line_problem([0], [10, other_rep_at], prev=[1])
    assert solve(problem, Params(stability_m=100, min_load=0)).rep.tolist() == [expected]


def test_a_group_too_small_for_every_minimum_is_explained() -> None:
    problem = line_problem([1, 2, 3, 4, 5, 6, 7], [0, 10, 20], min_load=5)
    result = solve(problem)
    assert result.covered.all()
    loads = np.bincount(result.rep, minlength=3)
    # the model minimises the total shortfall below the minimums: 15 wanted, 7 to give
    assert loads.max() <= 5 and np.maximum(5 - loads, 0).sum() == 8
    kinds = [f.kind for f in explain(problem, result, Params())]
    assert "group_under_minimum" in kinds


def test_an_isolated_representative_is_reported() -> None:
    problem = line_problem([0, 1, 2, 3, 4], [0, 5000])
    result = solve(problem, Params(min_load=0))
    findings = explain(problem, result, Params(min_load=0), rep_names=["R1", "R2"])
    assert [f.rep for f in findings if f.kind == "rep_isolated"] == [1]
    assert "R2" in findings[-1].message


def test_a_group_with_no_representative_at_all_is_served_by_its_neighbours() -> None:
    problem = line_problem([0, 1, 2], [10], hh_group=[0, 0, 0], rep_group=[1])
    result = solve(problem)
    assert result.covered.all() and result.cross_group.all()


@pytest.mark.parametrize(
    "kwargs",
    [{"min_load": 6, "max_load": 5}, {"key_max": -1}, {"key_weight": 0.5}, {"stability_m": -1}],
)
def test_bad_parameters_are_named(kwargs: dict) -> None:
    with pytest.raises(InputError) as caught:
        Params(**kwargs)
    assert any(name.replace("_", "-").split("-")[0] in str(caught.value) for name in kwargs)


@pytest.mark.parametrize("workers", [1, 2])
def test_households_that_nobody_can_serve_stay_uncovered(workers: int) -> None:
    # section 1 has no representative at all; then the street has none
    problem = line_problem([0, 1, 2], [5], hh_block=[0, 0, 1], hh_group=[0, 0, 1], min_load=0)
    problem.hh_unit = np.array([4, 4, 4])
    params = Params(workers=workers, min_load=0)
    result = solve(problem, params)
    assert result.rep.tolist() == [0, 0, -1]
    assert keep_units_together(problem, result)[1] == 0.0
    nobody = line_problem([0, 1, 2], [])
    empty = solve(nobody, params)
    assert empty.rep.tolist() == [-1, -1, -1]
    gathered, added = keep_units_together(nobody, empty)
    assert gathered is empty and added == 0.0
    assert [f.kind for f in explain(nobody, empty, params)] == ["group_over_capacity"]
