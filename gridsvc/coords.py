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


# --- GCJ-02 (AMap, Tencent) and BD-09 (Baidu): published forward formulas, iterative inverses.
_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
SYSTEMS = ("cgcs2000", "wgs84", "gcj02", "bd09")


def _in_china(lon: Floats, lat: Floats) -> NDArray[np.bool_]:
    return (lon > 72.004) & (lon < 137.8347) & (lat > 0.8293) & (lat < 55.8271)


def _offset_lat(x: Floats, y: Floats) -> Floats:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _offset_lon(x: Floats, y: Floats) -> Floats:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
    """The GCJ-02 obfuscation (no offset outside China)."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    dlat = _offset_lat(lon - 105.0, lat - 35.0)
    dlon = _offset_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    inside = _in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
    """Baidu's BD-09 from GCJ-02 (the public formula)."""
    x, y = np.asarray(lon, float), np.asarray(lat, float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _invert(
    forward,
    lon: ArrayLike,
    lat: ArrayLike,  # type: ignore[no-untyped-def]
    iterations: int = 12,
) -> tuple[Floats, Floats]:
    """Solve forward(p) = q by fixed-point iteration: ~1e-9° (sub-millimetre) in a few steps."""
    q_lon, q_lat = np.asarray(lon, float), np.asarray(lat, float)
    p_lon, p_lat = q_lon.copy(), q_lat.copy()
    for _ in range(iterations):
        f_lon, f_lat = forward(p_lon, p_lat)
        d_lon, d_lat = f_lon - q_lon, f_lat - q_lat
        p_lon, p_lat = p_lon - d_lon, p_lat - d_lat
        if np.nanmax(np.abs(np.concatenate([d_lon.ravel(), d_lat.ravel()])), initial=0) < 1e-10:
            break
    return p_lon, p_lat


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
    return _invert(wgs84_to_bd09, lon, lat)


_CONVERSIONS = {  # system -> (to CGCS2000, from CGCS2000); WGS 84 and CGCS2000 agree within
    # centimetres, far below what a household register can tell
    "cgcs2000": (None, None),
    "wgs84": (None, None),
    "gcj02": (gcj02_to_wgs84, wgs84_to_gcj02),
    "bd09": (bd09_to_wgs84, wgs84_to_bd09),
}


def _convert(lon: ArrayLike, lat: ArrayLike, system: str, way: int) -> tuple[Floats, Floats]:
    if system not in _CONVERSIONS:
        raise InputError(f"crs {system}: choose one of {', '.join(SYSTEMS)} or auto")
    convert = _CONVERSIONS[system][way]
    if convert is None:
        return np.asarray(lon, float), np.asarray(lat, float)
    return convert(lon, lat)


def to_cgcs2000(lon: ArrayLike, lat: ArrayLike, system: str) -> tuple[Floats, Floats]:
    """Coordinates in `system` to CGCS2000 lon/lat."""
    return _convert(lon, lat, system, 0)


def from_cgcs2000(lon: ArrayLike, lat: ArrayLike, system: str) -> tuple[Floats, Floats]:
    """CGCS2000 lon/lat to `system` (what AMap or Baidu would show)."""
    return _convert(lon, lat, system, 1)
