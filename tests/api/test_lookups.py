"""Look-ups and structure on a live server: each role's view, masking, audit, errors."""

from __future__ import annotations

import re

import psycopg2
import pytest

from gridsvc.coords import from_cgcs2000
from gridsvc.db.frames import read_frame
from tests.api.conftest import Live

MASKED_NAME = re.compile(r"^.\*+$")
MASKED_PHONE = re.compile(r"^1\d\d\*{4}\d{4}$")


def a_key_household(live: Live) -> dict:
    conn = psycopg2.connect(live.db_url)
    row = read_frame(
        conn,
        """SELECT h.code, h.head_name, h.phone, h.key_category,
        ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat, g.code AS group_code, r.code AS rep_code
        FROM household h JOIN resident_group g ON g.id = h.group_id
        JOIN assignment a ON a.household_id = h.id AND a.run_id =
             (SELECT id FROM assignment_run WHERE in_force)
        JOIN representative r ON r.id = a.representative_id
        WHERE h.key_category IS NOT NULL AND h.phone IS NOT NULL ORDER BY h.code LIMIT 1""",
    )
    conn.close()
    return row.iloc[0].to_dict()


def audit_rows(live: Live) -> list[tuple]:
    conn = psycopg2.connect(live.db_url)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT k.role, a.path, a.subject FROM audit_log a JOIN api_key k"
            " ON k.id = a.key_id ORDER BY a.id"
        )
        rows = cur.fetchall()
    conn.close()
    return rows


def test_each_role_sees_the_household_as_it_may(live: Live) -> None:
    house = a_key_household(live)
    path = f"/households/{house['code']}"
    public = live.client().get(path)
    assert public.status_code == 401 and public.json()["error"] == "not_authenticated"
    viewer = live.client("viewer").get(path).json()
    assert (
        MASKED_NAME.match(viewer["head_name"]) and viewer["head_name"][0] == house["head_name"][0]
    )
    assert MASKED_PHONE.match(viewer["phone"]) and viewer["phone"][-4:] == house["phone"][-4:]
    assert viewer["key_category"] is None
    assert viewer["lon"] != house["lon"] and abs(viewer["lon"] - house["lon"]) < 0.0005
    # the representative's phone is their published contact: what the card is for
    assert viewer["representative"]["phone"] and "*" not in viewer["representative"]["phone"]
    for role in ("staff", "planner"):
        full = live.client(role, bearer=True).get(path).json()
        assert full["head_name"] == house["head_name"] and full["phone"] == house["phone"]
        assert full["key_category"] == house["key_category"]
    assert viewer["representative"]["code"] == house["rep_code"]
    assert viewer["group_code"] == house["group_code"]


def test_every_personal_access_by_key_is_audited(live: Live) -> None:
    house = a_key_household(live)
    before = len(audit_rows(live))
    live.client("viewer").get(f"/households/{house['code']}/representative")
    live.client("staff").get(f"/representatives/{house['rep_code']}/households")
    rows = audit_rows(live)[before:]
    assert rows == [
        ("viewer", f"/households/{house['code']}/representative", house["code"]),
        ("staff", f"/representatives/{house['rep_code']}/households", house["rep_code"]),
    ]


def test_representative_and_their_households(live: Live) -> None:
    house = a_key_household(live)
    rep = live.client("viewer").get(f"/representatives/{house['rep_code']}").json()
    listed = live.client("viewer").get(f"/representatives/{house['rep_code']}/households").json()
    assert rep["load"] == listed["count"] == len(listed["households"])
    assert 5 <= rep["load"] <= 15
    assert house["code"] in {h["code"] for h in listed["households"]}
    assert all(h["key_category"] is None for h in listed["households"])
    staff = live.client("staff").get(f"/representatives/{house['rep_code']}/households").json()
    assert any(h["key_category"] for h in staff["households"])


