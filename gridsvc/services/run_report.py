"""What a run tells the planner: its figures (metrics) and its findings, worded with codes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from gridsvc.assign import Params, Problem, Solution
from gridsvc.assign.diagnostics import SplitUnit, explain
from gridsvc.assign.metrics import compute
from gridsvc.coords import from_metric

MAX_UNIT_FINDINGS = 200  # split units named one by one; the metrics count them all


class FindingKind(StrEnum):
    """What a run tells the planner, worst first."""

    group_over_capacity = "group_over_capacity"
    group_under_minimum = "group_under_minimum"
    key_over_limit = "key_over_limit"
    rep_isolated = "rep_isolated"
    unit_split = "unit_split"


@dataclass(frozen=True)
class Finding:
    """One thing a planner should know, named by codes and with a point where it helps."""

    kind: FindingKind
    message: str
    households: int = 0
    group: str | None = None
    rep: str | None = None
    point: tuple[float, float] | None = None

    def as_record(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "message": self.message,
            "households": self.households,
            "group": self.group,
            "rep": self.rep,
            "point": list(self.point) if self.point else None,
        }


def representative_ids(solution: Solution, reps: pd.DataFrame) -> pd.Series:
    """The store's representative id of each household (NA: uncovered)."""
    rep_ids = reps["id"].to_numpy(np.int64)
    ids = rep_ids[np.maximum(solution.rep, 0)] if len(rep_ids) else np.zeros(len(solution.rep))
    return pd.Series(ids, dtype="Int64").mask(~solution.covered)


def changed(
    households: pd.DataFrame, solution: Solution, reps: pd.DataFrame, previous: pd.Series | None
) -> int:
    """Households whose representative differs from the run in force, counted as `runs diff`
    lists them (new and removed households included)."""
    if previous is None:
        return len(households)
    now = pd.Series(
        representative_ids(solution, reps).fillna(-1).to_numpy(np.int64),
        index=households["id"].to_numpy(),
    )
    before = previous.astype("float64").fillna(-1).astype(np.int64)
    common = now.index.intersection(before.index)
    differ = int((now.loc[common].to_numpy() != before.loc[common].to_numpy()).sum())
    new = len(now.index.difference(before.index))
    removed = len(before.index.difference(now.index))
    return differ + new + removed


def metrics(
    problem: Problem,
    solution: Solution,
    params: Params,
    epsg: int,
    flow_m: float,
    added_m: float,
    pin_rows: pd.DataFrame,
    splits: list[SplitUnit],
) -> dict[str, object]:
    metrics = compute(problem, solution)
    metrics["flow_optimum_m"] = round(flow_m, 1)
    metrics["units_gathered_extra_m"] = round(added_m, 1)
    key_loads = np.bincount(
        solution.rep[solution.covered & problem.hh_key], minlength=problem.n_reps
    )
    metrics["reps_over_key_max"] = int((key_loads > params.key_max).sum())
    metrics["metric_epsg"] = epsg
    units = problem.hh_unit[problem.hh_unit >= 0]
    metrics["building_units"] = len(np.unique(units))
    metrics["units_split"] = len(splits)
    metrics["units_split_too_big"] = sum("larger than" in s.reason for s in splits)
    fixed = int((problem.hh_fixed >= 0).sum())
    metrics["pins"] = {
        "fixed": fixed,
        "forbidden": len(problem.forbidden),
        "ignored": int(len(pin_rows) - fixed - len(problem.forbidden)),
    }
    return metrics


@dataclass(frozen=True)
class Words:
    """What the findings are worded with, read from the store before the rows are written."""

    groups: dict[int, str]
    rep_codes: list[str]
    unit_households: list[int]  # the first household of each split unit named
    units: dict[int, str]  # household id -> its building unit


def first_households(
    problem: Problem, splits: list[SplitUnit], households: pd.DataFrame
) -> list[int]:
    """The store id of the first household of each split unit that the findings name."""
    named = [s.unit for s in splits[:MAX_UNIT_FINDINGS]]
    members = np.flatnonzero(np.isin(problem.hh_unit, named))  # in household order
    units, first = np.unique(problem.hh_unit[members], return_index=True)
    first_of = dict(zip(units.tolist(), members[first].tolist(), strict=True))
    ids = households["id"].to_numpy(np.int64)
    return [int(ids[first_of[u]]) for u in named]


def findings(
    problem: Problem,
    solution: Solution,
    params: Params,
    epsg: int,
    splits: list[SplitUnit],
    words: Words,
) -> list[Finding]:
    found = []
    for item in explain(problem, solution, params, words.groups, words.rep_codes):
        point = None
        if item.point_xy is not None:
            lon, lat = from_metric([item.point_xy[0]], [item.point_xy[1]], epsg)
            point = (round(float(lon[0]), 7), round(float(lat[0]), 7))
        found.append(
            Finding(
                FindingKind(item.kind),
                item.message,
                households=item.households,
                group=words.groups.get(item.group) if item.group is not None else None,
                rep=words.rep_codes[item.rep] if item.rep is not None else None,
                point=point,
            )
        )
    for split, household in zip(splits[:MAX_UNIT_FINDINGS], words.unit_households, strict=True):
        found.append(
            Finding(
                FindingKind.unit_split,
                f"building unit {words.units.get(household, '')}: {split.households} "
                f"households went to {split.parts} representatives ({split.reason})",
                households=split.households,
            )
        )
    return found
