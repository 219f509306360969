"""The walking order: a real tour, and never much longer than the exact one."""

from __future__ import annotations

import numpy as np
import pytest

from gridsvc.walking import exact_order, tour_length, walking_order


def _length(start: np.ndarray, stops: np.ndarray, order: list[int]) -> float:
    points = np.vstack([start, stops])
    return tour_length(points, [0, *(i + 1 for i in order)])


@pytest.mark.parametrize("seed", range(40))
def test_within_ten_percent_of_exact(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 9))
    start = rng.uniform(0, 500, 2)
    stops = rng.uniform(0, 500, (n, 2))
    order = walking_order(start, stops)
    assert sorted(order) == list(range(n))
    best = _length(start, stops, exact_order(start, stops))
    assert _length(start, stops, order) <= 1.1 * best + 1e-6


def test_points_on_a_line_are_walked_in_line() -> None:
    stops = np.array([[30.0, 0], [10, 0], [20, 0], [40, 0]])
    order = walking_order([0, 0], stops)
    assert order in ([1, 2, 0, 3], [3, 0, 2, 1])


def test_no_stops_and_one_stop() -> None:
    assert walking_order([0, 0], np.empty((0, 2))) == []
    assert walking_order([0, 0], [[5, 5]]) == [0]
