"""The hot look-ups on the async driver: a household's representative, a representative's
households, and which group contains a point. The same answers, policy and audit as
`gridsvc.services.lookups`, each in one statement (the read writes its own audit row)."""

from __future__ import annotations

from gridsvc.access import REP_COLUMNS, Actor, Role, police
from gridsvc.coords import to_cgcs2000
from gridsvc.db import lookups_async
from gridsvc.db.async_conn import AsyncConnection
from gridsvc.errors import NotFound
from gridsvc.services.audit_trail import audit_args
from gridsvc.services.guard import require_role
from gridsvc.services.lookups import (
    HouseholdBrief,
    Located,
    RepresentativeContact,
    RepresentativeHouseholds,
    _distance_as_shown,
)

PLACE = (
    "community_code",
    "community_name",
    "section_code",
    "section_name",
    "group_code",
    "group_name",
)


async def household_representative(
    conn: AsyncConnection, actor: Actor, code: str
) -> RepresentativeContact:
    """Who is this household's representative? (audited when there is one)"""
    require_role(actor, Role.viewer, "look up a household")
    audit = audit_args(actor, "lookups.household_representative")
    found = await lookups_async.household_representative(conn, code, audit)
    if found is None:
        raise NotFound(f"household {code}: no such household")
    if found["rep_code"] is None:
        raise NotFound(f"household {code} has no representative in the run in force")
    row = police(actor, dict(found.items()))
    distance = row["distance_m"]
    return RepresentativeContact(
        code=row["rep_code"],
        name=row["rep_name"],
        phone=row["rep_phone"],
        role=row["rep_role"],
        distance_m=None if distance is None else float(distance),
        lon=row["rep_lon"],
        lat=row["rep_lat"],
    )


async def representative_households(
    conn: AsyncConnection, actor: Actor, code: str
) -> RepresentativeHouseholds:
    """Whom does this representative contact? (in the run in force; audited)"""
    require_role(actor, Role.viewer, "list a representative's households")
    audit = audit_args(actor, "lookups.representative_households")
    found = await lookups_async.representative_households(conn, code, audit)
    if not found:
        raise NotFound(f"representative {code}: no such representative")
    households = []
    for record in found:
        if record["code"] is None:  # the representative contacts no one
            continue
        r = police(actor, dict(record.items()))
        distance = r["distance_m"]
        households.append(
            HouseholdBrief(
                code=r["code"],
                address=r["address"],
                head_name=r["head_name"],
                phone=r["phone"],
                key_category=r["key_category"],
                distance_m=None if distance is None else float(distance),
                lon=r["lon"],
                lat=r["lat"],
            )
        )
    return RepresentativeHouseholds(code, len(households), households)


def _cgcs2000(lon: float, lat: float, crs: str) -> tuple[float, float]:
    if crs in ("wgs84", "cgcs2000"):  # the same to well under a metre: no conversion
        return lon, lat
    x, y = to_cgcs2000([lon], [lat], crs)
    return float(x[0]), float(y[0])


async def locate(
    conn: AsyncConnection,
    actor: Actor,
    lon: float,
    lat: float,
    crs: str = "wgs84",
    limit: int = 5,
) -> Located:
    """The community, section and group covering a point, with the group's nearest
    representatives (their published contact; more by role)."""
    x, y = _cgcs2000(lon, lat, crs)
    found = await lookups_async.locate(conn, x, y, limit, audit_args(actor, "lookups.locate"))
    if not found:
        raise NotFound(f"the point ({lon}, {lat}) in {crs} lies in no group of the street")
    place = found[0]
    home = actor.show(
        "representative.home", actor.scope.covers(place["community_code"], place["section_code"])
    )
    contacts = []
    for record in found:
        if record["code"] is None:  # a group without an active representative
            continue
        seen = police(actor, dict(record.items()), REP_COLUMNS)
        contacts.append(
            RepresentativeContact(
                code=seen["code"],
                name=seen["name"],
                phone=seen["phone"],
                role=seen["role"],
                distance_m=_distance_as_shown(float(record["distance_m"]), home),
            )
        )
    return Located(**{k: place[k] for k in PLACE}, lon=x, lat=y, representatives=contacts)
