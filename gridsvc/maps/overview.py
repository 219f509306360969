"""The street overview: sections coloured by coverage, with their figures and links."""

from __future__ import annotations

import json

import folium
import geopandas as gpd
import shapely

from gridsvc.maps.decorations import add_label, add_legend, add_north_arrow, add_title, patch
from gridsvc.maps.offline import fit, offline_map
from gridsvc.maps.section import LayerRegistry

FULL, PARTLY, POOR, NONE = "#2e7d32", "#f9a825", "#c62828", "#9e9e9e"


def coverage_color(households: int, covered: int) -> str:
    if households == 0 or covered == 0:
        return NONE
    share = covered / households
    return FULL if share >= 1 else (PARTLY if share >= 0.95 else POOR)


def build_overview_map(
    sections: gpd.GeoDataFrame,
    *,
    title: str = "街道总览",
    link: str = "sections/{code}.html",
    tiles: str | None = None,
    m: folium.Map | None = None,
) -> folium.Map:
    """Sections with households, coverage and representatives; each links to its map."""
    minx, miny, maxx, maxy = sections.total_bounds
    m = m or offline_map(((miny + maxy) / 2, (minx + maxx) / 2), tiles=tiles, zoom_start=14)
    frame = sections.copy()
    frame["coverage"] = [
        f"{c / h:.1%}" if h else "—"
        for c, h in zip(frame["covered"], frame["households"], strict=True)
    ]
    frame["color"] = [
        coverage_color(h, c) for h, c in zip(frame["households"], frame["covered"], strict=True)
    ]
    frame["link"] = [
        f'<a href="{link.format(code=c)}" target="_top">打开片区图 {c}</a>' for c in frame["code"]
    ]
    layer = folium.GeoJson(
        json.loads(
            frame[
                [
                    "code",
                    "name",
                    "community",
                    "households",
                    "covered",
                    "representatives",
                    "coverage",
                    "color",
                    "link",
                    "geometry",
                ]
            ].to_json()
        ),
        name="网格片区 sections",
        style_function=lambda f: {
            "color": "#333",
            "weight": 1.5,
            "fillColor": f["properties"]["color"],
            "fillOpacity": 0.35,
        },
        tooltip=folium.GeoJsonTooltip(
            ["name", "households", "covered", "representatives", "coverage"],
            aliases=["片区", "户数", "已覆盖", "代表", "覆盖率"],
        ),
        popup=folium.GeoJsonPopup(
            ["name", "community", "coverage", "link"], aliases=["片区", "社区", "覆盖率", ""]
        ),
    )
    layer.add_to(m)
    for code, name, community, geom in zip(
        frame["code"], frame["name"], frame["community"], frame.geometry, strict=True
    ):
        add_label(m, geom, f"{str(name).removeprefix(str(community))} {code}", size=11)
    for community, part in frame.dissolve("community").geometry.items():
        spot = part.envelope.bounds  # the top of the community, above its sections' labels
        add_label(m, shapely.Point((spot[0] + spot[2]) / 2, spot[3]), str(community), size=15)
    add_legend(
        m,
        [
            (patch(FULL), "全覆盖 fully covered"),
            (patch(PARTLY), "≥95%"),
            (patch(POOR), "<95%"),
            (patch(NONE), "尚无方案 no run"),
        ],
        "覆盖率 coverage",
    )
    add_north_arrow(m)
    households, covered = int(frame["households"].sum()), int(frame["covered"].sum())
    add_title(m, title, f"{len(frame)} 个片区 · {households} 户 · 覆盖 {covered} 户")
    LayerRegistry({"sections": layer}).add_to(m)
    fit(m, (minx, miny, maxx, maxy))
    return m
