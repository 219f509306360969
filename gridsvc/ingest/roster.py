"""A roster of the organisation's people as offices keep it (CSV/XLS/XLSX, GBK or UTF-8,
Chinese headers): read, checked row by row; every row accepted or refused with its reason."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gridsvc.errors import InputError
from gridsvc.ingest.tables import RawTable, read_table

ROLES = ("总网格长", "片区网格长", "网格员", "小组长", "副组长", "信访代理员", "其他")
ROLE_LEVEL = {
    "总网格长": "community",
    "片区网格长": "section",
    "网格员": "section",
    "信访代理员": "section",
    "小组长": "group",
    "副组长": "group",
}
ROLE_ALIASES = {
    "网格长": "片区网格长",
    "社区书记": "总网格长",
    "社区主任": "总网格长",
    "组长": "小组长",
    "信访代理": "信访代理员",
}
HEADERS = {
    "name": ("姓名", "name"),
    "phone": ("联系电话", "手机号码", "电话", "phone"),
    "role": ("职务", "岗位", "role"),
    "area_code": ("所属网格编码", "网格编码", "所属区域编码", "区域编码", "area_code"),
    "start_date": ("任职日期", "开始日期", "start_date"),
}
PHONE = re.compile(r"^1[3-9]\d{9}$")


@dataclass
class RosterIssue:
    row: int
    reason: str
    message: str


@dataclass
class Roster:
    table: RawTable
    rows: pd.DataFrame  # row, name, phone, role, level, area_code, start_date
    rejected: list[RosterIssue] = field(default_factory=list)


def _columns(table: RawTable, path: Path) -> dict[str, str]:
    found = {}
    for field_name, aliases in HEADERS.items():
        for column in table.frame.columns:
            if str(column).strip() in aliases:
                found[field_name] = str(column)
                break
    missing = [f for f in ("name", "role", "area_code") if f not in found]
    if missing:
        wanted = "; ".join(f"{f} ({' / '.join(HEADERS[f])})" for f in missing)
        raise InputError(f"{path}: no column for {wanted}")
    return found


def read_roster(path: Path) -> Roster:
    """Rows with a name, a known role, an area code, a valid phone (or none) and a date;
    a person listed twice for the same role and area is refused the second time."""
    table = read_table(path, {a for aliases in HEADERS.values() for a in aliases})
    columns = _columns(table, path)
    good, issues, seen = [], [], set()
    for number, cells in table.frame.iterrows():
        values = {
            f: unicodedata.normalize("NFKC", str(cells.get(c, "") or "")).strip()
            for f, c in columns.items()
        }
        get = values.get
        name, area = get("name", ""), get("area_code", "")
        phone = get("phone", "").replace("-", "").replace(" ", "")
        role = ROLE_ALIASES.get(get("role", ""), get("role", ""))
        problem = None
        if any("\x00" in v for v in (name, phone, area, role)):
            problem = ("nul_byte", "a cell contains a NUL byte")
        elif not name:
            problem = ("missing_name", "姓名 is empty")
        elif role not in ROLES:
            problem = ("unknown_role", f"职务 {role!r}: choose {', '.join(ROLES)}")
        elif not area:
            problem = ("missing_area", "所属网格编码 is empty")
        elif phone and not PHONE.match(phone):
            problem = ("invalid_phone", f"联系电话 {phone!r} is not a mobile number")
        elif (name, phone, role, area) in seen:
            problem = ("duplicate_person", f"{name} is listed twice as {role} of {area}")
        start = get("start_date") or None
        if problem is None and start:
            try:
                start = pd.Timestamp(start).date().isoformat()
            except ValueError:
                problem = ("invalid_date", f"任职日期 {start!r} is not a date")
        if problem:
            issues.append(RosterIssue(int(number), *problem))  # type: ignore[arg-type]
            continue
        seen.add((name, phone, role, area))
        good.append(
            {
                "row": int(number),  # type: ignore[call-overload]
                "name": name,
                "phone": phone or None,
                "role": role,
                "level": ROLE_LEVEL.get(role, "section"),
                "area_code": area,
                "start_date": start,
            }
        )
    columns_out = ["row", "name", "phone", "role", "level", "area_code", "start_date"]
    return Roster(table, pd.DataFrame(good, columns=columns_out), issues)
