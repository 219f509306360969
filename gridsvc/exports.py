"""Write the contact list (代表联户清单) as CSV (UTF-8 with BOM, for Excel), XLSX or GeoJSON."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from gridsvc.errors import InputError

CONTACT_COLUMNS = [
    "household_code",
    "representative_code",
    "group_code",
    "section_code",
    "distance_m",
    "key_category",
]
FORMATS = ("csv", "xlsx", "geojson")


def write_contacts(frame: pd.DataFrame, path: Path, fmt: str) -> Path:
    """One row per household; GeoJSON features are the households' points."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt}: choose one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    table = frame[CONTACT_COLUMNS]
    if fmt == "csv":
        table.to_csv(path, index=False, encoding="utf-8-sig")
    elif fmt == "xlsx":
        table.to_excel(path, index=False, sheet_name="代表联户清单")
    else:
        points = gpd.GeoDataFrame(
            table, crs="EPSG:4490", geometry=gpd.points_from_xy(frame["lon"], frame["lat"])
        )
        path.unlink(missing_ok=True)
        points.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """A plain table as CSV (UTF-8 with BOM) or XLSX, chosen by the file's suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        frame.to_excel(path, index=False)
    elif path.suffix.lower() == ".csv":
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        raise InputError(f"{path}: write a .csv or .xlsx file")
    return path
