"""Write tables for people: CSV (UTF-8 with BOM, for Excel), XLSX or GeoJSON, readable by the
owner only, with no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from gridsvc.cells import neutralise_frame
from gridsvc.errors import InputError

FORMATS = ("csv", "xlsx", "geojson")


def format_of(path: Path, fmt: str | None) -> str:
    """The format asked for, else the one the file's suffix names."""
    chosen = fmt or path.suffix.lower().lstrip(".")
    if chosen not in FORMATS:
        raise InputError(
            f"format {chosen or '(none)'}: choose {', '.join(FORMATS)} "
            "(or name a file ending in one of them)"
        )
    return chosen


def private_file(path: Path) -> None:
    """Create (or empty) `path` readable by its owner only, before anything is written in."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def write_table(
    frame: pd.DataFrame,
    path: Path,
    fmt: str | None = None,
    *,
    sheet: str = "Sheet1",
    headers: dict[str, str] | None = None,
) -> Path:
    """Write `frame` as CSV or XLSX (format from `fmt`, else the suffix), headers renamed by
    `headers`; GeoJSON takes the frame's lon/lat as points."""
    chosen = format_of(path, fmt)
    private_file(path)
    if chosen == "geojson":
        path.write_text(_geojson(frame), encoding="utf-8")
        return path
    table = neutralise_frame(frame.rename(columns=headers or {}))
    if chosen == "csv":
        table.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        table.to_excel(path, index=False, sheet_name=sheet, engine="openpyxl")
    return path


def _geojson(frame: pd.DataFrame) -> str:
    properties = frame.drop(columns=["lon", "lat"])
    clean = properties.astype(object).where(properties.notna(), None).to_dict("records")
    features = [
        {
            "type": "Feature",
            "geometry": None
            if lon is None or pd.isna(lon)
            else {"type": "Point", "coordinates": [round(float(lon), 7), round(float(lat), 7)]},
            "properties": props,
        }
        for props, lon, lat in zip(clean, frame["lon"], frame["lat"], strict=True)
    ]
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, default=str
    )
