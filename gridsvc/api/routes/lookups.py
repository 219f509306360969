"""Look-ups for community systems: a household's representative, a representative's
households, and which community, section and group contain a point."""

from __future__ import annotations

from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from gridsvc.api.deps import SECURITY, AnyCaller, Conn, Reader, lend_async
from gridsvc.api.schemas import (
    Household,
    Located,
    Representative,
    RepresentativeBrief,
    RepresentativeHouseholds,
)
from gridsvc.services import lookups, lookups_async

router = APIRouter(tags=["look-ups"])
HOT = {"security": SECURITY}  # the hot routes' callers in OpenAPI, as get_actor's


def _json(answer: object) -> Response:
    """The service's dataclass as JSON bytes at once (orjson): the response model documents
    the shape, and the services' dataclasses have the same fields."""
    return Response(orjson.dumps(answer), media_type="application/json")


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
    openapi_extra=HOT,
)
async def get_household_representative(code: str, request: Request, actor: Reader) -> Response:
    async with lend_async(request) as conn:
        return _json(await lookups_async.household_representative(conn, actor, code))


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
    openapi_extra=HOT,
)
async def get_representative_households(code: str, request: Request, actor: Reader) -> Response:
    async with lend_async(request) as conn:
        return _json(await lookups_async.representative_households(conn, actor, code))


@router.get(
    "/locate",
    response_model=Located,
    summary="Which community, section and group contain this point?",
    openapi_extra=HOT,
)
async def locate(
    request: Request,
    actor: Reader,
    lon: Annotated[float, Query(ge=73.0, le=136.0, description="longitude")],
    lat: Annotated[float, Query(ge=3.0, le=54.0, description="latitude")],
    crs: Annotated[
        Literal["wgs84", "cgcs2000", "gcj02", "bd09"],
        Query(description="the point's system: gcj02 for AMap/Tencent, bd09 for Baidu"),
    ] = "wgs84",
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> Response:
    async with lend_async(request) as conn:
        return _json(await lookups_async.locate(conn, actor, lon, lat, crs, limit))
