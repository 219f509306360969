"""The section map, "who contacts whom": groups, representatives, a line to every household
each contacts, key households marked. It draws what the access policy let through: a home
without coordinates is not drawn, a key category that is None is not marked. Shaped like
geopandas' `explore`."""

from __future__ import annotations

import json

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement, Template

from gridsvc.maps.data import SectionData
from gridsvc.maps.decorations import (
    add_contact_list,
    add_label,
    add_legend,
    add_north_arrow,
    add_title,
    dot,
    line,
    patch,
)
from gridsvc.maps.offline import fit, offline_map

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
REP_COLOR, HOUSE_COLOR, KEY_RING, UNCOVERED = "#c62828", "#455a64", "#ff1744", "#000000"


class LayerRegistry(MacroElement):
    """Expose the drawn layers as window.gridsvcLayers, so tests and tools can count them."""

    def __init__(self, layers: dict[str, folium.GeoJson]):
        super().__init__()
        self._name = "LayerRegistry"
        pairs = ", ".join(f"{json.dumps(k)}: {v.get_name()}" for k, v in layers.items())
        self._template = Template(
            "{% macro script(this, kwargs) %}window.gridsvcLayers = {" + pairs + "};{% endmacro %}"
        )


def _point_features(frame: pd.DataFrame, props: list[dict]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": p,
                "geometry": {"type": "Point", "coordinates": [round(x, 7), round(y, 7)]},
            }
            for p, x, y in zip(props, frame["lon"], frame["lat"], strict=True)
        ],
    }


def _group_colors(data: SectionData) -> dict[str, str]:
    return {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(data.groups["code"])}


