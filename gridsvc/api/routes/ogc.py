"""OGC API - Features at /ogc, so QGIS and GDAL read gridsvc directly (GeoJSON, CRS84)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from gridsvc.access import Role, shown_name, shown_phone
from gridsvc.api.deps import AnyCaller, Caller, Conn
from gridsvc.db import features
from gridsvc.errors import InputError, NotFound

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
MAX_LIMIT = 10_000


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _source(collection_id: str) -> features.Source:
    source = features.SOURCES.get(collection_id)
    if source is None:
        raise NotFound(f"collection {collection_id}: no such collection; see /ogc/collections")
    return source


def _check_access(source: features.Source, caller: Caller, collection_id: str) -> None:
    if collection_id == "contacts" and caller.role < Role.viewer:
        raise HTTPException(
            401,
            "the contacts collection needs an API key (viewer or above)",
            headers={"WWW-Authenticate": "Bearer"},
        )


@router.get("", summary="Landing page")
def landing(request: Request) -> dict:
    base = _base(request)
    return {
        "title": "gridsvc",
        "description": "Grid sections, groups, representatives and who "
        "contacts whom, as OGC API - Features.",
        "links": [
            {
                "href": f"{base}/ogc",
                "rel": "self",
                "type": "application/json",
                "title": "this document",
            },
            {
                "href": f"{base}/openapi.json",
                "rel": "service-desc",
                "type": "application/vnd.oai.openapi+json;version=3.0",
                "title": "the API",
            },
            {"href": f"{base}/docs", "rel": "service-doc", "type": "text/html"},
            {"href": f"{base}/ogc/conformance", "rel": "conformance", "type": "application/json"},
            {"href": f"{base}/ogc/collections", "rel": "data", "type": "application/json"},
        ],
    }


@router.get("/conformance", summary="Conformance classes")
def conformance() -> dict:
    return {"conformsTo": CONFORMANCE}


def _collection(
    base: str, collection_id: str, source: features.Source, bbox: list[float] | None
) -> dict:
    href = f"{base}/ogc/collections/{collection_id}"
    body = {
        "id": collection_id,
        "title": source.title,
        "description": source.description,
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            {"href": href, "rel": "self", "type": "application/json"},
            {"href": f"{href}/items", "rel": "items", "type": GEOJSON},
        ],
    }
    if bbox:
        body["extent"] = {"spatial": {"bbox": [bbox], "crs": CRS84}}
    return body


@router.get("/collections", summary="The collections")
def collections(request: Request, conn: Conn) -> dict:
    base = _base(request)
    return {
        "links": [{"href": f"{base}/ogc/collections", "rel": "self", "type": "application/json"}],
        "collections": [
            _collection(base, cid, src, features.extent(conn, src))
            for cid, src in features.SOURCES.items()
        ],
    }


@router.get("/collections/{collection_id}", summary="One collection")
def collection(collection_id: str, request: Request, conn: Conn) -> dict:
    source = _source(collection_id)
    return _collection(_base(request), collection_id, source, features.extent(conn, source))


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise InputError(f"bbox {text!r}: four numbers minx,miny,maxx,maxy") from None
    if len(values) != 4 or values[0] > values[2] or values[1] > values[3]:
        raise InputError(f"bbox {text!r}: four numbers minx,miny,maxx,maxy with min <= max")
    return values[0], values[1], values[2], values[3]


def _features(page: pd.DataFrame, role: Role, collection_id: str) -> list[str]:
    """Each feature as JSON text; geometry spliced in as PostGIS wrote it."""
    rows = page.astype(object).where(page.notna(), None).to_dict("records")
    out = []
    for row in rows:
        geometry = row.pop("geojson")
        fid = row.pop("id")
        if "name" in row and collection_id == "representatives":
            row["name"] = shown_name(row["name"], role)
            row["phone"] = shown_phone(row["phone"], role)
        props = json.dumps(row, ensure_ascii=False, default=str)
        out.append(
            f'{{"type":"Feature","id":{json.dumps(fid, ensure_ascii=False)},'
            f'"geometry":{geometry},"properties":{props}}}'
        )
    return out


def _geojson(body: str) -> Response:
    return Response(body, media_type=GEOJSON)


@router.get(
    "/collections/{collection_id}/items",
    summary="Features, a page at a time",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}, "description": "a FeatureCollection"}},
)
def collection_items(
    collection_id: str,
    request: Request,
    conn: Conn,
    caller: AnyCaller,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    source = _source(collection_id)
    _check_access(source, caller, collection_id)
    matched, page = features.items(conn, source, _bbox(bbox), limit, offset)
    if source.personal:
        caller.audit(conn, request, f"collection {collection_id}")
    href = f"{_base(request)}/ogc/collections/{collection_id}/items"
    keep = f"&bbox={bbox}" if bbox else ""
    links = [
        {"href": f"{href}?limit={limit}&offset={offset}{keep}", "rel": "self", "type": GEOJSON},
        {
            "href": f"{_base(request)}/ogc/collections/{collection_id}",
            "rel": "collection",
            "type": "application/json",
        },
    ]
    if offset + limit < matched:
        links.append(
            {
                "href": f"{href}?limit={limit}&offset={offset + limit}{keep}",
                "rel": "next",
                "type": GEOJSON,
            }
        )
    if offset > 0:
        links.append(
            {
                "href": f"{href}?limit={limit}&offset={max(offset - limit, 0)}{keep}",
                "rel": "prev",
                "type": GEOJSON,
            }
        )
    feats = _features(page, caller.role, collection_id)
    head = {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": len(feats),
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
    }
    return _geojson(
        json.dumps(head, ensure_ascii=False)[:-1] + ',"features":[' + ",".join(feats) + "]}"
    )


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    summary="One feature",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}, "description": "a Feature"}},
)
def collection_item(
    collection_id: str, feature_id: str, request: Request, conn: Conn, caller: AnyCaller
) -> Response:
    source = _source(collection_id)
    _check_access(source, caller, collection_id)
    page = features.item(conn, source, feature_id)
    if page.empty:
        raise NotFound(f"{collection_id} feature {feature_id}: no such feature")
    if source.personal:
        caller.audit(conn, request, feature_id)
    feature = _features(page, caller.role, collection_id)[0]
    href = f"{_base(request)}/ogc/collections/{collection_id}"
    links = json.dumps(
        [
            {"href": f"{href}/items/{feature_id}", "rel": "self", "type": GEOJSON},
            {"href": href, "rel": "collection", "type": "application/json"},
        ],
        ensure_ascii=False,
    )
    return _geojson(feature[:-1] + f',"links":{links}}}')
