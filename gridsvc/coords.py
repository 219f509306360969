"""Coordinate systems of Chinese registers (CGCS2000/WGS84, GCJ-02, BD-09) and metric projection."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import Transformer

from gridsvc.errors import InputError

CGCS2000 = 4490
# EPSG 4534 is "CGCS2000 / 3-degree Gauss-Kruger CM 75E"; 4535 is CM 78E, ... 4554 is CM 135E
_GK_FIRST_EPSG = 4534
_GK_FIRST_CM = 75

Floats = NDArray[np.float64]


def gauss_kruger_epsg(lon: float) -> int:
    """EPSG code of the CGCS2000 3-degree Gauss-Krüger zone (no zone prefix) containing `lon`."""
    if not 73.5 <= lon <= 136.5:
        raise InputError(f"longitude {lon:.4f} is outside China's 3-degree zones (73.5..136.5)")
    zone = round((lon - _GK_FIRST_CM) / 3)
    return _GK_FIRST_EPSG + min(max(zone, 0), 20)


def metric_epsg_for(lons: ArrayLike) -> int:
    """The metric CRS for data: the 3-degree zone of its median longitude."""
    values = np.asarray(lons, dtype=float)
    if values.size == 0:
        raise InputError("no coordinates to choose a metric projection from")
    return gauss_kruger_epsg(float(np.median(values)))


@lru_cache(maxsize=16)
def _transformer(src: int, dst: int) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def to_metric(lons: ArrayLike, lats: ArrayLike, epsg: int) -> tuple[Floats, Floats]:
    """Project CGCS2000 lon/lat to metres in `epsg`."""
    x, y = _transformer(CGCS2000, epsg).transform(np.asarray(lons, float), np.asarray(lats, float))
    return np.asarray(x), np.asarray(y)


def from_metric(x: ArrayLike, y: ArrayLike, epsg: int) -> tuple[Floats, Floats]:
    """Unproject metres in `epsg` to CGCS2000 lon/lat."""
    lon, lat = _transformer(epsg, CGCS2000).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)
