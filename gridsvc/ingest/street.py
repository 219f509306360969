"""Read and validate a street folder: communities/sections/groups GeoJSON and people CSVs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, shape

from gridsvc.errors import InputError

LEVELS = ("communities", "sections", "groups")
PARENT_LEVEL = {"sections": "communities", "groups": "sections"}
REP_COLUMNS = [
    "code",
    "name",
    "phone",
    "group_code",
    "role",
    "party_member",
    "active",
    "lon",
    "lat",
]
HOUSE_COLUMNS = [
    "code",
    "head_name",
    "phone",
    "address",
    "group_code",
    "key_category",
    "lon",
    "lat",
]


@dataclass
class StreetFiles:
    """A validated street, ready to be written to the store."""

    folder: Path
    areas: dict[str, pd.DataFrame]  # level -> code, name, parent_code, wkb
    representatives: pd.DataFrame
    households: pd.DataFrame
    checksum: str


def read_street(folder: Path) -> StreetFiles:
    """Read `folder`; raise InputError naming the file and feature or row at the first fault."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no such street folder")
    digest = hashlib.sha256()
    areas = {}
    for level in LEVELS:
        path = folder / f"{level}.geojson"
        digest.update(_read_bytes(path))
        areas[level] = read_areas(path)
    for level, parent in PARENT_LEVEL.items():
        known = set(areas[parent]["code"])
        for row in areas[level].itertuples():
            if row.parent_code not in known:
                raise InputError(
                    f"{folder / (level + '.geojson')} feature {row.feature} "
                    f"(code {row.code}): parent {parent[:-1]} '{row.parent_code}' "
                    f"does not exist in {parent}.geojson"
                )
    group_codes = set(areas["groups"]["code"])
    people = {}
    for name, columns in (("representatives", REP_COLUMNS), ("households", HOUSE_COLUMNS)):
        path = folder / f"{name}.csv"
        digest.update(_read_bytes(path))
        people[name] = read_people(path, columns, group_codes)
    return StreetFiles(
        folder, areas, people["representatives"], people["households"], digest.hexdigest()
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file is missing") from None


def read_areas(path: Path) -> pd.DataFrame:
    """Features of one level: code, name, parent_code, and the geometry as WKB."""
    try:
        doc = json.loads(_read_bytes(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
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
        if "\x00" in f"{code}{name}{parent or ''}":
            raise InputError(f"{where}: code, name or parent_code contains a NUL byte")
        rows.append(
            {
                "feature": number,
                "code": code,
                "name": name,
                "parent_code": str(parent).strip() if parent else None,
                "wkb": shapely.to_wkb(geom, hex=True),
            }
        )
    if not rows:
        raise InputError(f"{path}: no features")
    return pd.DataFrame(rows)


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


def read_people(path: Path, columns: list[str], group_codes: set[str]) -> pd.DataFrame:
    """A people CSV (UTF-8) with `columns`; every row's group must exist."""
    _read_bytes(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    frame = frame[columns].copy()
    for column in columns:  # PostgreSQL text cannot hold NUL: name the cell, do not crash
        hit = frame[column].str.contains("\x00", regex=False)
        if hit.any():
            i = hit.idxmax()
            raise InputError(f"{path} row {i + 2}: field {column} contains a NUL byte")
    for coord in ("lon", "lat"):
        values = pd.to_numeric(frame[coord], errors="coerce")
        bad = values.isna()
        if bad.any():
            row = int(bad.idxmax()) + 2  # +1 header, +1 one-based
            raise InputError(
                f"{path} row {row} (code {frame.at[bad.idxmax(), 'code']}): "
                f"field {coord} is not a number: {frame.at[bad.idxmax(), coord]!r}"
            )
        frame[coord] = values
    unknown = ~frame["group_code"].isin(group_codes)
    if unknown.any():
        i = unknown.idxmax()
        raise InputError(
            f"{path} row {i + 2} (code {frame.at[i, 'code']}): group "
            f"'{frame.at[i, 'group_code']}' does not exist in groups.geojson"
        )
    dupes = frame["code"].duplicated()
    if dupes.any():
        i = dupes.idxmax()
        raise InputError(f"{path} row {i + 2}: code {frame.at[i, 'code']} appears twice")
    return frame
