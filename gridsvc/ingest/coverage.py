"""The coverage a boundary import would make: overlaps, children outside parents, the outline.

Pure geometry (shapely), no database: areas come in as code -> geometry mappings in one CRS.
Shares are of areas measured in that CRS; in lon/lat over a street the distortion is the same
for both terms of each ratio, so no reprojection is needed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

# Areas digitised by hand or snapped to a grid touch with slivers; more than this share of the
# smaller area is a real overlap (or a real part outside), not drawing noise.
TOLERANCE = 0.01

Kind = Literal["overlap", "outside_parent", "child_outside", "outside_street"]


@dataclass(frozen=True)
class Finding:
    """One fault of the coverage: its kind, the codes involved and the share of area."""

    kind: Kind
    codes: tuple[str, ...]
    share: float
    message: str


@dataclass(frozen=True)
class Area:
    """An area of the level checked: its parent's code (None for communities) and shape."""

    parent: str | None
    geometry: BaseGeometry


def check_coverage(
    new: Mapping[str, Area],
    existing: Mapping[str, Area],
    parents: Mapping[str, BaseGeometry],
    outline: BaseGeometry | None,
    *,
    children: Mapping[str, Area] | None = None,
    extend: bool = False,
    tolerance: float = TOLERANCE,
    level: str = "area",
) -> list[Finding]:
    """Faults of the level as it would be after upserting `new` over `existing` (by code):
    overlaps between any two of its areas where one is new; new areas outside their parent;
    existing `children` (of the level below) outside their changed parent; new areas outside
    the street's `outline`, unless `extend` (no outline yet: nothing to leave)."""
    found = _overlaps({**existing, **new}, new, tolerance, level)
    for code, area in new.items():
        parent = parents.get(area.parent or "")
        if parent is not None:
            share = _outside(area.geometry, parent)
            if share > tolerance:
                message = f"{level} {code} lies {share:.0%} outside its parent {area.parent}"
                found.append(Finding("outside_parent", (code, str(area.parent)), share, message))
    for code, child in (children or {}).items():
        holder = new.get(child.parent or "")
        if holder is not None:
            share = _outside(child.geometry, holder.geometry)
            if share > tolerance:
                message = f"{code} would lie {share:.0%} outside its new {level} {child.parent}"
                found.append(Finding("child_outside", (code, str(child.parent)), share, message))
    if outline is not None and not extend:
        for code, area in new.items():
            share = _outside(area.geometry, outline)
            if share > tolerance:
                message = f"{level} {code} lies {share:.0%} outside the street's outline"
                found.append(Finding("outside_street", (code,), share, message))
    return found


def _overlaps(
    final: Mapping[str, Area], new: Mapping[str, Area], tolerance: float, level: str
) -> list[Finding]:
    codes = list(final)
    geometries = np.array([final[c].geometry for c in codes], dtype=object)
    tree = shapely.STRtree(geometries)
    index = {code: i for i, code in enumerate(codes)}
    asked = [index[c] for c in new]
    pairs = tree.query(geometries[asked], predicate="intersects")
    found, seen = [], set()
    for a, b in zip(np.asarray(asked)[pairs[0]], pairs[1], strict=True):
        key = (min(a, b), max(a, b))
        if a == b or key in seen:
            continue
        seen.add(key)
        first, second = geometries[key[0]], geometries[key[1]]
        smaller = min(first.area, second.area)
        share = first.intersection(second).area / smaller if smaller > 0 else 0.0
        if share > tolerance:
            pair = (codes[key[0]], codes[key[1]])
            message = f"{level}s {pair[0]} and {pair[1]} overlap on {share:.0%} of the smaller"
            found.append(Finding("overlap", pair, share, message))
    return found


def _outside(geometry: BaseGeometry, container: BaseGeometry) -> float:
    """The share of `geometry`'s area outside `container`."""
    if geometry.area == 0:
        return 0.0
    return float(geometry.difference(container).area / geometry.area)
