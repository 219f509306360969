"""Which area covers each point: a vectorised point-in-polygon over an STRtree (GEOS covers,
boundaries included, as PostGIS's ST_Covers)."""

from __future__ import annotations

import numpy as np
import shapely


def covering_area(areas_wkb: list[bytes], lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """For each point, the position in `areas_wkb` of the first area covering it (the lowest
    position when areas overlap or share the boundary the point lies on), or -1."""
    found = np.full(len(lon), -1, np.int64)
    if not len(areas_wkb) or not len(lon):
        return found
    tree = shapely.STRtree(shapely.from_wkb(areas_wkb))
    points = shapely.points(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
    point, area = tree.query(points, predicate="covered_by")
    first = np.full(len(lon), len(areas_wkb), np.int64)
    np.minimum.at(first, point, area)
    return np.where(first < len(areas_wkb), first, found)
