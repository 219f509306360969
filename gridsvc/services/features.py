"""Features for OGC API - Features: the collections, and pages of items as the caller may see
them (homes and contact lines by the policy, names and phones masked, reads audited)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from gridsvc.access import REP_COLUMNS, Actor, Role, Show, apply_record
from gridsvc.db import features
from gridsvc.db.connection import Connection
from gridsvc.errors import NotAuthenticated, NotFound
from gridsvc.services.audit_trail import record_read
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
    return features.geometry_sql(inside.value, outside.value, column), actor.scope.code


STAFF_ONLY = {"people"}  # the organisation's people, with phones: for the office
PERSON_COLUMNS = {"name": ("person.name", "name"), "phone": ("person.phone", "phone")}


def _feature(actor: Actor, row: dict, collection_id: str) -> Feature:
    geometry = row.pop("geojson")
    fid = row.pop("id")
    if collection_id == "representatives":
        row = apply_record(actor, row, REP_COLUMNS)
    if collection_id == "people":
        row = apply_record(actor, {**row, "publish_phone": True}, PERSON_COLUMNS)
    props = {k: v for k, v in row.items() if k not in HIDDEN_PROPERTIES}
    return Feature(str(fid), geometry, props)


def items(
    conn: Connection,
    actor: Actor,
    collection_id: str,
    bbox: tuple[float, float, float, float] | None,
    limit: int,
    offset: int,
) -> tuple[int, list[Feature]]:
    """How many features match, and one page of them."""
    src = source(collection_id)
    geometry, scope = _geometry(actor, src, collection_id)
    matched, page = features.items(conn, src, bbox, limit, offset, geometry, scope)
    rows = page.astype(object).where(page.notna(), None).to_dict("records")
    found = [_feature(actor, row, collection_id) for row in rows]
    if (src.personal or collection_id in STAFF_ONLY) and actor.role > Role.public:
        record_read(conn, actor, f"ogc.{collection_id}", f"offset {offset}", len(found))
    return matched, found


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
