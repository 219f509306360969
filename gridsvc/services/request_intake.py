"""A submission checked and placed: its fields, its place in the street, the abuse limits."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from gridsvc.access import Actor, Role
from gridsvc.coords import to_cgcs2000
from gridsvc.db import requests as store
from gridsvc.db.connection import Connection
from gridsvc.errors import InputError, NotFound, TooManyRequests
from gridsvc.services.guard import safe_text
from gridsvc.services.request_rules import RequestRules

PHONE = re.compile(r"^1[3-9][0-9]{9}$")
MAX_TEXT = 2000
MAX_PHOTOS = 3
CRS = ("wgs84", "cgcs2000", "gcj02", "bd09")


@dataclass
class Submission:
    """What a resident (or the office for them) reports."""

    category: str
    text: str
    representative: str | None = None
    household: str | None = None
    phone: str | None = None
    lon: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    photos: list[bytes] = field(default_factory=list)
    client: str | None = None  # the submitting IP (only its hash is kept)
    source: str = "api"


def client_hash(client: str | None) -> str | None:
    return hashlib.sha256(client.encode()).hexdigest() if client else None


def check_limits(conn: Connection, rules: RequestRules, s: Submission, rep: int | None) -> None:
    counts = store.recent_counts(conn, client_hash(s.client), s.phone, rep)
    if counts.get("ip_hour", 0) >= rules.limit_ip_hour:
        raise TooManyRequests(
            f"本设备一小时内已提交 {rules.limit_ip_hour} 条诉求，请稍后再试 "
            "(too many requests from this address; try again in an hour)",
            3600,
        )
    if s.phone and counts.get("phone_day", 0) >= rules.limit_phone_day:
        raise TooManyRequests(
            f"该手机号今天已提交 {rules.limit_phone_day} 条诉求，请明天再试或直接致电代表 "
            "(too many requests from this phone today)",
            86400,
        )
    if rep is not None and counts.get("rep_hour", 0) >= rules.limit_rep_hour:
        raise TooManyRequests(
            "该代表一小时内收到的诉求过多，请稍后再试或致电社区 "
            "(too many requests for this representative this hour)",
            3600,
        )


def place_of(conn: Connection, actor: Actor, s: Submission) -> dict[str, Any]:
    """Representative, household, group, section and community of a submission."""
    place: dict[str, Any] = {}
    if s.representative:
        rep = store.representative_place(conn, s.representative)
        if rep is None or not rep["active"]:
            raise NotFound(f"representative {s.representative}: no such active representative")
        place.update({k: rep[k] for k in ("representative_id", "group_id", "section_id")})
        place["community_id"] = rep["community_id"]
    if s.household:
        if not actor.at_least(Role.representative):
            raise InputError("household: only the office or a representative may name one")
        home = store.household_place(conn, s.household)
        if home is None:
            raise NotFound(f"household {s.household}: no such household")
        place.setdefault("group_id", home["group_id"])
        place.setdefault("section_id", home["section_id"])
        place.setdefault("community_id", home["community_id"])
        place["household_id"] = home["household_id"]
    if s.lon is not None and s.lat is not None and "section_id" not in place:
        found = store.point_place(conn, s.lon, s.lat)
        if found is None:
            raise InputError("lon/lat: the point is in no group of this street")
        place.update(found)
    if "section_id" not in place:
        raise InputError("representative: name a representative, a household or a point")
    return place


def checked(s: Submission, categories: set[str]) -> Submission:
    if s.category not in categories:
        raise InputError(f"category {s.category!r}: choose {', '.join(sorted(categories))}")
    s.text = safe_text(s.text.strip(), field="text", max_length=MAX_TEXT)
    if not s.text:
        raise InputError("text: say what the problem is")
    if s.phone is not None:
        s.phone = s.phone.strip() or None
    if s.phone and not PHONE.match(s.phone):
        raise InputError("phone: a mainland mobile number of 11 digits, e.g. 13812345678")
    if len(s.photos) > MAX_PHOTOS:
        raise InputError(f"photos: at most {MAX_PHOTOS}")
    if (s.lon is None) != (s.lat is None):
        raise InputError("lon/lat: give both or neither")
    if s.lon is not None and s.lat is not None:
        if s.crs not in CRS:
            raise InputError(f"crs {s.crs!r}: choose {', '.join(CRS)}")
        if not (73 <= s.lon <= 136 and 3 <= s.lat <= 54):
            raise InputError("lon/lat: not a point in China")
        lon, lat = to_cgcs2000([s.lon], [s.lat], s.crs)
        s.lon, s.lat = float(lon[0]), float(lat[0])
    return s
