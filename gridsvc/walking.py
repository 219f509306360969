"""A representative's walking order: a short closed tour from home through the households
(nearest neighbour, then 2-opt), on metric coordinates; pure numpy, no I/O."""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import ArrayLike, NDArray


def _distances(points: NDArray[np.float64]) -> NDArray[np.float64]:
    diff = points[:, None, :] - points[None, :, :]
    return np.sqrt((diff**2).sum(axis=2))


def tour_length(points: ArrayLike, order: list[int]) -> float:
    """The length of the closed tour visiting `points` in `order` (back to the first)."""
    p = np.asarray(points, dtype=float)
    if len(order) < 2:
        return 0.0
    ring = p[order + order[:1]]
    return float(np.sqrt(((ring[1:] - ring[:-1]) ** 2).sum(axis=1)).sum())


def _nearest_neighbour(d: NDArray[np.float64]) -> list[int]:
    n = len(d)
    order, left = [0], set(range(1, n))
    while left:
        here = order[-1]
        nxt = min(left, key=lambda j: (d[here, j], j))
        order.append(nxt)
        left.remove(nxt)
    return order


def _two_opt(order: list[int], d: NDArray[np.float64]) -> list[int]:
    """Reverse segments while any reversal shortens the tour (node 0, home, stays first)."""
    n = len(order)
    improved = True
    while improved:
        improved = False
        for i in range(1, n - 1):
            a, b = order[i - 1], order[i]
            for j in range(i + 1, n):
                c, e = order[j], order[(j + 1) % n]
                if d[a, c] + d[b, e] < d[a, b] + d[c, e] - 1e-9:
                    order[i : j + 1] = order[i : j + 1][::-1]
                    improved = True
                    a, b = order[i - 1], order[i]
    return order


def walking_order(start: ArrayLike, stops: ArrayLike) -> list[int]:
    """Indexes of `stops` (an n×2 array of metres) in the order to walk them, leaving from
    and returning to `start` (x, y in metres)."""
    s = np.asarray(stops, dtype=float).reshape(-1, 2)
    if len(s) == 0:
        return []
    points = np.vstack([np.asarray(start, dtype=float).reshape(1, 2), s])
    d = _distances(points)
    order = _two_opt(_nearest_neighbour(d), d)
    return [i - 1 for i in order[1:]]


def exact_order(start: ArrayLike, stops: ArrayLike) -> list[int]:
    """The shortest order by trying every permutation: a yardstick for ≤ 8 stops."""
    s = np.asarray(stops, dtype=float).reshape(-1, 2)
    if len(s) > 9:
        raise ValueError("exact_order tries every permutation: at most 9 stops")
    points = np.vstack([np.asarray(start, dtype=float).reshape(1, 2), s])
    best: tuple[float, list[int]] = (float("inf"), [])
    for perm in itertools.permutations(range(1, len(points))):
        order = [0, *perm]
        length = tour_length(points, order)
        if length < best[0]:
            best = (length, order)
    return [i - 1 for i in best[1][1:]]
