"""Which file column feeds which field: default aliases (Chinese and English headers as people
write them) that a small TOML mapping file can override."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from gridsvc.errors import InputError

HOUSEHOLD_ALIASES: dict[str, list[str]] = {
    "code": ["户编号", "户号", "户编码", "家庭编号", "household_code", "code", "id"],
    "head_name": ["户主姓名", "户主", "姓名", "head_name", "name"],
    "phone": ["联系电话", "手机号码", "手机号", "手机", "电话", "phone", "mobile", "tel"],
    "address": ["地址", "住址", "家庭住址", "详细地址", "address"],
    "lon": ["经度", "lng", "lon", "longitude", "x"],
    "lat": ["纬度", "lat", "latitude", "y"],
    "key_category": ["重点户类别", "户类型", "困难类型", "重点户", "key_category", "category"],
    "group_code": ["所属小组", "小组编码", "所属小组编码", "group_code", "group"],
}
REPRESENTATIVE_ALIASES: dict[str, list[str]] = {
    "code": ["代表编号", "编号", "representative_code", "code", "id"],
    "name": ["姓名", "代表姓名", "name"],
    "phone": ["联系电话", "手机号码", "手机号", "电话", "phone", "mobile"],
    "group_code": ["所属小组编码", "小组编码", "所属小组", "group_code", "group"],
    "role": ["身份", "角色", "职务", "role"],
    "party_member": ["是否党员", "党员", "party_member"],
    "lon": ["经度", "lng", "lon", "longitude", "x"],
    "lat": ["纬度", "lat", "latitude", "y"],
    "active": ["是否在任", "在任", "active"],
}
REQUIRED = {
    "households": ["code", "lon", "lat"],
    "representatives": ["code", "name", "group_code", "lon", "lat"],
}
ALIASES = {"households": HOUSEHOLD_ALIASES, "representatives": REPRESENTATIVE_ALIASES}


@dataclass
class ColumnMap:
    """field -> file column, and the file's columns that were not used."""

    used: dict[str, str]
    ignored: list[str] = field(default_factory=list)

    def describe(self) -> str:
        used = ", ".join(f"{col} → {fld}" for fld, col in self.used.items())
        ignored = ", ".join(self.ignored) or "none"
        return f"columns used: {used}; ignored: {ignored}"


def _norm(name: str) -> str:
    return name.strip().lower().replace(" ", "").replace("\u3000", "")


def known_headers(kind: str) -> set[str]:
    return {_norm(a) for aliases in ALIASES[kind].values() for a in aliases}


def load_overrides(path: Path | None, kind: str) -> dict[str, str]:
    """A mapping file: `[households]` or `[representatives]` with `field = "column name"`."""
    if path is None:
        return {}
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"mapping {path}: file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"mapping {path}: not valid TOML ({exc})") from None
    section = doc.get(kind, {})
    unknown = set(section) - set(ALIASES[kind])
    if unknown:
        raise InputError(
            f"mapping {path}: unknown field(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(ALIASES[kind])}"
        )
    return {k: str(v) for k, v in section.items()}


def map_columns(
    columns: list[str], kind: str, overrides: dict[str, str] | None = None, source: str = ""
) -> ColumnMap:
    """Match the file's headers to fields: overrides first, then the aliases in order."""
    by_norm = {_norm(c): c for c in columns}
    used: dict[str, str] = {}
    for fld, column in (overrides or {}).items():
        if _norm(column) not in by_norm:
            raise InputError(
                f"{source}: mapping names column '{column}' for {fld}, "
                f"but the file has {', '.join(columns)}"
            )
        used[fld] = by_norm[_norm(column)]
    taken = set(used.values())
    for fld, aliases in ALIASES[kind].items():
        if fld in used:
            continue
        for alias in aliases:
            found = by_norm.get(_norm(alias))
            if found and found not in taken:
                used[fld] = found
                taken.add(found)
                break
    missing = [f for f in REQUIRED[kind] if f not in used]
    if missing:
        names = "; ".join(f"{f} ({' / '.join(ALIASES[kind][f][:4])})" for f in missing)
        raise InputError(
            f"{source}: no column for {names}; found {', '.join(columns)} "
            "(a mapping file can name them)"
        )
    return ColumnMap(used, [c for c in columns if c not in taken])
