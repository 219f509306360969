"""Read and validate a street folder: communities/sections/groups GeoJSON and people CSVs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gridsvc.errors import InputError
from gridsvc.ingest.boundaries import read_boundaries
from gridsvc.ingest.geojson import read_bytes

LEVELS = ("communities", "sections", "groups")
LEVEL_OF = {"communities": "community", "sections": "section", "groups": "group"}
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
        areas[level], checksum = read_boundaries(path, LEVEL_OF[level])
        digest.update(checksum.encode())
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
        digest.update(read_bytes(path))
        people[name] = read_people(path, columns, group_codes)
    return StreetFiles(
        folder, areas, people["representatives"], people["households"], digest.hexdigest()
    )


def read_people(path: Path, columns: list[str], group_codes: set[str]) -> pd.DataFrame:
    """A people CSV (UTF-8) with `columns`; every row's group must exist."""
    read_bytes(path)
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
