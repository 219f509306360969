"""OGC API - Features: the documents, paging, bbox, access; and GDAL reading it live."""

from __future__ import annotations

import json
import subprocess

import psycopg2
import pytest

from tests.api.conftest import Live


def test_landing_conformance_and_collections(live: Live) -> None:
    client = live.client()
    landing = client.get("/ogc").json()
    assert {link["rel"] for link in landing["links"]} >= {
        "self",
        "service-desc",
        "conformance",
        "data",
    }
    assert any("conf/geojson" in c for c in client.get("/ogc/conformance").json()["conformsTo"])
    collections = client.get("/ogc/collections").json()["collections"]
    assert [c["id"] for c in collections] == [
        "communities",
        "sections",
        "groups",
        "representatives",
        "contacts",
        "people",
    ]
    groups = next(c for c in collections if c["id"] == "groups")
    minx, miny, maxx, maxy = groups["extent"]["spatial"]["bbox"][0]
    assert 113.0 < minx < maxx < 113.3 and 27.7 < miny < maxy < 28.0
    assert client.get("/ogc/collections/nope").status_code == 404


def test_items_page_with_next_links_and_bbox(live: Live) -> None:
    client = live.client()
    page = client.get("/ogc/collections/groups/items", params={"limit": 50})
    assert page.headers["content-type"].startswith("application/geo+json")
    body = page.json()
    assert body["numberMatched"] == 122 and body["numberReturned"] == 50
    seen = [f["id"] for f in body["features"]]
    while nxt := next((lk["href"] for lk in body["links"] if lk["rel"] == "next"), None):
        body = client.get(nxt).json()
        seen += [f["id"] for f in body["features"]]
    assert len(seen) == len(set(seen)) == 122
    bbox = "113.14,27.84,113.16,27.86"
    boxed = client.get("/ogc/collections/groups/items", params={"bbox": bbox, "limit": 500})
    conn = psycopg2.connect(live.db_url)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM resident_group WHERE ST_Intersects(geom,"
            " ST_MakeEnvelope(113.14, 27.84, 113.16, 27.86, 4490))"
        )
        expected = cur.fetchone()[0]
    conn.close()
    assert boxed.json()["numberMatched"] == expected > 0
    assert client.get("/ogc/collections/groups/items", params={"bbox": "1,2,3"}).status_code == 400
    one = client.get(f"/ogc/collections/groups/items/{seen[0]}").json()
    assert one["type"] == "Feature" and one["geometry"]["type"] == "MultiPolygon"
    assert client.get("/ogc/collections/groups/items/NOPE").status_code == 404


def test_personal_fields_follow_the_role(live: Live) -> None:
    """Representatives' published contact is public; their homes are not (to a block for
    viewers, exact for staff); contact lines need a key."""
    path = "/ogc/collections/representatives/items"
    public = live.client().get(path).json()
    assert all(f["properties"]["name"] and f["geometry"] is None for f in public["features"])
    viewer = live.client("viewer").get(path).json()
    staff = live.client("staff").get(path).json()
    for seen, exact in zip(viewer["features"], staff["features"], strict=True):
        (x, y), (ex, ey) = seen["geometry"]["coordinates"], exact["geometry"]["coordinates"]
        assert (x, y) != (ex, ey) and abs(x - ex) <= 0.00025 + 1e-9 and abs(y - ey) <= 0.00026
    assert live.client().get("/ogc/collections/contacts/items").status_code == 401
    lines = live.client("viewer").get("/ogc/collections/contacts/items").json()
    assert lines["numberMatched"] > 10_000
    assert lines["features"][0]["geometry"]["type"] == "LineString"
    assert "key_category" not in lines["features"][0]["properties"]


def ogr(*args: str) -> str:
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_gdal_lists_and_reads_the_collections(live: Live, tmp_path) -> None:  # type: ignore[no-untyped-def]
    listing = ogr("ogrinfo", "-ro", "-q", f"OAPIF:{live.url}/ogc")
    for name in ("communities", "sections", "groups", "representatives", "contacts"):
        assert name in listing
    out = tmp_path / "groups.geojson"
    ogr(
        "ogr2ogr",
        "-f",
        "GeoJSON",
        str(out),
        f"OAPIF:{live.url}/ogc",
        "groups",
        "-oo",
        "PAGE_SIZE=50",
    )
    assert len(json.loads(out.read_text())["features"]) == 122
    lines = tmp_path / "contacts.geojson"
    ogr(
        "ogr2ogr",
        "--config",
        "GDAL_HTTP_HEADERS",
        f"X-API-Key: {live.keys['viewer']}",
        "-f",
        "GeoJSON",
        str(lines),
        f"OAPIF:{live.url}/ogc",
        "contacts",
        "-oo",
        "PAGE_SIZE=5000",
        "-spat",
        "113.14",
        "27.84",
        "113.16",
        "27.86",
    )
    assert 0 < len(json.loads(lines.read_text())["features"]) < 10_000


def test_the_people_collection_is_for_staff(live: Live) -> None:
    path = "/ogc/collections/people/items"
    assert live.client().get(path).status_code == 401
    assert live.client("viewer").get(path).status_code == 403
    body = live.client("staff").get(path, params={"limit": 1000}).json()
    assert body["numberMatched"] == 8 + 38 + 244 + 38 + 122 + 122
    roles = {f["properties"]["role"] for f in body["features"]}
    assert roles == {"总网格长", "片区网格长", "网格员", "信访代理员", "小组长", "副组长"}
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in body["features"])
