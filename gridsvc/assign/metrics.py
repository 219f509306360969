"""Figures of an assignment: coverage, loads, distances, crossings, changes."""

from __future__ import annotations

import numpy as np

from gridsvc.assign.groups import nearest_in_group
from gridsvc.assign.problem import Floats, Problem
from gridsvc.assign.solve import Solution


def _distance_figures(values: Floats) -> dict[str, float | None]:
    if values.size == 0:
        return {"mean": None, "p50": None, "p95": None, "max": None, "total": 0.0}
    return {
        "mean": round(float(values.mean()), 1),
        "p50": round(float(np.percentile(values, 50)), 1),
        "p95": round(float(np.percentile(values, 95)), 1),
        "max": round(float(values.max()), 1),
        "total": round(float(values.sum()), 1),
    }


def nearest_lower_bound(problem: Problem) -> Floats:
    """Each household's distance to the nearest active representative of its own group."""
    return nearest_in_group(problem.hh_xy, problem.hh_group, problem.rep_xy, problem.rep_group)[0]


def compute(problem: Problem, solution: Solution) -> dict[str, object]:
    """The run's metrics as stored with it and printed to the planner."""
    n = problem.n_households
    covered = solution.covered
    loads = np.bincount(solution.rep[covered], minlength=problem.n_reps)
    key_loads = np.bincount(solution.rep[covered & problem.hh_key], minlength=problem.n_reps)
    histogram = {str(k): int(v) for k, v in enumerate(np.bincount(loads)) if v}
    served_d = solution.distance_m[covered]
    key_d = solution.distance_m[covered & problem.hh_key]
    lower = nearest_lower_bound(problem)
    finite = np.isfinite(lower) & covered
    had_prev = problem.hh_prev >= 0
    return {
        "households": n,
        "representatives": problem.n_reps,
        "covered": int(covered.sum()),
        "uncovered": int(n - covered.sum()),
        "coverage": round(float(covered.mean()) if n else 1.0, 6),
        "load_histogram": histogram,
        "reps_below_min": int((loads < problem.rep_min).sum()),
        "reps_above_max": int((loads > problem.rep_max).sum()),
        "reps_over_key_max": None,  # filled by the caller, who knows K
        "key_loads_max": int(key_loads.max()) if key_loads.size else 0,
        "distance_m": _distance_figures(served_d),
        "key_distance_m": _distance_figures(key_d),
        "cross_group": int(solution.cross_group.sum()),
        "changed_since_last": int((had_prev & (solution.rep != problem.hh_prev)).sum()),
        "had_previous": int(had_prev.sum()),
        "nearest_total_m": round(float(lower[finite].sum()), 1),
        "distance_over_nearest": round(
            float(served_d[finite[covered]].sum() / max(lower[finite].sum(), 1e-9)), 4
        ),
        "solve_seconds": round(solution.solve_seconds, 3),
        "blocks": solution.blocks,
        "arcs": solution.arcs,
    }
