"""The street overview as a vector SVG for print: sections with their names and coverage
(told apart by hatching, not colour alone), communities outlined and named, a metric scale."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from gridsvc.coords import metric_epsg_for
from gridsvc.maps.hatching import hatch
from gridsvc.maps.svgmap import SvgMap, fit_frame, pattern_of, scale_bar, svg_path

# coverage -> (pattern kind, colour, legend); a notice board may be printed in black and white
COVERAGE = {
    "full": ("dots", "#2e7d32", "全覆盖"),
    "partly": ("diag", "#f9a825", "覆盖 ≥95%"),
    "poor": ("cross", "#c62828", "覆盖 <95%"),
    "none": ("horiz", "#757575", "尚无方案"),
}


def coverage_class(households: int, covered: int) -> str:
    if households == 0 or covered == 0:
        return "none"
    share = covered / households
    return "full" if share >= 1 else ("partly" if share >= 0.95 else "poor")


def build_overview_svg(
    sections: gpd.GeoDataFrame, width: float, height: float, margin: float = 8.0
) -> SvgMap:
    """Every section (code, name, community, households, covered, geometry) in width × height mm."""
    out = SvgMap(width, height)
    if sections.empty:
        return out
    centre = shapely.centroid(shapely.union_all(sections.geometry.values))
    out.epsg = metric_epsg_for([centre.x])
    metric = sections.to_crs(out.epsg)
    frame = fit_frame(metric.total_bounds, width, height, margin)
    for key, (kind, color, _) in COVERAGE.items():
        out.patterns.append(pattern_of(f"cov-{key}", kind, color, 2.6))
    for row in metric.itertuples():
        key = coverage_class(int(row.households), int(row.covered))
        spot = shapely.point_on_surface(row.geometry)
        x, y = frame.xy(np.array([spot.x]), np.array([spot.y]))
        out.areas.append(
            {
                "d": svg_path(row.geometry, frame),
                "pattern": f"cov-{key}",
                "hatch": hatch(frame.shape(row.geometry), COVERAGE[key][0], 2.6),
                "kind": COVERAGE[key][0],
                "color": COVERAGE[key][1],
                "name": "",
                "lx": float(x[0]),
                "ly": float(y[0]),
            }
        )
        name = str(row.name).removeprefix(str(row.community))
        out.labels.append({"x": float(x[0]), "y": float(y[0]) - 1, "text": name, "size": 3.2})
        out.labels.append({"x": float(x[0]), "y": float(y[0]) + 3, "text": row.code, "size": 2.4})
    for community, part in metric.dissolve("community").geometry.items():
        out.outlines.append({"d": svg_path(part, frame)})
        box = part.envelope.bounds
        x, y = frame.xy(np.array([(box[0] + box[2]) / 2]), np.array([box[3]]))
        out.labels.append(
            {"x": float(x[0]), "y": float(y[0]) + 6, "text": community, "size": 5, "bold": True}
        )
    out.scale_bar = scale_bar(frame, width, height)
    return out
