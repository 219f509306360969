"""Features for OGC API - Features: the collections, and pages of items as the caller may see
them (homes and contact lines by the policy, names and phones masked, reads audited)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import orjson

from gridsvc.access import REP_COLUMNS, Actor, Role, Show, apply_record, police
from gridsvc.db import features, features_async
from gridsvc.db.async_conn import AsyncConnection
from gridsvc.db.connection import Connection
from gridsvc.errors import NotAuthenticated, NotFound
from gridsvc.services.audit_trail import audit_args, record_read
from gridsvc.services.guard import require_role

HIDDEN_PROPERTIES = {"publish_phone"}


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    bbox: list[float] | None


@dataclass(frozen=True)
class Feature:
    id: str
    geometry: str | None  # GeoJSON text, as PostGIS wrote it
    properties: dict[str, object]

    def as_json(self) -> str:
        props = json.dumps(self.properties, ensure_ascii=False, default=str)
        return (
            f'{{"type":"Feature","id":{json.dumps(self.id, ensure_ascii=False)},'
            f'"geometry":{self.geometry or "null"},"properties":{props}}}'
        )


def source(collection_id: str) -> features.Source:
    found = features.SOURCES.get(collection_id)
    if found is None:
        raise NotFound(f"collection {collection_id}: no such collection; see /ogc/collections")
    return found


def collections(conn: Connection) -> list[Collection]:
    return [collection(conn, cid) for cid in features.SOURCES]


def collection(conn: Connection, collection_id: str) -> Collection:
    src = source(collection_id)
    return Collection(collection_id, src.title, src.description, features.extent(conn, src))


def _geometry(actor: Actor, src: features.Source, collection_id: str) -> tuple[str, str | None]:
    """The SQL for the items' geometry under the policy, and the scope code it compares."""
    if collection_id in STAFF_ONLY:
        require_role(actor, Role.staff, f"read the {collection_id} collection")
    if src.personal is None:
        return features.GEOMETRY["full"], None
    inside = actor.show(src.personal, True)
    outside = actor.show(src.personal, False)
    if inside is Show.hidden and collection_id == "contacts":
        raise NotAuthenticated(
            "the contacts collection is who contacts whom, between homes: it needs a key or "
            "a log-in (viewer or above)"
        )
    column = None if actor.scope.level == "street" else f"{actor.scope.level}_code"
    if column == "representative_code" and collection_id == "representatives":
        column = "code"  # a representative's own record is the one in their scope
    return features.geometry_sql(inside.value, outside.value, column), actor.scope.code


STAFF_ONLY = {"people"}  # the organisation's people, with phones: for the office
PERSON_COLUMNS = {"name": ("person.name", "name"), "phone": ("person.phone", "phone")}
NO_AUDIT = audit_args(Actor("public", Role.public), "")  # the public's reads are not written


def _feature(actor: Actor, row: dict, collection_id: str) -> Feature:
    geometry = row.pop("geojson")
    fid = row.pop("id")
    if collection_id == "representatives":
        row = apply_record(actor, row, REP_COLUMNS)
    if collection_id == "people":
        row = apply_record(actor, {**row, "publish_phone": True}, PERSON_COLUMNS)
    props = {k: v for k, v in row.items() if k not in HIDDEN_PROPERTIES}
    return Feature(str(fid), geometry, props)


def item(conn: Connection, actor: Actor, collection_id: str, feature_id: str) -> Feature:
    src = source(collection_id)
    geometry, scope = _geometry(actor, src, collection_id)
    page = features.item(conn, src, feature_id, geometry, scope)
    if page.empty:
        raise NotFound(f"{collection_id} feature {feature_id}: no such feature")
    row = page.astype(object).where(page.notna(), None).to_dict("records")[0]
    if (src.personal or collection_id in STAFF_ONLY) and actor.role > Role.public:
        record_read(conn, actor, f"ogc.{collection_id}", feature_id, 1)
    return _feature(actor, row, collection_id)


# the items pages on the async driver: PostGIS writes the GeoJSON; the collections whose
# properties the policy masks get them policed here, row by row (the same `police` as the
# look-ups, from FIELD_POLICY); the audit row is written by the page's own statement
POLICED = {"representatives": REP_COLUMNS, "people": PERSON_COLUMNS}


async def items_json(
    conn: AsyncConnection,
    actor: Actor,
    collection_id: str,
    bbox: tuple[float, float, float, float] | None,
    limit: int,
    offset: int,
) -> tuple[int, int, bytes]:
    """How many features match, how many are on the page, and the page's Features as JSON
    (joined by commas, for a FeatureCollection's `features`)."""
    src = source(collection_id)
    geometry, scope = _geometry(actor, src, collection_id)
    personal = (src.personal is not None or collection_id in STAFF_ONLY) and actor.at_least(
        Role.viewer
    )
    audit = audit_args(actor, f"ogc.{collection_id}") if personal else NO_AUDIT
    columns = POLICED.get(collection_id)
    if columns is None:
        matched, returned, text = await features_async.page_json(
            conn, src, geometry, bbox, limit, offset, scope, audit
        )
        return matched, returned, text.encode()
    matched, rows = await features_async.page_rows(
        conn, src, geometry, bbox, limit, offset, scope, audit
    )
    parts = []
    for record in rows:
        row = dict(record.items())
        geojson = row.pop("geojson")
        fid = row.pop("id")
        row.pop("matched")
        if collection_id == "people":
            row["publish_phone"] = True  # a person's phone is reachable by role, not by consent
        row = police(actor, row, columns)
        props = {k: v for k, v in row.items() if k not in HIDDEN_PROPERTIES}
        parts.append(
            b'{"type":"Feature","id":'
            + orjson.dumps(str(fid))
            + b',"geometry":'
            + (geojson.encode() if geojson else b"null")
            + b',"properties":'
            + orjson.dumps(props)
            + b"}"
        )
    return matched, len(parts), b",".join(parts)