def build_section_map(
    data: SectionData,
    *,
    m: folium.Map | None = None,
    tiles: str | None = None,
) -> folium.Map:
    """Draw one section as given (already passed through the access policy). No I/O: the
    caller writes the file."""
    minx, miny, maxx, maxy = data.groups.total_bounds
    m = m or offline_map(((miny + maxy) / 2, (minx + maxx) / 2), tiles=tiles)
    colors = _group_colors(data)
    groups = folium.GeoJson(
        json.loads(data.groups[["code", "name", "geometry"]].to_json()),
        name="居民小组 groups",
        style_function=lambda f: {
            "color": colors[f["properties"]["code"]],
            "weight": 2,
            "fillColor": colors[f["properties"]["code"]],
            "fillOpacity": 0.12,
        },
        tooltip=folium.GeoJsonTooltip(["name", "code"], aliases=["小组", "编码"]),
    )
    groups.add_to(m)
    for code, name, geom in zip(
        data.groups["code"], data.groups["name"], data.groups.geometry, strict=True
    ):
        add_label(m, geom, name, color=colors[code])

    every_house = data.households
    houses = every_house[every_house["lon"].notna() & every_house["lat"].notna()]
    every_rep = data.representatives
    reps = every_rep[every_rep["lon"].notna()].set_index("code", drop=False)
    marks_keys = bool(houses["key_category"].notna().any())
    contacts = _contact_lines(houses, reps, colors)
    lines = folium.GeoJson(
        contacts,
        name="联系 contacts",
        style_function=lambda f: {"color": f["properties"]["color"], "weight": 1.2, "opacity": 0.7},
    )
    lines.add_to(m)

    key = houses["key_category"].notna()
    house_props = [
        {"code": c, "group": g, "key": bool(k), "label": _house_label(c, n, a, cat)}
        for c, g, k, n, a, cat in zip(
            houses["code"],
            houses["group_code"],
            key,
            houses["head_name"],
            houses["address"],
            houses["key_category"],
            strict=True,
        )
    ]
    covered = houses["rep_code"].notna().to_numpy()
    for prop, ok in zip(house_props, covered, strict=True):
        prop["covered"] = bool(ok)
    layers: dict[str, folium.GeoJson] = {"groups": groups, "contacts": lines}
    if len(houses):
        households = folium.GeoJson(
            _point_features(houses, house_props),
            name="居民户 households",
            marker=folium.CircleMarker(radius=3, fill=True),
            style_function=lambda f: {
                "color": KEY_RING
                if f["properties"]["key"]
                else (HOUSE_COLOR if f["properties"]["covered"] else UNCOVERED),
                "weight": 2 if f["properties"]["key"] else 1,
                "radius": 5 if f["properties"]["key"] else 3,
                "fillColor": colors.get(f["properties"]["group"], HOUSE_COLOR),
                "fillOpacity": 0.9,
            },
            tooltip=folium.GeoJsonTooltip(["label"], labels=False),
        )
        households.add_to(m)
        layers["households"] = households

    members = houses.groupby("rep_code")
    rep_props = []
    for r in reps.itertuples():
        listed = members.get_group(r.code) if r.code in members.groups else houses.iloc[:0]
        names = "；".join(
            _house_label(c, n, None, None)
            for c, n in zip(listed["code"], listed["head_name"], strict=True)
        )
        rep_props.append(
            {
                "code": r.code,
                "name": r.name or r.code,
                "role": r.role,
                "phone": r.phone or "—",
                "load": int(r.load),
                "households": names or "—",
            }
        )
    if len(reps):
        representatives = folium.GeoJson(
            _point_features(reps, rep_props),
            name="居民代表 representatives",
            marker=folium.CircleMarker(radius=7, fill=True),
            style_function=lambda f: {
                "color": "#fff",
                "weight": 2,
                "fillColor": REP_COLOR,
                "fillOpacity": 1.0,
            },
            popup=folium.GeoJsonPopup(
                ["code", "name", "role", "phone", "load", "households"],
                aliases=["编号", "代表", "身份", "电话", "联系户数", "联系户"],
                max_width=360,
            ),
            tooltip=folium.GeoJsonTooltip(["name", "load"], aliases=["代表", "户数"]),
        )
        representatives.add_to(m)
        layers["representatives"] = representatives
    else:  # homes not shown: the representatives' published contact, as a list
        add_contact_list(m, every_rep, data.groups)

    entries = [
        (dot(REP_COLOR, "#fff", 12), "居民代表 representative"),
        (dot(HOUSE_COLOR), "居民户 household"),
        (line("#555"), "联系 contact line"),
        (dot(UNCOVERED), "未覆盖 not covered"),
    ]
    if marks_keys:
        entries.insert(2, (dot("#fff", KEY_RING, 12), "重点户 key household (staff only)"))
    entries += [
        (patch(colors[c]), n) for c, n in zip(data.groups["code"], data.groups["name"], strict=True)
    ]
    add_legend(m, entries)
    add_north_arrow(m)
    add_title(
        m,
        f"{data.community} {data.name}（{data.code}）",
        f"{len(every_rep)} 名代表 · {len(every_house)} 户 · "
        f"覆盖 {int(every_house['rep_code'].notna().sum())} 户"
        + (f" · 方案 {data.run_id}" if data.run_id else " · 尚无联户方案"),
    )
    LayerRegistry(layers).add_to(m)
    fit(m, (minx, miny, maxx, maxy))
    return m


def _house_label(code: str, name: str | None, address: str | None, category: str | None) -> str:
    parts = [code, name or ""]
    if address:
        parts.append(address)
    if category:
        parts.append(f"【{category}】")
    return " ".join(p for p in parts if p)


def _contact_lines(houses: pd.DataFrame, reps: pd.DataFrame, colors: dict[str, str]) -> dict:
    served = houses[houses["rep_code"].notna() & houses["rep_code"].isin(reps.index)]
    rep = reps.loc[served["rep_code"]]
    start = np.round(rep[["lon", "lat"]].to_numpy(), 7)
    end = np.round(served[["lon", "lat"]].to_numpy(), 7)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"household": h, "representative": r, "color": colors.get(g, "#555")},
                "geometry": {"type": "LineString", "coordinates": [a.tolist(), b.tolist()]},
            }
            for h, r, g, a, b in zip(
                served["code"], served["rep_code"], rep["group_code"], start, end, strict=True
            )
        ],
    }
