"""Hatching as plain SVG paths clipped to a polygon (in page millimetres): lines at an angle,
crossings, dots or rings. Plain paths print as small, exact vectors, where SVG <pattern>
fills grow a PDF by megabytes; and they keep areas apart in black and white."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

# kind -> the angles of its lines (degrees); "dots" and "rings" are marks on a grid
KINDS: dict[str, tuple[float, ...]] = {
    "diag": (45.0,),
    "horiz": (0.0,),
    "vert": (90.0,),
    "antidiag": (-45.0,),
    "cross": (45.0, -45.0),
    "dots": (),
    "grid": (0.0, 90.0),
    "rings": (),
}


def _lines(shape: BaseGeometry, angle: float, spacing: float) -> str:
    minx, miny, maxx, maxy = shape.bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    reach = float(np.hypot(maxx - minx, maxy - miny)) / 2 + spacing
    offsets = np.arange(-reach, reach, spacing)
    theta = np.radians(angle)
    ux, uy = np.cos(theta), -np.sin(theta)  # along the line (y grows downwards on a page)
    nx, ny = -uy, ux  # across
    starts = np.column_stack([cx + offsets * nx - reach * ux, cy + offsets * ny - reach * uy])
    ends = np.column_stack([cx + offsets * nx + reach * ux, cy + offsets * ny + reach * uy])
    lines = shapely.linestrings(np.stack([starts, ends], axis=1))
    clipped = shapely.intersection(lines, shape)
    parts = []
    for piece in shapely.get_parts(clipped[~shapely.is_empty(clipped)]):
        xy = shapely.get_coordinates(piece)
        if len(xy) >= 2:
            parts.append("M" + " L".join(f"{x:.2f} {y:.2f}" for x, y in xy))
    return "".join(parts)


def _marks(shape: BaseGeometry, spacing: float, ring: bool) -> str:
    minx, miny, maxx, maxy = shape.bounds
    xs, ys = np.meshgrid(
        np.arange(minx + spacing / 2, maxx, spacing), np.arange(miny + spacing / 2, maxy, spacing)
    )
    xs[1::2] += spacing / 2  # staggered rows read as a texture, not as a table
    inside = shapely.contains_xy(shape, xs, ys)
    r = spacing / 4
    if ring:
        return "".join(
            f"M{x - r:.2f} {y:.2f}a{r:.2f} {r:.2f} 0 1 0 {2 * r:.2f} 0"
            f"a{r:.2f} {r:.2f} 0 1 0 {-2 * r:.2f} 0"
            for x, y in zip(xs[inside], ys[inside], strict=True)
        )
    return "".join(f"M{x:.2f} {y:.2f}h0" for x, y in zip(xs[inside], ys[inside], strict=True))


def hatch(shape: BaseGeometry, kind: str, spacing: float) -> str:
    """The path data of `kind` hatching over `shape` (already in page millimetres)."""
    if shape.is_empty:
        return ""
    if kind in ("dots", "rings"):
        return _marks(shape, spacing, kind == "rings")
    return "".join(_lines(shape, angle, spacing) for angle in KINDS[kind])


def swatch(kind: str, spacing: float, width: float = 7.4, height: float = 4.4) -> str:
    """The same hatching over a legend's small rectangle at (0.3, 0.3)."""
    return hatch(shapely.box(0.3, 0.3, 0.3 + width, 0.3 + height), kind, spacing)
