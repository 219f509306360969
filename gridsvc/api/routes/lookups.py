"""Look-ups for community systems: a household's representative, a representative's
households, and which community, section and group contain a point."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.api.schemas import (
    Household,
    Located,
    Representative,
    RepresentativeBrief,
    RepresentativeHouseholds,
)
from gridsvc.services import lookups

router = APIRouter(tags=["look-ups"])


@router.get(
    "/households/{code}",
    response_model=Household,
    summary="A household, with its group and representative",
)
def get_household(code: str, conn: Conn, actor: AnyCaller) -> Household:
    return Household.model_validate(lookups.household(conn, actor, code), from_attributes=True)


@router.get(
    "/households/{code}/representative",
    response_model=RepresentativeBrief,
    summary="Who is this household's representative?",
)
def get_household_representative(code: str, conn: Conn, actor: AnyCaller) -> RepresentativeBrief:
    return RepresentativeBrief.model_validate(
        lookups.household_representative(conn, actor, code), from_attributes=True
    )


@router.get(
    "/representatives/{code}",
    response_model=Representative,
    summary="A representative, with their load in the run in force",
)
def get_representative(code: str, conn: Conn, actor: AnyCaller) -> Representative:
    return Representative.model_validate(
        lookups.representative(conn, actor, code), from_attributes=True
    )


@router.get(
    "/representatives/{code}/households",
    response_model=RepresentativeHouseholds,
    summary="Whom does this representative contact?",
)
def get_representative_households(
    code: str, conn: Conn, actor: AnyCaller
) -> RepresentativeHouseholds:
    return RepresentativeHouseholds.model_validate(
        lookups.representative_households(conn, actor, code), from_attributes=True
    )


@router.get(
    "/locate",
    response_model=Located,
    summary="Which community, section and group contain this point?",
)
def locate(
    conn: Conn,
    actor: AnyCaller,
    lon: Annotated[float, Query(ge=73.0, le=136.0, description="longitude")],
    lat: Annotated[float, Query(ge=3.0, le=54.0, description="latitude")],
    crs: Annotated[
        Literal["wgs84", "cgcs2000", "gcj02", "bd09"],
        Query(description="the point's system: gcj02 for AMap/Tencent, bd09 for Baidu"),
    ] = "wgs84",
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> Located:
    return Located.model_validate(
        lookups.locate(conn, actor, lon, lat, crs, limit), from_attributes=True
    )
