"""Look-ups for community systems: a household (with its place and representative) and a
representative; the answers' types. The hot look-ups (a household's representative, a
representative's households, which group contains a point) run on the async driver:
`gridsvc.services.lookups_async`. Every answer passes the access policy, and every one that
carries personal data is audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from gridsvc.access import REP_COLUMNS, Actor, Role, Show, apply_record
from gridsvc.assign import Params
from gridsvc.db import lookups
from gridsvc.db.connection import Connection
from gridsvc.errors import NotFound
from gridsvc.services.audit_trail import record_read
from gridsvc.services.guard import require_role


@dataclass(frozen=True)
class Place:
    community_code: str
    community_name: str
    section_code: str
    section_name: str
    group_code: str
    group_name: str


@dataclass(frozen=True)
class RepresentativeContact:
    code: str
    name: str | None
    phone: str | None
    role: str
    distance_m: float | None = None
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class HouseholdView(Place):
    code: str
    address: str | None
    head_name: str | None
    phone: str | None
    key_category: str | None
    lon: float | None
    lat: float | None
    representative: RepresentativeContact | None
    cross_group: bool | None


@dataclass(frozen=True)
class HouseholdBrief:
    code: str
    address: str | None
    head_name: str | None
    phone: str | None
    key_category: str | None
    distance_m: float | None
    lon: float | None
    lat: float | None


@dataclass(frozen=True)
class RepresentativeView(Place):
    code: str
    name: str | None
    phone: str | None
    role: str
    party_member: bool
    active: bool
    min_load: int
    max_load: int
    load: int
    lon: float | None
    lat: float | None


@dataclass(frozen=True)
class RepresentativeHouseholds:
    representative: str
    count: int
    households: list[HouseholdBrief] = field(default_factory=list)


@dataclass(frozen=True)
class Located(Place):
    lon: float
    lat: float
    representatives: list[RepresentativeContact] = field(default_factory=list)


def _number(value: object) -> float | None:
    return None if value is None or value != value else float(value)  # type: ignore[arg-type]


def _distance_as_shown(metres: float, home: Show) -> float | None:
    """A distance to a representative's home tells where the home is: as much as the home."""
    if home is Show.hidden:
        return None
    return round(metres, 1) if home is Show.full else float(round(metres / 50) * 50)


def _place(row: dict) -> dict:
    return {k: row[k] for k in Place.__dataclass_fields__}


def _contact(row: dict) -> RepresentativeContact | None:
    """The representative part of a policed household row (rep_* columns)."""
    if not row.get("rep_code"):
        return None
    return RepresentativeContact(
        code=row["rep_code"],
        name=row["rep_name"],
        phone=row["rep_phone"],
        role=row["rep_role"],
        distance_m=_number(row.get("distance_m")),
        lon=row.get("rep_lon"),
        lat=row.get("rep_lat"),
    )


def household(conn: Connection, actor: Actor, code: str) -> HouseholdView:
    """A household with its place and representative."""
    require_role(actor, Role.viewer, "look up a household")
    row = lookups.household(conn, code)
    if row is None:
        raise NotFound(f"household {code}: no such household")
    seen = apply_record(actor, row)
    record_read(conn, actor, "lookups.household", code, 1)
    return HouseholdView(
        **_place(seen),
        code=seen["code"],
        address=seen["address"],
        head_name=seen["head_name"],
        phone=seen["phone"],
        key_category=seen["key_category"],
        lon=seen["lon"],
        lat=seen["lat"],
        representative=_contact(seen),
        cross_group=seen["cross_group"] if seen["rep_code"] else None,
    )


def household_representative(conn: Connection, actor: Actor, code: str) -> RepresentativeContact:
    """Who is this household's representative? (the hottest look-up: one query)"""
    require_role(actor, Role.viewer, "look up a household")
    row = lookups.household_representative(conn, code)
    if row is None:
        raise NotFound(f"household {code}: no such household")
    contact = _contact(apply_record(actor, row))
    if contact is None:
        raise NotFound(f"household {code} has no representative in the run in force")
    record_read(conn, actor, "lookups.household_representative", code, 1)
    return contact


def _limits(row: dict) -> tuple[int, int]:
    """A representative's load limits: their own, else the run in force's, else the rules'."""
    rules = Params()
    run = row.get("run_params") or {}
    low = row["min_load"] if row["min_load"] is not None else run.get("min_load", rules.min_load)
    high = row["max_load"] if row["max_load"] is not None else run.get("max_load", rules.max_load)
    return int(low), int(high)


def representative(conn: Connection, actor: Actor, code: str) -> RepresentativeView:
    """A representative with their load and limits in the run in force."""
    row = lookups.representative(conn, code)
    if row is None:
        raise NotFound(f"representative {code}: no such representative")
    seen = apply_record(actor, row, REP_COLUMNS)
    record_read(conn, actor, "lookups.representative", code, 1)
    low, high = _limits(row)
    return RepresentativeView(
        **_place(seen),
        code=seen["code"],
        name=seen["name"],
        phone=seen["phone"],
        role=seen["role"],
        party_member=bool(seen["party_member"]),
        active=bool(seen["active"]),
        min_load=low,
        max_load=high,
        load=int(seen["load"]),
        lon=seen["lon"],
        lat=seen["lat"],
    )
