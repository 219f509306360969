"""Generated cities (compounds of building units and villages) and the sample street, as frames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gridsvc.coords import from_metric

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "geodata" / "guihua"
EPSG = 4547  # CGCS2000 Gauss-Krüger CM 114E, where the generated cities lie
GROUP_M = 300.0  # a group is a 300 m square; 2x2 groups make a section, 8x8 a community
ORIGIN = np.array([500_000.0, 3_080_000.0])


@dataclass
class City:
    """A generated city: the frames gridsvc reads from the store, plus its layout for writing
    the areas (group, section, community per group; each group's south-west corner)."""

    households: pd.DataFrame
    reps: pd.DataFrame
    layout: list[tuple[int, int, int]]
    corner: np.ndarray


def _group_households(rng: np.random.Generator, urban: bool) -> tuple[np.ndarray, np.ndarray]:
    """Points (metres within the group's square) and unit labels (-1: none) of one group.

    Urban: one compound of 60-300 households in units of 2-12 (a unit's households share its
    stairwell's point), plus a few singles. Village: 40-150 households, some pairs at one point.
    """
    if urban:
        target = int(rng.integers(60, 301))
        sizes: list[int] = []
        while sum(sizes) < target:
            sizes.append(int(rng.integers(2, 13)))
        centre = rng.uniform(70, GROUP_M - 70, 2)
        stairs = centre + rng.uniform(-60, 60, (len(sizes), 2))
        unit_xy = np.repeat(stairs, sizes, axis=0)
        unit = np.repeat(np.arange(len(sizes)), sizes)
        singles = int(rng.integers(0, 21))
        xy = np.concatenate([unit_xy, rng.uniform(5, GROUP_M - 5, (singles, 2))])
        return xy, np.concatenate([unit, np.full(singles, -1)])
    n = int(rng.integers(40, 151))
    xy = rng.uniform(5, GROUP_M - 5, (n, 2))
    shared = rng.random(n) < 0.15  # a household living beside another, at the same point
    xy[1:][shared[1:]] = xy[:-1][shared[1:]]
    return xy, np.full(n, -1)


def city(households: int, seed: int = 1) -> City:
    """A city of about `households`: ~75 % urban groups (compounds), the rest villages, groups
    on a grid, every group servable by its representatives (5..15 each)."""
    rng = np.random.default_rng(seed)
    xy_parts, group_parts, unit_parts = [], [], []
    rep_xy_parts, rep_group_parts = [], []
    total, g = 0, 0
    while total < households:
        xy, unit = _group_households(rng, urban=rng.random() < 0.75)
        n = len(xy)
        reps = int(np.clip(np.rint(n / rng.uniform(7.5, 12.5)), -(-n // 15) + 1, n // 5 - 1))
        xy_parts.append(xy)
        group_parts.append(np.full(n, g))
        unit_parts.append(np.where(unit >= 0, unit + total, -1))
        rep_xy_parts.append(rng.uniform(5, GROUP_M - 5, (max(reps, 1), 2)))
        rep_group_parts.append(np.full(max(reps, 1), g))
        total, g = total + n, g + 1
    n_groups = g
    side = int(np.ceil(np.sqrt(n_groups)))
    gx, gy = np.divmod(np.arange(n_groups), side)
    corner = ORIGIN + np.column_stack([gx, gy]) * GROUP_M
    section_of = (gx // 2) * side + gy // 2
    community_of = (gx // 8) * side + gy // 8
    hh_group = np.concatenate(group_parts)
    rep_group = np.concatenate(rep_group_parts)
    hh_xy = np.concatenate(xy_parts) + corner[hh_group]
    rep_xy = np.concatenate(rep_xy_parts) + corner[rep_group]
    unit = np.concatenate(unit_parts)
    lon, lat = from_metric(hh_xy[:, 0], hh_xy[:, 1], EPSG)
    rlon, rlat = from_metric(rep_xy[:, 0], rep_xy[:, 1], EPSG)
    hh = pd.DataFrame(
        {
            "id": np.arange(1, len(hh_group) + 1),
            "group_id": hh_group + 1,
            "section_id": section_of[hh_group] + 1,
            "community_id": community_of[hh_group] + 1,
            "key": rng.random(len(hh_group)) < 0.08,
            "lon": lon,
            "lat": lat,
        }
    )
    # as the store names units: the group, then the unit's address (here its number) or point
    hh["unit_key"] = np.where(
        unit >= 0,
        (hh_group + 1).astype(str) + ":u" + unit.astype(str),
        (hh_group + 1).astype(str)
        + ":"
        + np.round(lon, 6).astype(str)
        + np.round(lat, 6).astype(str),
    )
    reps = pd.DataFrame(
        {
            "id": np.arange(1, len(rep_group) + 1),
            "code": [f"R{i}" for i in range(len(rep_group))],
            "group_id": rep_group + 1,
            "section_id": section_of[rep_group] + 1,
            "community_id": community_of[rep_group] + 1,
            "min_load": np.nan,
            "max_load": np.nan,
            "lon": rlon,
            "lat": rlat,
        }
    )
    layout = [(int(k), int(section_of[k]), int(community_of[k])) for k in range(n_groups)]
    return City(hh, reps, layout, corner)


def sample_street() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sample street's households and representatives as the store gives them, read from
    its files (ids are row numbers; units as the store's unit_key)."""
    import json

    def parents(name: str) -> dict[str, str]:
        features = json.loads((SAMPLE / name).read_text(encoding="utf-8"))["features"]
        return {f["properties"]["code"]: f["properties"]["parent_code"] for f in features}

    section_of, community_of = parents("groups.geojson"), parents("sections.geojson")
    codes = {code: i + 1 for i, code in enumerate(sorted(section_of))}
    sections = {code: i + 1 for i, code in enumerate(sorted(community_of))}
    communities = {code: i + 1 for i, code in enumerate(sorted(set(community_of.values())))}

    def areas(frame: pd.DataFrame) -> pd.DataFrame:
        section = frame["group_code"].map(section_of)
        return frame.assign(
            group_id=frame["group_code"].map(codes),
            section_id=section.map(sections),
            community_id=section.map(community_of).map(communities),
        )

    hh = areas(pd.read_csv(SAMPLE / "households.csv", dtype={"phone": str}))
    hh["id"] = np.arange(1, len(hh) + 1)
    hh["key"] = hh["key_category"].notna()
    unit = hh["address"].str.extract(r"^(.*?单元)", expand=False)
    point = hh["lon"].round(6).astype(str) + " " + hh["lat"].round(6).astype(str)
    hh["unit_key"] = hh["group_id"].astype(str) + ":" + unit.fillna(point)
    reps = areas(pd.read_csv(SAMPLE / "representatives.csv", dtype={"phone": str}))
    reps = reps[reps["active"]].reset_index(drop=True)
    reps["id"] = np.arange(1, len(reps) + 1)
    reps["min_load"] = np.nan
    reps["max_load"] = np.nan
    return hh, reps
