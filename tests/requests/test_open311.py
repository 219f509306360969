"""Open311 GeoReport v2: the field lists, public fields only, POST, filters, errors."""

from __future__ import annotations

import pytest

from gridsvc.access import Role
from tests.requests.api_client import client_on, key
from tests.requests.conftest import rep_codes

pytestmark = pytest.mark.db

# GeoReport v2 (wiki.open311.org/GeoReport_v2): GET service list and GET service requests
SERVICE_FIELDS = {
    "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
}  # fmt: skip
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
    "long", "media_url",
}  # fmt: skip
POST_FIELDS = {"service_request_id", "token", "service_notice", "account_id"}
SECRET = "张三家漏水 13812345678"


def test_georeport_v2(small_street) -> None:
    rep = rep_codes(small_street)[0]
    staff = key(small_street, Role.staff)
    with client_on(small_street) as c:
        services = c.get("/open311/v2/services.json").json()
        assert len(services) == 8 and all(set(s) == SERVICE_FIELDS for s in services)
        assert {s["service_name"] for s in services} >= {"政策咨询", "安全隐患", "其他"}
        posted = c.post(
            "/open311/v2/requests.json",
            data={"service_code": "repair", "description": SECRET, "phone": "13812345678",
                  "lat": "27.80", "long": "113.10", "attribute[representative]": rep["code"]},
        )  # fmt: skip
        assert posted.status_code == 201, posted.text
        [answer] = posted.json()
        assert set(answer) == POST_FIELDS and len(answer["token"]) == 10
        rid = answer["service_request_id"]
        listed = c.get("/open311/v2/requests.json")
        assert listed.status_code == 200
        [record] = listed.json()
        assert set(record) == REQUEST_FIELDS
        assert record["service_request_id"] == rid and record["status"] == "open"
        assert record["service_code"] == "repair" and record["address_id"] == rep["section"]
        for private in ("description", "lat", "long", "media_url", "agency_responsible"):
            assert record[private] is None
        assert "13812345678" not in listed.text and "漏水" not in listed.text
        assert answer["token"] not in listed.text  # the resident's code stays theirs
        assert c.get(f"/open311/v2/requests/{rid}.json").json() == [record]
        c.post(f"/requests/{answer['token']}/answer", json={"answer": "已修"}, headers=staff)
        closed = c.get("/open311/v2/requests.json?status=closed").json()
        assert [r["service_request_id"] for r in closed] == [rid]
        assert c.get("/open311/v2/requests.json?status=open").json() == []
        assert c.get("/open311/v2/requests.json?service_code=policy").json() == []
        assert (
            c.get(f"/open311/v2/requests.json?service_request_id={rid},999").json()[0][
                "service_request_id"
            ]
            == rid
        )


def test_georeport_errors(small_street) -> None:
    with client_on(small_street) as c:
        missing = c.get("/open311/v2/requests/12345.json")
        assert missing.status_code == 404
        assert set(missing.json()[0]) == {"code", "description"}
        bad = c.post("/open311/v2/requests.json", data={"service_code": "nope"})
        assert bad.status_code == 400 and "category" in bad.json()[0]["description"]
        when = c.get("/open311/v2/requests.json?start_date=yesterday")
        assert when.status_code == 400 and "start_date" in when.json()[0]["description"]
        status = c.get("/open311/v2/requests.json?status=pending")
        assert status.status_code == 400
        outside = c.post(
            "/open311/v2/requests.json",
            data={"service_code": "other", "description": "x", "phone": "13812345678",
                  "lat": "39.9", "long": "116.4"},
        )  # fmt: skip
        assert outside.status_code == 400 and "lon/lat" in outside.json()[0]["description"]
