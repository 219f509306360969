"""A section drawn as vectors for print (an inline SVG in millimetres): groups hatched so they
stay apart in black and white, representatives numbered, several households at one spot as
one square with their count and the numbers serving them, contact lines, a metric scale."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from gridsvc.coords import metric_epsg_for, to_metric
from gridsvc.maps.data import SectionData
from gridsvc.maps.hatching import hatch, swatch
from gridsvc.maps.section import PALETTE

# one hatch per group, told apart by shape (not by colour): lines at four angles, crossings,
# dots, rings, grid; past eight they repeat with wider spacing
PATTERNS = ("diag", "horiz", "vert", "antidiag", "cross", "dots", "grid", "rings")
NICE_METRES = (10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000)
REP_R = 2.3  # mm: a representative's numbered circle


@dataclass
class Frame:
    """Metres in a projected CRS -> millimetres on the page (y down)."""

    minx: float
    maxy: float
    scale: float  # mm per metre
    left: float
    top: float

    def xy(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.left + (x - self.minx) * self.scale, self.top + (self.maxy - y) * self.scale

    def shape(self, geom: BaseGeometry) -> BaseGeometry:
        """A geometry in metres moved onto the page (mm)."""
        return shapely.transform(geom, lambda xy: np.column_stack(self.xy(xy[:, 0], xy[:, 1])))


@dataclass
class SvgMap:
    """Everything the template draws, in mm; text is left to Jinja (escaped there)."""

    width: float
    height: float
    patterns: list[dict] = field(default_factory=list)
    areas: list[dict] = field(default_factory=list)  # d, pattern, color, name, lx, ly
    lines: list[dict] = field(default_factory=list)
    homes: list[dict] = field(default_factory=list)  # single households: x, y
    buildings: list[dict] = field(default_factory=list)  # x, y, side, count, label, lx, ly
    uncovered: list[dict] = field(default_factory=list)  # x, y, count
    reps: list[dict] = field(default_factory=list)  # x, y, number, ox, oy (true spot)
    scale_bar: dict = field(default_factory=dict)
    outlines: list[dict] = field(default_factory=list)  # d: thick boundaries over the areas
    labels: list[dict] = field(default_factory=list)  # x, y, text, size, bold
    epsg: int = 0


def pattern_of(ident: str, kind: str, color: str, spacing: float) -> dict:
    """A hatching style, with its legend swatch."""
    return {
        "id": ident,
        "kind": kind,
        "color": color,
        "size": spacing,
        "swatch": swatch(kind, spacing),
    }


def numbers(data: SectionData) -> dict[str, int]:
    """Representative code -> the number printed on the map and in the list (by group)."""
    ordered = data.representatives.sort_values(["group_code", "code"])["code"]
    return {str(code): i for i, code in enumerate(ordered, start=1)}


def svg_path(geom: BaseGeometry, frame: Frame) -> str:
    parts = []
    for polygon in getattr(geom, "geoms", [geom]):
        for ring in [polygon.exterior, *polygon.interiors]:
            xy = np.asarray(ring.coords)
            px, py = frame.xy(xy[:, 0], xy[:, 1])
            points = " L".join(f"{a:.2f} {b:.2f}" for a, b in zip(px, py, strict=True))
            parts.append(f"M{points}Z")
    return " ".join(parts)


def fit_frame(bounds: np.ndarray, width: float, height: float, margin: float) -> Frame:
    minx, miny, maxx, maxy = bounds
    span_x, span_y = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    left = (width - span_x * scale) / 2
    top = (height - span_y * scale) / 2
    return Frame(minx, maxy, scale, left, top)


def scale_bar(frame: Frame, width: float, height: float) -> dict:
    """A bar of a round number of metres, about a fifth of the map's width, in 4 parts."""
    target = width / 5 / frame.scale
    metres = max([m for m in NICE_METRES if m <= target], default=NICE_METRES[0])
    length = metres * frame.scale
    x, y = 6.0, height - 8.0
    parts = [{"x": x + i * length / 4, "w": length / 4, "black": i % 2 == 0} for i in range(4)]
    label = f"{metres // 1000} 千米" if metres >= 1000 else f"{metres} 米"
    return {"x": x, "y": y, "length": length, "parts": parts, "label": label}


