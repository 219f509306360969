"""The assignment problem as plain arrays, and the adapter that builds it from DataFrames."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gridsvc.coords import metric_epsg_for, to_metric
from gridsvc.errors import InputError

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


@dataclass(frozen=True)
class Params:
    """What a run asks for; the defaults are the street office's rules (5..15, 3 key each)."""

    min_load: int = 5
    max_load: int = 15
    key_max: int = 3
    key_weight: float = 2.0
    stability_m: float = 100.0
    cross_section: bool = False
    k_nearest: int = 20  # candidate representatives per household in large groups
    workers: int = 0  # 0: one process per core for large problems, serial for small ones
    keep_units: bool = True  # second stage: gather split building units (distance only)
    units_budget: float = 0.003  # gathering adds at most this share of the flow's distance

    def __post_init__(self) -> None:
        if not 0 <= self.min_load <= self.max_load or self.max_load < 1:
            raise InputError(
                f"min_load {self.min_load} / max_load {self.max_load}: need 0 <= min_load <= "
                "max_load and max_load >= 1"
            )
        if self.key_max < 0:
            raise InputError(f"key_max {self.key_max}: must be 0 or more")
        if self.key_weight < 1:
            raise InputError(f"key_weight {self.key_weight}: must be at least 1")
        if not 0 <= self.units_budget <= 1:
            raise InputError(
                f"units_budget {self.units_budget}: must be a share of the distance from 0 to 1"
            )
        if self.stability_m < 0:
            raise InputError(f"stability_m {self.stability_m}: must be 0 or more metres")

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Problem:
    """Households and active representatives in metres, with their groups and blocks.

    Groups and blocks are integer labels; a block (a section, or a community when crossing
    sections is allowed) is solved on its own. `hh_prev` is the index of the household's current
    representative in this problem, or -1. `hh_unit` labels building units (-1: none): the
    households of a unit are kept with one representative wherever loads allow. `hh_fixed` is a
    pinned representative (-1: none); `forbidden` holds (household, representative) pairs that
    must not be made.
    """

    hh_xy: Floats
    hh_group: Ints
    hh_block: Ints
    hh_key: Bools
    rep_xy: Floats
    rep_group: Ints
    rep_block: Ints
    rep_min: Ints
    rep_max: Ints
    hh_prev: Ints = field(default_factory=lambda: np.empty(0, np.int64))
    hh_unit: Ints = field(default_factory=lambda: np.empty(0, np.int64))
    hh_fixed: Ints = field(default_factory=lambda: np.empty(0, np.int64))
    forbidden: Ints = field(default_factory=lambda: np.empty((0, 2), np.int64))

    def __post_init__(self) -> None:
        n = len(self.hh_xy)
        for name in ("hh_prev", "hh_unit", "hh_fixed"):
            if getattr(self, name).size == 0:
                setattr(self, name, np.full(n, -1, np.int64))
        self.forbidden = np.asarray(self.forbidden, np.int64).reshape(-1, 2)
        for name in ("hh_group", "hh_block", "hh_key", "hh_prev", "hh_unit", "hh_fixed"):
            if len(getattr(self, name)) != n:
                raise InputError(f"{name} has {len(getattr(self, name))} entries, not {n}")
        m = len(self.rep_xy)
        for name in ("rep_group", "rep_block", "rep_min", "rep_max"):
            if len(getattr(self, name)) != m:
                raise InputError(f"{name} has {len(getattr(self, name))} entries, not {m}")
        if np.any(self.rep_min > self.rep_max):
            raise InputError("a representative's minimum load exceeds its maximum")

    @property
    def n_households(self) -> int:
        return len(self.hh_xy)

    @property
    def n_reps(self) -> int:
        return len(self.rep_xy)


