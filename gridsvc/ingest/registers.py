"""Normalise and check register rows; every rejected row keeps its reason and its row number."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gridsvc.ingest.columns import ColumnMap
from gridsvc.ingest.tables import RawTable

PHONE = re.compile(r"^1[3-9]\d{9}$")
KEY_SYNONYMS = {
    "低保": "低保",
    "低保户": "低保",
    "最低生活保障": "低保",
    "残障": "残障",
    "残疾": "残障",
    "残障家庭": "残障",
    "残疾人": "残障",
    "残疾人家庭": "残障",
    "独居老人": "独居老人",
    "独居": "独居老人",
    "空巢独居": "独居老人",
    "孤寡老人": "独居老人",
    "鳏寡": "独居老人",
    "孤儿": "孤儿",
    "特困": "特困",
    "特困供养": "特困",
    "五保": "特困",
    "五保户": "特困",
    "优抚": "优抚",
    "优抚对象": "优抚",
}
NOT_KEY = {"", "无", "否", "普通", "一般", "none", "no", "-", "/"}
TRUE_WORDS = {"是", "党员", "中共党员", "true", "yes", "y", "1", "√"}
FALSE_WORDS = {"否", "群众", "非党员", "false", "no", "n", "0", ""}
# China's extent in degrees: what a swapped pair looks like
LON_RANGE, LAT_RANGE = (72.0, 137.9), (0.8, 55.9)


@dataclass
class Issue:
    """A rejected or warned row: its number in the file, a reason code and a message."""

    row: int
    reason: str
    message: str


@dataclass
class Prepared:
    """Rows that passed the row checks (indexed by file row) and what happened to the others."""

    rows: pd.DataFrame
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def clean_text(series: pd.Series) -> pd.Series:
    """NFKC (full-width digits and letters become ASCII), no stray or ideographic spaces."""
    return series.astype(str).map(lambda v: unicodedata.normalize("NFKC", v).strip())


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s\-()（）]", "", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def _select(table: RawTable, cmap: ColumnMap) -> pd.DataFrame:
    frame = pd.DataFrame(index=table.frame.index)
    for fld, column in cmap.used.items():
        frame[fld] = clean_text(table.frame[column])
    return frame


def _reject(prepared: Prepared, mask: pd.Series, reason: str, message) -> None:  # type: ignore[no-untyped-def]
    for row in prepared.rows.index[mask]:
        prepared.rejected.append(Issue(int(row), reason, message(prepared.rows.loc[row])))
    prepared.rows = prepared.rows[~mask]


def check_rows(table: RawTable, cmap: ColumnMap, kind: str) -> Prepared:
    """Row checks that need no database: codes, coordinates, phones, categories."""
    prepared = Prepared(_select(table, cmap))
    _reject_nul(prepared, cmap)
    rows = prepared.rows
    _reject(prepared, rows["code"] == "", "missing_code", lambda r: "the code is empty")
    first_row = prepared.rows.reset_index().groupby("code")["index"].first()
    dupes = prepared.rows["code"].duplicated(keep="first")
    _reject(
        prepared,
        dupes,
        "duplicate_code",
        lambda r: f"code {r['code']} appears again (first on row {first_row[r['code']]})",
    )
    _check_coordinates(prepared)
    _check_phone(prepared)
    if kind == "households":
        _check_key_category(prepared)
    else:
        _check_flags(prepared)
    return prepared


def _reject_nul(prepared: Prepared, cmap: ColumnMap) -> None:
    """A NUL byte (a damaged or hostile file) cannot be stored in PostgreSQL text: the row is
    refused, naming the column, instead of failing the whole import."""
    for fld, column in cmap.used.items():
        hit = prepared.rows[fld].str.contains("\x00", regex=False)
        _reject(
            prepared,
            hit,
            "nul_byte",
            lambda r, f=fld, c=column: f"column {c!r} ({f}) contains a NUL byte",
        )


def _check_coordinates(prepared: Prepared) -> None:
    rows = prepared.rows
    empty = (rows["lon"] == "") | (rows["lat"] == "")
    _reject(prepared, empty, "missing_coordinates", lambda r: "longitude or latitude is empty")
    rows = prepared.rows
    lon = pd.to_numeric(rows["lon"], errors="coerce")
    lat = pd.to_numeric(rows["lat"], errors="coerce")
    bad = lon.isna() | lat.isna()
    _reject(
        prepared,
        bad,
        "bad_coordinates",
        lambda r: f"not a number: longitude {r['lon']!r}, latitude {r['lat']!r}",
    )
    lon, lat = lon[~bad], lat[~bad]
    swapped = lon.between(*LAT_RANGE) & lat.between(*LON_RANGE)
    for row in lon.index[swapped]:
        prepared.warnings.append(
            Issue(
                int(row),
                "swapped_coordinates",
                f"latitude {lon[row]} was in the longitude column: swapped",
            )
        )
    lon, lat = lon.where(~swapped, lat), lat.where(~swapped, lon)
    prepared.rows = prepared.rows.assign(lon=lon.astype(float), lat=lat.astype(float))
    outside = ~(prepared.rows["lon"].between(*LON_RANGE) & prepared.rows["lat"].between(*LAT_RANGE))
    _reject(
        prepared,
        outside,
        "bad_coordinates",
        lambda r: f"({r['lon']}, {r['lat']}) is not a position in China",
    )


def _check_phone(prepared: Prepared) -> None:
    if "phone" not in prepared.rows:
        prepared.rows["phone"] = ""
        return
    prepared.rows["phone"] = prepared.rows["phone"].map(normalise_phone)
    bad = (prepared.rows["phone"] != "") & ~prepared.rows["phone"].str.match(PHONE)
    _reject(
        prepared,
        bad,
        "invalid_phone",
        lambda r: f"phone {r['phone']!r} is not an 11-digit mobile number",
    )


def _check_key_category(prepared: Prepared) -> None:
    if "key_category" not in prepared.rows:
        prepared.rows["key_category"] = None
        return
    raw = prepared.rows["key_category"]
    mapped = raw.map(lambda v: None if v.lower() in NOT_KEY else KEY_SYNONYMS.get(v, "?"))
    unknown = mapped == "?"
    prepared.rows["key_category"] = mapped
    known = ", ".join(sorted(set(KEY_SYNONYMS.values())))
    _reject(
        prepared,
        unknown,
        "unknown_key_category",
        lambda r: f"key category {raw[r.name]!r} is not one of {known} (or empty)",
    )


def _check_flags(prepared: Prepared) -> None:
    rows = prepared.rows
    for fld, default in (("party_member", False), ("active", True)):
        if fld not in rows:
            prepared.rows[fld] = default
            continue
        words = prepared.rows[fld].str.lower()
        value = np.where(
            words.isin(TRUE_WORDS),
            True,
            np.where(words.isin(FALSE_WORDS), False, None),  # type: ignore[call-overload]
        )
        if fld == "active":
            value = np.where(words == "", True, value)
        bad = pd.Series(value, index=prepared.rows.index).isna()
        prepared.rows[fld] = value
        _reject(
            prepared,
            bad,
            f"bad_{fld}",
            lambda r, f=fld: f"field {f}: {rows.loc[r.name, f]!r} is not 是/否",
        )
    if "role" not in prepared.rows:
        prepared.rows["role"] = "居民代表"
    prepared.rows["role"] = prepared.rows["role"].replace("", "居民代表")