@pytest.mark.parametrize("crs", ["wgs84", "gcj02", "bd09"])
def test_locate_finds_the_group_in_any_coordinate_system(live: Live, crs: str) -> None:
    house = a_key_household(live)
    lon, lat = from_cgcs2000([house["lon"]], [house["lat"]], crs)
    body = (
        live.client()
        .get("/locate", params={"lon": float(lon[0]), "lat": float(lat[0]), "crs": crs})
        .json()
    )
    assert body["group_code"] == house["group_code"]
    assert abs(body["lon"] - house["lon"]) < 1e-6
    assert len(body["representatives"]) >= 1
    # the public gets representatives' published contact, but nothing that tells their home
    assert all(r["name"] and r["distance_m"] is None for r in body["representatives"])
    viewer = live.client("viewer").get(
        "/locate", params={"lon": float(lon[0]), "lat": float(lat[0]), "crs": crs}
    )
    distances = [r["distance_m"] for r in viewer.json()["representatives"]]
    assert distances == sorted(distances) and all(d % 50 == 0 for d in distances)


def test_locate_errors_are_clear(live: Live) -> None:
    outside = live.client().get("/locate", params={"lon": 110.0, "lat": 30.0})
    assert outside.status_code == 404 and "lies in no group" in outside.json()["detail"]
    bad = live.client().get("/locate", params={"lon": 200, "lat": 27.8})
    assert bad.status_code == 422 and bad.json()["error"] == "validation_error"
    assert (
        live.client().get("/locate", params={"lon": 113.1, "lat": 27.8, "crs": "mars"}).status_code
        == 422
    )


def test_structure_with_counts_and_coverage(live: Live) -> None:
    client = live.client()
    communities = client.get("/communities").json()
    sections = client.get("/sections").json()
    groups = client.get("/groups").json()
    assert (len(communities), len(sections), len(groups)) == (8, 38, 122)
    assert sum(c["households"] for c in communities) == sum(g["households"] for g in groups)
    assert all(c["coverage"] == 1.0 for c in communities)
    assert sum(c["sections"] for c in communities) == 38
    one = client.get(f"/sections/{sections[0]['code']}").json()
    assert one == sections[0] and one["key_households"] is None
    assert len(client.get("/sections", params={"community": "GH01"}).json()) == next(
        c["sections"] for c in communities if c["code"] == "GH01"
    )
    group = client.get(f"/groups/{groups[0]['code']}").json()
    assert group["households"] == groups[0]["households"] and group["load_max"] <= 15
    staff = live.client("staff").get(f"/groups/{groups[0]['code']}").json()
    assert staff["key_households"] is not None
    assert client.get("/groups/NOPE").status_code == 404
    assert client.get("/sections/NOPE").json()["detail"] == "section NOPE: no such section"


def test_unknown_codes_and_keys(live: Live) -> None:
    assert live.client("viewer").get("/households/NOPE").status_code == 404
    assert live.client("viewer").get("/representatives/NOPE/households").status_code == 404
    wrong = live.client().get("/households/H000001", headers={"X-API-Key": "gs_wrong"})
    assert wrong.status_code == 401 and "unknown or revoked" in wrong.json()["detail"]


def test_the_hot_answers_keep_their_response_models(live: Live) -> None:
    """orjson writes the services' dataclasses: the same fields as the documented models."""
    from gridsvc.api import schemas

    house = a_key_household(live)
    viewer = live.client("viewer")
    lon, lat = float(house["lon"]), float(house["lat"])
    for path, params, model in (
        (f"/households/{house['code']}/representative", None, schemas.RepresentativeBrief),
        (
            f"/representatives/{house['rep_code']}/households",
            None,
            schemas.RepresentativeHouseholds,
        ),
        ("/locate", {"lon": lon, "lat": lat}, schemas.Located),
    ):
        answer = viewer.get(path, params=params)
        assert answer.headers["content-type"] == "application/json"
        body = answer.json()
        assert model.model_validate(body).model_dump(mode="json") == body
