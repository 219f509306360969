"""OGC API - Features at /ogc, so QGIS and GDAL read gridsvc directly (GeoJSON, CRS84)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from gridsvc.api.deps import SECURITY, AnyCaller, Conn, Reader, lend_async
from gridsvc.errors import InputError
from gridsvc.services import features

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


def _collection(base: str, found: features.Collection) -> dict:
    href = f"{base}/ogc/collections/{found.id}"
    body: dict[str, object] = {
        "id": found.id,
        "title": found.title,
        "description": found.description,
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            {"href": href, "rel": "self", "type": "application/json"},
            {"href": f"{href}/items", "rel": "items", "type": GEOJSON},
        ],
    }
    if found.bbox:
        body["extent"] = {"spatial": {"bbox": [found.bbox], "crs": CRS84}}
    return body


@router.get("/collections", summary="The collections")
def collections(request: Request, conn: Conn) -> dict:
    base = _base(request)
    return {
        "links": [{"href": f"{base}/ogc/collections", "rel": "self", "type": "application/json"}],
        "collections": [_collection(base, c) for c in features.collections(conn)],
    }


@router.get("/collections/{collection_id}", summary="One collection")
def collection(collection_id: str, request: Request, conn: Conn) -> dict:
    return _collection(_base(request), features.collection(conn, collection_id))


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise InputError(f"bbox {text!r}: four numbers minx,miny,maxx,maxy") from None
    if (
        len(values) != 4
        or not all(math.isfinite(v) for v in values)
        or values[0] > values[2]
        or values[1] > values[3]
    ):
        raise InputError(f"bbox {text!r}: four numbers minx,miny,maxx,maxy with min <= max")
    return values[0], values[1], values[2], values[3]


def _geojson(body: str) -> Response:
    return Response(body, media_type=GEOJSON)


def _link(href: str, rel: str, kind: str = GEOJSON) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": kind}


@router.get(
    "/collections/{collection_id}/items",
    summary="Features, a page at a time",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}, "description": "a FeatureCollection"}},
    openapi_extra={"security": SECURITY},
)
async def collection_items(
    collection_id: str,
    request: Request,
    actor: Reader,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy", max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
) -> Response:
    box = _bbox(bbox)
    async with lend_async(request) as conn:
        matched, returned, page = await features.items_json(
            conn, actor, collection_id, box, limit, offset
        )
    base = _base(request)
    href = f"{base}/ogc/collections/{collection_id}/items"
    keep = f"&bbox={bbox}" if bbox else ""
    links = [
        _link(f"{href}?limit={limit}&offset={offset}{keep}", "self"),
        _link(f"{base}/ogc/collections/{collection_id}", "collection", "application/json"),
    ]
    if offset + limit < matched:
        links.append(_link(f"{href}?limit={limit}&offset={offset + limit}{keep}", "next"))
    if offset > 0:
        links.append(_link(f"{href}?limit={limit}&offset={max(offset - limit, 0)}{keep}", "prev"))
    head = {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": returned,
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
    }
    # the page as PostGIS wrote it, inside the head: no Python object per feature
    body = orjson.dumps(head)[:-1] + b',"features":[' + page + b"]}"
    return Response(body, media_type=GEOJSON)


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    summary="One feature",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}, "description": "a Feature"}},
)
def collection_item(
    collection_id: str, feature_id: str, request: Request, conn: Conn, actor: AnyCaller
) -> Response:
    feature = features.item(conn, actor, collection_id, feature_id).as_json()
    href = f"{_base(request)}/ogc/collections/{collection_id}"
    links = json.dumps(
        [
            {"href": f"{href}/items/{feature_id}", "rel": "self", "type": GEOJSON},
            {"href": href, "rel": "collection", "type": "application/json"},
        ],
        ensure_ascii=False,
    )
    return _geojson(feature[:-1] + f',"links":{links}}}')
