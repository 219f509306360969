"""Planner actions over HTTP: roles, runs (and 409), diffs, exports and uploads."""

from __future__ import annotations

import io

import pandas as pd
import psycopg2

from gridsvc.db import runs
from tests.api.conftest import Live


def test_planner_actions_need_the_planner_role(live: Live) -> None:
    assert live.client().post("/runs", json={}).status_code == 401
    for role in ("viewer", "staff"):
        refused = live.client(role).post("/runs", json={})
        assert refused.status_code == 403 and "planner" in refused.json()["detail"]
    assert live.client().get("/exports/contacts").status_code == 401


def test_run_list_diff_and_a_busy_run(live: Live) -> None:
    planner = live.client("planner")
    first = planner.post("/runs", json={"fresh": True})
    assert first.status_code == 201, first.text
    second = planner.post("/runs", json={"max_load": 14})
    assert second.status_code == 201
    a, b = first.json()["run_id"], second.json()["run_id"]
    assert second.json()["metrics"]["load_histogram"].get("15") is None
    listed = planner.get("/runs").json()
    assert [r["id"] for r in listed[:2]] == [b, a] and listed[0]["in_force"]
    changes = planner.get(f"/runs/{a}/diff/{b}").json()
    assert changes and {c["reason"] for c in changes} <= {"rebalanced", "moved"}
    shown = planner.get(f"/runs/{b}").json()
    assert shown["params"]["max_load"] == 14
    assert shown["actor"].endswith("(test planner)")  # the key's owner, not the database role
    assert planner.get("/runs/999999").status_code == 404
    bad = planner.post("/runs", json={"min_load": 9, "max_load": 4})
    assert bad.status_code == 400 and "min_load 9" in bad.json()["detail"]
    holder = psycopg2.connect(live.db_url)
    try:
        runs.take_run_lock(holder)
        busy = planner.post("/runs", json={})
        assert busy.status_code == 409 and "in progress" in busy.json()["detail"]
    finally:
        holder.close()


def test_contact_list_export(live: Live) -> None:
    response = live.client("planner").get("/exports/contacts", params={"format": "csv"})
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig", dtype=str)
    assert len(frame) > 10_000 and frame["重点户类别"].notna().any()
    assert not frame["户主"].str.endswith("*").any()
    viewer = live.client("viewer").get("/exports/contacts", params={"format": "csv"})
    masked = pd.read_csv(io.BytesIO(viewer.content), encoding="utf-8-sig", dtype=str)
    assert masked["户主"].str.endswith("*").all() and masked["重点户类别"].isna().all()
    geo = live.client("planner").get("/exports/contacts", params={"format": "geojson"})
    assert geo.headers["content-type"].startswith("application/geo+json")
    assert len(geo.json()["features"]) == len(frame)


def test_import_upload_answers_with_the_report(live: Live) -> None:
    register = (
        "户编号,户主姓名,联系电话,经度,纬度\n"
        "API1,张三,13800138000,113.5,27.9\n"
        "API2,李四,12345,113.15,27.85\n"
    ).encode("gbk")
    response = live.client("planner").post(
        "/imports/households",
        params={"crs": "wgs84"},
        files={"file": ("登记.csv", register, "text/csv")},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rows_read"] == 2 and body["encoding"] == "gbk"
    assert body["rejected_by_reason"] == {"outside_street": 1, "invalid_phone": 1}
    assert {r["row"] for r in body["rejected_rows"]} == {2, 3}
    refused = live.client("staff").post(
        "/imports/households", files={"file": ("x.csv", b"a,b\n", "text/csv")}
    )
    assert refused.status_code == 403


def test_steering_over_http(live: Live) -> None:
    planner = live.client("planner")
    refused = planner.post("/pins", json={"household": "H000001", "representative": "R1051"})
    assert refused.status_code == 400 and "another section" in refused.json()["detail"]
    made = planner.post(
        "/pins",
        json={"household": "H000002", "representative": "R0002", "kind": "forbid", "note": "不和"},
    )
    assert made.status_code == 201
    assert [p["household"] for p in planner.get("/pins").json()] == ["H000002"]
    assert planner.delete("/pins/H000002/R0002").status_code == 204
    in_force = next(r["id"] for r in planner.get("/runs").json() if r["in_force"])
    scenario = planner.post("/scenarios", json={"name": "twelve", "max_load": 12})
    assert scenario.status_code == 201
    assert planner.get("/runs").json()[0]["in_force"] is False
    table = planner.get("/scenarios/compare", params={"names": ["twelve"]}).json()
    assert set(table) == {"(in force)", "twelve"} and table["(in force)"]["run"] == in_force
    promoted = planner.post("/scenarios/twelve/promote").json()
    assert promoted["run_id"] == scenario.json()["run_id"]
    notices = planner.get(
        f"/runs/{in_force}/diff/{promoted['run_id']}/notifications", params={"format": "csv"}
    )
    assert notices.status_code == 200 and notices.content.startswith(b"\xef\xbb\xbf")
    assert live.client().get("/audit").status_code == 401
    worst = live.client("staff").get("/audit", params={"level": "group", "limit": 5}).json()
    assert len(worst) == 5 and worst[0]["level"] == "group"
