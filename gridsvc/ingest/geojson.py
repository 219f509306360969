"""Areas from a GeoJSON file in lon/lat, read strictly: what a GIS library would silently
repair (an unclosed ring, too few positions) is refused with the feature named."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, shape

from gridsvc.errors import InputError

LONLAT_CRS = ("4490", "4326", "CRS84")  # the crs member's names read as plain lon/lat


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file is missing") from None


def lonlat_document(path: Path) -> dict | None:
    """The parsed document if it is GeoJSON in lon/lat (no crs member, or CGCS2000/WGS 84/
    CRS84); None if it names another system (then a GIS library must reproject it)."""
    try:
        doc = json.loads(read_bytes(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a GeoJSON FeatureCollection")
    crs = str(((doc.get("crs") or {}).get("properties") or {}).get("name", ""))
    if crs and not crs.endswith(LONLAT_CRS):
        return None
    return doc


def read_areas(path: Path, doc: dict) -> pd.DataFrame:
    """Features of one level: code, name, parent_code, and the geometry as WKB (hex)."""
    if doc.get("type") != "FeatureCollection":
        raise InputError(f"{path}: expected a GeoJSON FeatureCollection")
    rows, seen = [], set()
    for number, feature in enumerate(doc.get("features", []), start=1):
        props = feature.get("properties") or {}
        code = str(props.get("code") or props.get("编码") or "").strip()
        where = f"{path} feature {number}" + (f" (code {code})" if code else "")
        if not code:
            raise InputError(f"{where}: property 'code' is missing")
        if code in seen:
            raise InputError(f"{where}: code {code} appears twice")
        seen.add(code)
        name = str(props.get("name") or props.get("名称") or "").strip()
        if not name:
            raise InputError(f"{where}: property 'name' is missing")
        geom = _polygon(feature.get("geometry"), where)
        parent = props.get("parent_code") or props.get("上级编码")
        rows.append(area_row(number, where, code, name, parent, geom))
    if not rows:
        raise InputError(f"{path}: no features")
    return pd.DataFrame(rows)


def area_row(
    number: int, where: str, code: str, name: str, parent: object, geom: MultiPolygon
) -> dict[str, object]:
    """One area as every reader returns it: feature number, code, name, parent_code, wkb."""
    if "\x00" in f"{code}{name}{parent or ''}":
        raise InputError(f"{where}: code, name or parent_code contains a NUL byte")
    return {
        "feature": number,
        "code": code,
        "name": name,
        "parent_code": str(parent).strip() if parent else None,
        "wkb": shapely.to_wkb(geom, hex=True),
    }


def _polygon(geometry: dict | None, where: str) -> MultiPolygon:
    """A valid MultiPolygon from GeoJSON, checking what shapely would silently repair."""
    if not geometry or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = (geometry or {}).get("type", "none")
        raise InputError(f"{where}: geometry must be a Polygon or MultiPolygon, not {kind}")
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    for p, rings in enumerate(polygons, start=1):
        for r, ring in enumerate(rings, start=1):
            if len(ring) < 4:
                raise InputError(f"{where}: ring {r} of polygon {p} has fewer than 4 positions")
            if list(ring[0]) != list(ring[-1]):
                raise InputError(
                    f"{where}: ring {r} of polygon {p} is not closed "
                    f"(first {ring[0]} != last {ring[-1]})"
                )
    geom = shape(geometry)
    if not geom.is_valid:
        raise InputError(f"{where}: invalid polygon ({shapely.is_valid_reason(geom)})")
    return MultiPolygon(shapely.get_parts(geom))
