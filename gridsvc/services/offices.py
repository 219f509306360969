"""The community offices' phones (on contact cards when a representative does not publish
theirs), a representative's consent to publish a phone, and the street's name."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from gridsvc.access import Actor, Role
from gridsvc.db import offices
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import InputError
from gridsvc.services.guard import require_role, require_street_scope, safe_text

OFFICE_PHONE = re.compile(r"^[0-9][0-9-]{5,18}[0-9]$")  # 0731-28812345, 12345, 13812345678
OFFICES_FILE = "offices.csv"  # community_code,office_phone (in a street folder)


def check_phone(phone: str) -> str:
    phone = phone.strip()
    if not OFFICE_PHONE.match(phone):
        raise InputError(f"office_phone {phone!r}: digits and dashes, e.g. 0731-28812345")
    return phone


def set_office_phone(conn: Connection, actor: Actor, community: str, phone: str | None) -> None:
    """Set (or with None clear) a community office's phone."""
    require_role(actor, Role.planner, "set a community office's phone")
    safe_text(community, field="community", max_length=50)
    checked = None if phone is None else check_phone(phone)
    with transaction(conn):
        offices.set_office_phone(conn, community, checked)


def set_publish_phone(conn: Connection, actor: Actor, representative: str, publish: bool) -> None:
    """Record whether a representative agrees to have their phone printed and published."""
    require_role(actor, Role.planner, "record consent to publish a phone")
    safe_text(representative, field="representative", max_length=50)
    with transaction(conn):
        offices.set_publish_phone(conn, representative, publish)


def set_street(
    conn: Connection, actor: Actor, name: str, district: str = "", city: str = ""
) -> None:
    """The street's name (and district, city) as titles of print material give it."""
    require_role(actor, Role.planner, "name the street")
    require_street_scope(actor, "naming the street")
    for field, value in (("name", name), ("district", district), ("city", city)):
        safe_text(value, field=field, max_length=100)
    if not name.strip():
        raise InputError("name: empty")
    with transaction(conn):
        offices.set_street(conn, name.strip(), district.strip(), city.strip())


def load_offices(conn: Connection, actor: Actor, folder: Path) -> int:
    """From a street folder: the street's name (street.json) and the offices' phones
    (offices.csv), where present. Returns how many phones were set."""
    require_role(actor, Role.planner, "load the offices' phones")
    require_street_scope(actor, "loading the offices' phones")
    meta = folder / "street.json"
    table = folder / OFFICES_FILE
    with transaction(conn):
        if meta.exists():
            info = json.loads(meta.read_text(encoding="utf-8"))
            name = str(info.get("name", "")).strip()
            if name:
                offices.set_street(
                    conn, name, str(info.get("district", "")), str(info.get("city", ""))
                )
        if not table.exists():
            return 0
        with table.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for number, row in enumerate(rows, start=2):
            code, phone = (row.get("community_code") or "").strip(), row.get("office_phone")
            if not code:
                raise InputError(f"{table.name} line {number}: community_code is empty")
            try:
                offices.set_office_phone(conn, code, check_phone(phone) if phone else None)
            except InputError as exc:
                raise InputError(f"{table.name} line {number}: {exc}") from None
    return len(rows)


def sample_offices(community_codes: list[str]) -> list[dict[str, str]]:
    """The sample street's office phones: reproducible, in Zhuzhou's area code."""
    return [
        {"community_code": code, "office_phone": f"0731-2822{1000 + 17 * i:04d}"}
        for i, code in enumerate(sorted(community_codes), start=1)
    ]


def write_sample_offices(community_codes: list[str], folder: Path) -> Path:
    path = folder / OFFICES_FILE
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["community_code", "office_phone"])
        writer.writeheader()
        writer.writerows(sample_offices(community_codes))
    return path
