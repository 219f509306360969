"""Look-ups for community systems: a household's representative, a representative's
households, and which community, section and group contain a point."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from gridsvc.access import Role, shown_key_category, shown_name, shown_phone
from gridsvc.api.deps import AnyCaller, Conn, Viewer
from gridsvc.api.schemas import (
    Household,
    HouseholdBrief,
    Located,
    Representative,
    RepresentativeBrief,
    RepresentativeHouseholds,
)
from gridsvc.coords import to_cgcs2000
from gridsvc.db import lookups
from gridsvc.errors import NotFound

router = APIRouter(tags=["look-ups"])
PLACE_KEYS = (
    "community_code",
    "community_name",
    "section_code",
    "section_name",
    "group_code",
    "group_name",
)


def _place(row: dict) -> dict:
    return {k: row[k] for k in PLACE_KEYS}


def _number(value: object) -> float | None:
    return None if value is None or value != value else float(value)  # NaN -> None


def _household(conn: Conn, code: str) -> dict:
    row = lookups.household(conn, code)
    if row is None:
        raise NotFound(f"household {code}: no such household")
    return row


def _rep_brief(row: dict, role: Role) -> RepresentativeBrief | None:
    if not row.get("rep_code"):
        return None
    return RepresentativeBrief(
        code=row["rep_code"],
        name=shown_name(row["rep_name"], role),
        phone=shown_phone(row["rep_phone"], role),
        role=row["rep_role"],
        distance_m=_number(row["distance_m"]),
        lon=row["rep_lon"],
        lat=row["rep_lat"],
    )


@router.get(
    "/households/{code}",
    response_model=Household,
    summary="A household, with its group and representative",
)
def get_household(code: str, conn: Conn, caller: Viewer, request: Request) -> Household:
    row = _household(conn, code)
    caller.audit(conn, request, code)
    return Household(
        **_place(row),
        code=row["code"],
        address=row["address"],
        head_name=shown_name(row["head_name"], caller.role),
        phone=shown_phone(row["phone"], caller.role),
        key_category=shown_key_category(row["key_category"], caller.role),
        lon=row["lon"],
        lat=row["lat"],
        representative=_rep_brief(row, caller.role),
        cross_group=row["cross_group"] if row["rep_code"] else None,
    )


@router.get(
    "/households/{code}/representative",
    response_model=RepresentativeBrief,
    summary="Who is this household's representative?",
)
def get_household_representative(
    code: str, conn: Conn, caller: Viewer, request: Request
) -> RepresentativeBrief:
    row = lookups.household_representative(conn, code)
    if row is None:
        raise NotFound(f"household {code}: no such household")
    brief = _rep_brief(row, caller.role)
    if brief is None:
        raise NotFound(f"household {code} has no representative in the run in force")
    caller.audit(conn, request, code)
    return brief


@router.get(
    "/representatives/{code}",
    response_model=Representative,
    summary="A representative, with their load in the run in force",
)
def get_representative(code: str, conn: Conn, caller: Viewer, request: Request) -> Representative:
    row = lookups.representative(conn, code)
    if row is None:
        raise NotFound(f"representative {code}: no such representative")
    caller.audit(conn, request, code)
    return Representative(
        **_place(row),
        code=row["code"],
        name=shown_name(row["name"], caller.role),
        phone=shown_phone(row["phone"], caller.role),
        role=row["role"],
        party_member=row["party_member"],
        active=row["active"],
        min_load=int(_number(row["min_load"]) or 5),
        max_load=int(_number(row["max_load"]) or 15),
        load=int(row["load"]),
        lon=row["lon"],
        lat=row["lat"],
    )


@router.get(
    "/representatives/{code}/households",
    response_model=RepresentativeHouseholds,
    summary="Whom does this representative contact?",
)
def get_representative_households(
    code: str, conn: Conn, caller: Viewer, request: Request
) -> RepresentativeHouseholds:
    if lookups.representative(conn, code) is None:
        raise NotFound(f"representative {code}: no such representative")
    rows = lookups.representative_households(conn, code)
    caller.audit(conn, request, code)
    role = caller.role
    households = [
        HouseholdBrief(
            code=r["code"],
            address=r["address"],
            head_name=shown_name(r["head_name"], role),
            phone=shown_phone(r["phone"], role),
            key_category=shown_key_category(r["key_category"], role),
            distance_m=_number(r["distance_m"]),
            lon=r["lon"],
            lat=r["lat"],
        )
        for r in rows
    ]
    return RepresentativeHouseholds(
        representative=code, count=len(households), households=households
    )


@router.get(
    "/locate",
    response_model=Located,
    summary="Which community, section and group contain this point?",
)
def locate(
    conn: Conn,
    caller: AnyCaller,
    lon: Annotated[float, Query(ge=73.0, le=136.0, description="longitude")],
    lat: Annotated[float, Query(ge=3.0, le=54.0, description="latitude")],
    crs: Annotated[
        Literal["wgs84", "cgcs2000", "gcj02", "bd09"],
        Query(description="the point's system: gcj02 for AMap/Tencent, bd09 for Baidu"),
    ] = "wgs84",
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> Located:
    x, y = to_cgcs2000([lon], [lat], crs)
    place, reps = lookups.locate(conn, float(x[0]), float(y[0]), limit)
    if place is None:
        raise NotFound(f"the point ({lon}, {lat}) in {crs} lies in no group of the street")
    role = caller.role
    return Located(
        **_place(place),
        lon=float(x[0]),
        lat=float(y[0]),
        representatives=[
            RepresentativeBrief(
                code=r["code"],
                name=shown_name(r["name"], role),
                phone=shown_phone(r["phone"], role),
                role=r["role"],
                distance_m=round(float(r["distance_m"]), 1),
            )
            for r in reps
        ],
    )