def positions(keys: Ints, wanted: Ints) -> Ints:
    """Where each of `wanted` stands in `keys` (distinct ids), or -1: a vectorised look-up."""
    if not len(keys):
        return np.full(len(wanted), -1, np.int64)
    order = np.argsort(keys, kind="stable")
    at = np.minimum(np.searchsorted(keys[order], wanted), len(keys) - 1)
    return np.where(keys[order][at] == wanted, order[at], -1).astype(np.int64)


def problem_from_frames(
    households: pd.DataFrame,
    reps: pd.DataFrame,
    params: Params,
    previous: pd.Series | None = None,
    pins: pd.DataFrame | None = None,
) -> tuple[Problem, int]:
    """Build a Problem from the store's frames; return it with the metric EPSG used.

    households: id, group_id, section_id, community_id, key (bool), lon, lat, and optionally
        unit_key (households sharing it form a building unit)
    reps: id, group_id, section_id, community_id, min_load, max_load, lon, lat (active only)
    previous: representative id by household id, from the run in force
    pins: household_id, representative_id, kind (fix/forbid); pins to representatives not in
        the problem (inactive) are left out
    """
    epsg = metric_epsg_for(np.concatenate([households["lon"].to_numpy(), reps["lon"].to_numpy()]))
    hx, hy = to_metric(households["lon"], households["lat"], epsg)
    rx, ry = to_metric(reps["lon"], reps["lat"], epsg)
    block_col = "community_id" if params.cross_section else "section_id"
    rep_index = pd.Series(np.arange(len(reps)), index=reps["id"].to_numpy())
    hh_ids = households["id"].to_numpy(np.int64)
    rep_ids = reps["id"].to_numpy(np.int64)
    prev = np.full(len(households), -1, np.int64)
    if previous is not None and len(previous):
        before = pd.Series(previous).astype("Int64").fillna(-1).to_numpy(np.int64)
        at = positions(previous.index.to_numpy(np.int64), hh_ids)
        prev_id = np.where(at >= 0, before[np.maximum(at, 0)], -1)
        prev = np.where(prev_id >= 0, positions(rep_ids, prev_id), -1)
    min_load = reps["min_load"].fillna(params.min_load).astype(np.int64).to_numpy()
    max_load = reps["max_load"].fillna(params.max_load).astype(np.int64).to_numpy()
    hh_index = pd.Series(np.arange(len(households)), index=households["id"].to_numpy())
    fixed = np.full(len(households), -1, np.int64)
    forbidden = np.empty((0, 2), np.int64)
    if pins is not None and len(pins):
        usable = pins[
            pins["representative_id"].isin(rep_index.index)
            & pins["household_id"].isin(hh_index.index)
        ]
        h = hh_index.loc[usable["household_id"]].to_numpy()
        r = rep_index.loc[usable["representative_id"]].to_numpy()
        is_fix = (usable["kind"] == "fix").to_numpy()
        fixed[h[is_fix]] = r[is_fix]
        forbidden = np.column_stack([h[~is_fix], r[~is_fix]])
    unit = np.full(len(households), -1, np.int64)
    if "unit_key" in households:
        codes, uniques = pd.factorize(households["unit_key"])
        sizes = np.bincount(codes[codes >= 0], minlength=len(uniques))
        unit = np.where((codes >= 0) & (sizes[np.maximum(codes, 0)] > 1), codes, -1)
    problem = Problem(
        hh_xy=np.column_stack([hx, hy]),
        hh_group=households["group_id"].to_numpy(np.int64),
        hh_block=households[block_col].to_numpy(np.int64),
        hh_key=households["key"].to_numpy(bool),
        rep_xy=np.column_stack([rx, ry]),
        rep_group=reps["group_id"].to_numpy(np.int64),
        rep_block=reps[block_col].to_numpy(np.int64),
        rep_min=np.minimum(min_load, max_load),
        rep_max=max_load,
        hh_prev=prev,
        hh_unit=unit.astype(np.int64),
        hh_fixed=fixed,
        forbidden=forbidden,
    )
    return problem, epsg
