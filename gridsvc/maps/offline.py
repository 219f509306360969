"""A folium map with no CDN and no online tiles: Leaflet is inlined from xstatic-leaflet."""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

import folium
import xstatic.pkg.leaflet as xstatic_leaflet
from branca.element import Element, MacroElement, Template

LEAFLET = Path(xstatic_leaflet.BASE_DIR)


def _data_uri(name: str) -> str:
    data = (LEAFLET / "images" / name).read_bytes()
    return f"data:image/png;base64,{base64.b64encode(data).decode()}"


@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's JS, and its CSS, with every image they use as a data URI: the default marker
    icon too, which Leaflet would otherwise fetch from a path it guesses."""
    js = (LEAFLET / "leaflet.js").read_text(encoding="utf-8")
    js += (
        "\n;L.Icon.Default.prototype.options.imagePath='';L.Icon.Default.mergeOptions({"
        f"iconUrl:'{_data_uri('marker-icon.png')}',"
        f"iconRetinaUrl:'{_data_uri('marker-icon-2x.png')}',"
        f"shadowUrl:'{_data_uri('marker-shadow.png')}'}});"
    )
    css = (LEAFLET / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"url\(images/([\w.-]+\.png)\)", lambda mt: f"url({_data_uri(mt[1])})", css)
    return js, css


@lru_cache(maxsize=1)
def leaflet_templates() -> tuple[Template, Template]:
    """Leaflet's CSS and JS as branca templates, compiled once: Jinja read its 150 kB anew
    for every map, a third of the time of rendering a street's maps."""
    js, css = leaflet_assets()
    return Template(f"<style>{css}</style>"), Template(f"<script>{js}</script>")


def _fixed(template: Template) -> Element:
    element = Element()
    element._template = template
    return element


class MetricScale(MacroElement):
    """Leaflet's scale bar in metres only (its default adds feet and miles)."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"
        self._template = Template(
            "{% macro script(this, kwargs) %}L.control.scale({imperial: false, maxWidth: 160})"
            ".addTo({{ this._parent.get_name() }});{% endmacro %}"
        )


def offline_map(
    location: tuple[float, float],
    *,
    tiles: str | None = None,
    attribution: str | None = None,
    zoom_start: int = 15,
) -> folium.Map:
    """A map whose page loads nothing from outside: no tiles unless a local URL is given (the
    polygons are the base map), Leaflet inlined, canvas rendering for many markers."""
    m = folium.Map(
        location=location,
        zoom_start=zoom_start,
        tiles=None,
        prefer_canvas=True,
        control_scale=False,  # Leaflet's own shows feet too: a metric one is added below
        max_zoom=20,
        # no animations: a screenshot or print must never catch a zoom half-way
        zoom_animation=False,
        fade_animation=False,
        marker_zoom_animation=False,
    )
    m.default_js, m.default_css = [], []  # folium's CDN links: jQuery, Bootstrap, fonts...
    css, js = leaflet_templates()
    header = m.get_root().header  # type: ignore[attr-defined]
    header.add_child(_fixed(css), name="leaflet_css", index=0)
    header.add_child(_fixed(js), name="leaflet_js", index=1)
    header.add_child(
        Element(
            "<style>html,body{margin:0;height:100%;font-family:"
            "'Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif}"
            # a phone: boxes shrink and the north arrow gives way to the title
            "@media (max-width:600px){.gridsvc-legend{font-size:10px!important;"
            "max-height:28%;overflow:auto}.gridsvc-north{display:none}"
            ".gridsvc-title{font-size:12px!important;right:10px}}"
            # printed from the browser: no zoom buttons or logo on paper
            "@media print{.leaflet-control-zoom,.leaflet-control-attribution{display:none}}"
            "</style>"
        ),
        name="gridsvc_css",
    )
    MetricScale().add_to(m)
    if tiles:
        folium.TileLayer(
            tiles=tiles, attr=attribution or "local tiles", name="tiles", max_zoom=20
        ).add_to(m)
    return m


def fit(m: folium.Map, bounds: tuple[float, float, float, float]) -> None:
    """Fit to (minx, miny, maxx, maxy) in lon/lat."""
    minx, miny, maxx, maxy = bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]])
