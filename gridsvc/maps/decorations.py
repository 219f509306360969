"""What every printed map needs: a legend, a north arrow and a title."""

from __future__ import annotations

import html

import folium
import pandas as pd
import shapely
from branca.element import MacroElement, Template
from shapely.geometry.base import BaseGeometry

_BOX = (
    "position:fixed;z-index:9999;background:rgba(255,255,255,.92);padding:6px 10px;"
    "border:1px solid #888;border-radius:4px;font-size:13px;line-height:1.5"
)


class _Html(MacroElement):
    """A fixed HTML box drawn over the map."""

    def __init__(self, markup: str):
        super().__init__()
        self._name = "GridsvcBox"
        # braces as HTML entities: text from the store can never be read as template code
        inert = markup.replace("{", "&#123;").replace("}", "&#125;")
        self._template = Template("{% macro html(this, kwargs) %}" + inert + "{% endmacro %}")


def add_legend(m: folium.Map, entries: list[tuple[str, str]], title: str = "图例") -> None:
    """entries: (an HTML swatch, a label)."""
    rows = "".join(f"<div>{swatch} {html.escape(label)}</div>" for swatch, label in entries)
    _Html(
        f'<div class="gridsvc-legend" style="{_BOX};bottom:30px;right:10px">'
        f"<b>{html.escape(title)}</b>{rows}</div>"
    ).add_to(m)


def add_north_arrow(m: folium.Map) -> None:
    _Html(
        f'<div class="gridsvc-north" style="{_BOX};top:10px;right:10px;text-align:center;'
        'font-weight:bold;font-size:16px">▲<br>N 北</div>'
    ).add_to(m)


def add_title(m: folium.Map, title: str, subtitle: str = "") -> None:
    _Html(
        f'<div class="gridsvc-title" style="{_BOX};top:10px;left:50px;font-size:16px">'
        f"<b>{html.escape(title)}</b><br><small>{html.escape(subtitle)}</small></div>"
    ).add_to(m)


def add_label(
    m: folium.Map, geom: BaseGeometry, text: str, *, color: str = "#222", size: int = 12
) -> None:
    """A text label inside a polygon (a DivIcon: no image is loaded)."""
    spot = shapely.point_on_surface(geom)
    width = max(60, size * len(text))
    folium.Marker(
        [spot.y, spot.x],
        icon=folium.DivIcon(
            html=f'<div style="font-size:{size}px;font-weight:bold;color:{color};'
            f'white-space:nowrap;text-shadow:0 0 3px #fff">{html.escape(text)}</div>',
            icon_size=(width, size + 4),
            icon_anchor=(width // 2, (size + 4) // 2),
        ),
    ).add_to(m)


def dot(color: str, ring: str | None = None, size: int = 10) -> str:
    border = f"2px solid {ring}" if ring else "1px solid #333"
    return (
        f'<span style="display:inline-block;width:{size}px;height:{size}px;'
        f'border-radius:50%;background:{color};border:{border}"></span>'
    )


def line(color: str) -> str:
    return (
        f'<span style="display:inline-block;width:18px;height:0;'
        f'border-top:2px solid {color};vertical-align:middle"></span>'
    )


def patch(color: str) -> str:
    return (
        f'<span style="display:inline-block;width:14px;height:10px;background:{color};'
        'opacity:.5;border:1px solid #333"></span>'
    )


def add_contact_list(m: folium.Map, reps: pd.DataFrame, groups: pd.DataFrame) -> None:
    """The representatives' published contact by group, in a box (when homes are not drawn)."""
    names = dict(zip(groups["code"], groups["name"], strict=True))
    rows = "".join(
        f"<div>{html.escape(str(names.get(r.group_code, r.group_code)))} · "
        f"<b>{html.escape(str(r.name or r.code))}</b> {html.escape(str(r.phone or ''))}</div>"
        for r in reps.sort_values(["group_code", "code"]).itertuples()
    )
    _Html(
        f'<div class="gridsvc-contacts" style="{_BOX};top:70px;left:50px;max-height:70%;'
        f'overflow:auto;font-size:12px"><b>居民代表 representatives</b>{rows}</div>'
    ).add_to(m)