def _project(frame_data: pd.DataFrame, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    return to_metric(frame_data["lon"].to_numpy(float), frame_data["lat"].to_numpy(float), epsg)


def build_svg_map(data: SectionData, width: float, height: float, margin: float = 6.0) -> SvgMap:
    """The section `data` (already through the access policy) fitted into width × height mm."""
    out = SvgMap(width, height)
    groups = data.groups
    if groups.empty:
        return out
    centre = shapely.centroid(shapely.union_all(groups.geometry.values))
    out.epsg = metric_epsg_for([centre.x])
    metric = groups.to_crs(out.epsg)
    frame = fit_frame(metric.total_bounds, width, height, margin)
    colors = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(groups["code"])}
    for i, (code, name, geom) in enumerate(
        zip(metric["code"], metric["name"], metric.geometry, strict=True)
    ):
        kind = PATTERNS[i % len(PATTERNS)]
        spacing = 2.2 + 1.2 * (i // len(PATTERNS))
        pattern = pattern_of(f"hatch-{i}", kind, colors[code], spacing)
        out.patterns.append(pattern)
        spot = shapely.point_on_surface(geom)
        lx, ly = frame.xy(np.array([spot.x]), np.array([spot.y]))
        out.areas.append(
            {
                "d": svg_path(geom, frame),
                "hatch": hatch(frame.shape(geom), kind, spacing),
                "kind": kind,
                "pattern": pattern["id"],
                "color": colors[code],
                "name": str(name).removeprefix(data.community).removeprefix(data.name),
                "lx": float(lx[0]),
                "ly": float(ly[0]),
            }
        )
    numbered = numbers(data)
    houses = data.households[data.households["lon"].notna()]
    homes: set[tuple[float, float]] = set()
    if len(houses):
        hx, hy = frame.xy(*_project(houses, out.epsg))
        homes = set(zip(hx.round(1).tolist(), hy.round(1).tolist(), strict=True))
    reps = data.representatives[data.representatives["lon"].notna()]
    rep_xy: dict[str, tuple[float, float]] = {}
    if len(reps):
        rx, ry = frame.xy(*_project(reps, out.epsg))
        spots: dict[tuple[float, float], list[str]] = {}
        for code, x, y in zip(reps["code"], rx, ry, strict=True):
            spots.setdefault((round(float(x), 1), round(float(y), 1)), []).append(str(code))
        for (x, y), codes in spots.items():
            # representatives at one spot (a block, a building) spread around it
            radius = 0.0 if len(codes) == 1 else REP_R * 1.15 / np.sin(np.pi / max(len(codes), 2))
            if (x, y) in homes:  # leave the building's square at the centre in sight
                radius = max(radius, REP_R + 3.2)
            for k, code in enumerate(sorted(codes, key=numbered.get)):  # type: ignore[arg-type]
                angle = 2 * np.pi * k / len(codes) - np.pi / 2
                px, py = x + radius * np.cos(angle), y + radius * np.sin(angle)
                rep_xy[code] = (px, py)
                out.reps.append({"x": px, "y": py, "ox": x, "oy": y, "number": numbered[code]})
    if len(houses):
        _draw_households(out, houses, frame, rep_xy, numbered, colors)
    out.scale_bar = scale_bar(frame, width, height)
    return out


def _draw_households(
    out: SvgMap,
    houses: pd.DataFrame,
    frame: Frame,
    rep_xy: dict[str, tuple[float, float]],
    numbered: dict[str, int],
    colors: dict[str, str],
) -> None:
    hx, hy = frame.xy(*_project(houses, out.epsg))
    # plain lists and dicts: a pandas group per spot cost 5 ms a section
    spots: dict[tuple[float, float], list[tuple[str | None, str]]] = {}
    for x, y, rep, group in zip(
        hx.round(1).tolist(),
        hy.round(1).tolist(),
        houses["rep_code"].tolist(),
        houses["group_code"].tolist(),
        strict=True,
    ):
        spots.setdefault((x, y), []).append((rep if isinstance(rep, str) else None, group))
    taken: list[tuple[float, float, float, float]] = [
        (x - REP_R, y - REP_R, x + REP_R, y + REP_R) for x, y in rep_xy.values()
    ]
    for (x, y), at in sorted(spots.items()):
        served = [(rep, group) for rep, group in at if rep is not None]
        drawn: set[str] = set()
        for code, group in served:
            if code in rep_xy and code not in drawn:
                drawn.add(code)
                rx, ry = rep_xy[code]
                out.lines.append(
                    {"x1": rx, "y1": ry, "x2": x, "y2": y, "color": colors.get(group, "#555")}
                )
        missing = len(at) - len(served)
        if missing:
            out.uncovered.append({"x": x, "y": y, "count": missing})
        if len(at) == 1:
            out.homes.append({"x": x, "y": y})
            continue
        side = min(2.0 + 0.12 * len(at), 4.5)
        serving = sorted({numbered[c] for c, _ in served if c in numbered})
        label = "→" + ",".join(str(n) for n in serving) if serving else "未覆盖"
        lx, ly, callout = _place(x, y, side, label, taken)
        out.buildings.append(
            {
                "x": x,
                "y": y,
                "side": side,
                "count": len(at),
                "label": label,
                "lx": lx,
                "ly": ly,
                "callout": callout,
            }
        )
        taken.append((x - side / 2, y - side / 2, x + side / 2, y + side / 2))


def _place(
    x: float, y: float, side: float, label: str, taken: list[tuple[float, float, float, float]]
) -> tuple[float, float, bool]:
    """Where a building's label goes: beside it where nothing was put yet, else further out
    with a leader line (a callout)."""
    w, h = 1.25 * len(label) + 0.8, 2.4
    for step in (1.0, 2.2, 3.6):
        gap = side / 2 + 0.6 + (step - 1.0) * 3.0
        for dx, dy in ((gap, h / 3), (-gap - w, h / 3), (-w / 2, -gap), (-w / 2, gap + h)):
            box = (x + dx, y + dy - h, x + dx + w, y + dy)
            if not any(
                box[0] < t[2] and t[0] < box[2] and box[1] < t[3] and t[1] < box[3] for t in taken
            ):
                taken.append(box)
                return x + dx, y + dy, step > 1.0
    taken.append((x + side, y - h, x + side + w, y))
    return x + side, y, False
