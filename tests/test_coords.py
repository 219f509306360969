"""Coordinate systems: offsets of the right size and inverses far below a metre."""

from __future__ import annotations

import numpy as np
import pytest

from gridsvc import coords


@pytest.fixture
def points() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    return rng.uniform(98, 125, 2000), rng.uniform(20, 45, 2000)


def metres_between(lon1, lat1, lon2, lat2) -> np.ndarray:  # type: ignore[no-untyped-def]
    epsg = coords.gauss_kruger_epsg(float(np.median(lon1)))
    x1, y1 = coords.to_metric(lon1, lat1, epsg)
    x2, y2 = coords.to_metric(lon2, lat2, epsg)
    return np.hypot(x2 - x1, y2 - y1)


def test_gcj02_offsets_are_hundreds_of_metres(points) -> None:  # type: ignore[no-untyped-def]
    lon, lat = points
    offset = metres_between(lon, lat, *coords.wgs84_to_gcj02(lon, lat))
    assert offset.min() > 0 and offset.max() < 1000 and 200 < np.median(offset) < 700


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_round_trips_agree_within_half_a_metre(points, system: str) -> None:  # type: ignore[no-untyped-def]
    lon, lat = points
    back = coords.to_cgcs2000(*coords.from_cgcs2000(lon, lat, system), system)
    assert metres_between(lon, lat, *back).max() < 0.001  # the issue asks for 0.5 m


def test_no_offset_outside_china() -> None:
    lon, lat = coords.wgs84_to_gcj02([2.35], [48.85])
    assert lon[0] == 2.35 and lat[0] == 48.85


def test_the_gauss_kruger_zone_follows_the_data() -> None:
    assert coords.gauss_kruger_epsg(113.15) == 4547  # Zhuzhou: CM 114°E
    assert coords.gauss_kruger_epsg(121.47) == 4549  # Shanghai: CM 120°E
    assert coords.metric_epsg_for([116.3, 116.4]) == 4548  # Beijing: CM 117°E
