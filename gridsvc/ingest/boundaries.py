"""Read one level of boundaries: GeoJSON in lon/lat strictly (gridsvc/ingest/geojson.py),
anything else (GeoPackage, Shapefile, projected GeoJSON) with pyogrio. The one reader for street
folders and `import boundaries`."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pyogrio
import shapely
from shapely.geometry import MultiPolygon

from gridsvc.coords import CGCS2000
from gridsvc.errors import InputError
from gridsvc.ingest.geojson import area_row, lonlat_document, read_areas

LEVELS = {"community": "communities", "section": "sections", "group": "groups"}
PROPERTY_ALIASES = {
    "code": ["code", "编码", "代码"],
    "name": ["name", "名称"],
    "parent_code": ["parent_code", "上级编码", "parent", "parent_cod"],  # shp: 10-byte names
}


def _column(frame: pd.DataFrame, field: str, path: Path, required: bool) -> str | None:
    for alias in PROPERTY_ALIASES[field]:
        for column in frame.columns:
            if str(column).strip().lower() == alias:
                return str(column)
    if required:
        raise InputError(
            f"{path}: no property {' / '.join(PROPERTY_ALIASES[field])} "
            f"(found {', '.join(map(str, frame.columns))})"
        )
    return None


def read_boundaries(path: Path, level: str) -> tuple[pd.DataFrame, str]:
    """Features as code, name, parent_code, wkb (hex, CGCS2000); and the file's checksum."""
    if level not in LEVELS:
        raise InputError(f"level {level}: choose community, section or group")
    if not path.exists():
        raise InputError(f"{path}: file is missing")
    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    if path.suffix.lower() in (".geojson", ".json"):
        doc = lonlat_document(path)
        if doc is not None:
            areas = read_areas(path, doc)
            orphans = areas[areas["parent_code"].isna()] if level != "community" else areas[:0]
            if len(orphans):
                row = orphans.iloc[0]
                raise InputError(
                    f"{path} feature {row['feature']} (code {row['code']}): property "
                    "'parent_code' is missing"
                )
            return areas, checksum
    try:
        gdf = pyogrio.read_dataframe(path)
    except Exception as exc:  # GDAL reports many kinds of damaged files
        raise InputError(f"{path}: cannot read ({exc})") from None
    if gdf.crs is not None and gdf.crs.to_epsg() not in (CGCS2000, 4326):
        gdf = gdf.to_crs(CGCS2000)  # e.g. a Gauss-Krüger shapefile: to lon/lat
    code_col = _column(gdf, "code", path, True)
    name_col = _column(gdf, "name", path, True)
    parent_col = _column(gdf, "parent_code", path, level != "community")
    rows = []
    seen: set[str] = set()
    for number, (row, geom) in enumerate(zip(gdf.itertuples(), gdf.geometry, strict=True), start=1):
        code = str(getattr(row, code_col) or "").strip()  # type: ignore[arg-type]
        where = f"{path} feature {number}" + (f" (code {code})" if code else "")
        if not code or code in seen:
            raise InputError(f"{where}: code is {'missing' if not code else 'repeated'}")
        seen.add(code)
        if geom is None or geom.geom_type not in ("Polygon", "MultiPolygon"):
            kind = "none" if geom is None else geom.geom_type
            raise InputError(f"{where}: geometry must be a Polygon or MultiPolygon, not {kind}")
        if not geom.is_valid:
            raise InputError(f"{where}: invalid polygon ({shapely.is_valid_reason(geom)})")
        parent = getattr(row, parent_col) if parent_col else None  # type: ignore[arg-type]
        name = str(getattr(row, name_col) or code).strip()  # type: ignore[arg-type]
        rows.append(
            area_row(number, where, code, name, parent, MultiPolygon(shapely.get_parts(geom)))
        )
    if not rows:
        raise InputError(f"{path}: no features")
    return pd.DataFrame(rows), checksum
