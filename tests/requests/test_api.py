"""The requests API: submit (JSON and multipart), follow, rate, staff actions, lists."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from gridsvc.access import Role
from tests.requests.api_client import client_on, key
from tests.requests.conftest import rep_codes

pytestmark = pytest.mark.db


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def test_submit_follow_act_and_rate(small_street) -> None:
    rep = rep_codes(small_street)[0]["code"]
    staff = key(small_street, Role.staff)
    with client_on(small_street) as c:
        made = c.post(
            "/requests",
            json={"category": "repair", "text": "路灯不亮", "phone": "13812345678",
                  "representative": rep},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        body = made.json()
        assert {"tracking_code", "deadline", "status", "tier"} <= set(body)
        code = body["tracking_code"]
        mine = c.get(f"/requests/{code}").json()
        assert mine["phone"] == "138****5678" and mine["status"] == "received"
        assert c.get(f"/requests/{code}/case").status_code == 401
        assert c.post(f"/requests/{code}/accept", json={"tier": "当场"}).status_code == 401
        accepted = c.post(f"/requests/{code}/accept", json={"tier": "当场"}, headers=staff)
        assert accepted.status_code == 200 and accepted.json()["tier"] == "当场"
        wrong = c.post(f"/requests/{code}/close", headers=staff)
        assert wrong.status_code == 409 and "allowed now" in wrong.json()["detail"]
        answered = c.post(f"/requests/{code}/answer", json={"answer": "已修复"}, headers=staff)
        assert answered.status_code == 200
        assert c.post(f"/requests/{code}/rating", json={"rating": "满意"}).status_code == 204
        assert c.post(f"/requests/{code}/rating", json={"rating": "好"}).status_code == 422
        assert c.get(f"/requests/{code}").json()["rating"] == "满意"
        assert c.post(f"/requests/{code}/close", headers=staff).json()["status"] == "closed"
        listed = c.get("/requests?status=done", headers=staff).json()
        assert [r["tracking_code"] for r in listed] == [code]


def test_multipart_with_photos_and_limits_on_count(small_street) -> None:
    rep = rep_codes(small_street)[0]["code"]
    form = {"category": "sanitation", "text": "垃圾堆积", "phone": "13812345678",
            "representative": rep}  # fmt: skip
    with client_on(small_street) as c:
        made = c.post("/requests", data=form, files=[("photos", ("a.jpg", _jpeg(), "image/jpeg"))])
        assert made.status_code == 201, made.text
        code = made.json()["tracking_code"]
        assert made.json()["photos"] == 1
        photo = c.get(f"/requests/{code}/photos/1")
        assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
        four = [("photos", (f"{i}.jpg", _jpeg(), "image/jpeg")) for i in range(4)]
        too_many = c.post("/requests", data=form, files=four)
        assert too_many.status_code == 400 and "photos" in too_many.json()["detail"]
        bad = c.post("/requests", data=form, files=[("photos", ("x.jpg", b"<svg/>", "image/jpeg"))])
        assert bad.status_code == 400 and "photos[0]" in bad.json()["detail"]
        assert c.post("/requests", json={"category": "x"}).status_code == 400


def test_viewer_and_representative_keys(small_street) -> None:
    reps = rep_codes(small_street)
    mine, other = reps[0]["code"], reps[-1]["code"]
    viewer = key(small_street, Role.viewer)
    rep_key = key(small_street, Role.representative, f"representative:{mine}")
    with client_on(small_street) as c:
        codes = {}
        for rep in (mine, other):
            codes[rep] = c.post(
                "/requests",
                json={"category": "other", "text": "噪音扰民", "phone": "13900001111",
                      "representative": rep},
            ).json()["tracking_code"]  # fmt: skip
        seen = c.get(f"/requests/{codes[mine]}/case", headers=viewer).json()
        assert seen["phone"] == "139****1111" and seen["text"] is None
        queue = c.get("/requests", headers=rep_key).json()
        assert [r["tracking_code"] for r in queue] == [codes[mine]]
        assert queue[0]["text"] == "噪音扰民"
        assert c.get(f"/requests/{codes[other]}/case", headers=rep_key).status_code == 404
        done = c.post(f"/requests/{codes[mine]}/answer", json={"answer": "已劝导"}, headers=rep_key)
        assert done.status_code == 200
        assert c.post(f"/requests/{codes[mine]}/answer", headers=viewer).status_code == 403
        digest = c.get(f"/requests/digest/{other}?format=csv", headers=viewer)
        assert digest.status_code == 200 and codes[other] in digest.text
        assert "13900001111" not in digest.text and "139****1111" in digest.text
        formula = c.post(
            "/requests",
            json={"category": "other", "text": "=HYPERLINK(\"http://x\")", "phone": "13900002222",
                  "representative": other},
        ).json()["tracking_code"]  # fmt: skip
        staff = key(small_street, Role.staff)
        sheet = c.get(f"/requests/digest/{other}?format=csv", headers=staff).text
        assert formula in sheet and "'=HYPERLINK" in sheet  # never run as a formula
        xlsx = c.get(f"/requests/digest/{other}?format=xlsx", headers=viewer)
        assert xlsx.content[:2] == b"PK"
        figures = c.get("/requests/figures?level=representative").json()
        assert {f["code"] for f in figures} == {mine, other}


def test_abuse_limits_answer_429_with_retry_after(small_street) -> None:
    reps = rep_codes(small_street)
    body = {"category": "other", "text": "测试", "representative": reps[0]["code"]}
    with client_on(small_street, request_limit_phone_day=2, request_limit_ip_hour=4) as c:
        for _ in range(2):
            assert c.post("/requests", json={**body, "phone": "13800000001"}).status_code == 201
        refused = c.post("/requests", json={**body, "phone": "13800000001"})
        assert refused.status_code == 429 and refused.headers["retry-after"] == "86400"
        assert "手机号" in refused.json()["detail"]
        for _ in range(2):
            assert c.post("/requests", json={**body, "phone": "13800000002"}).status_code == 201
        by_ip = c.post("/requests", json={**body, "phone": "13800000003"})
        assert by_ip.status_code == 429 and by_ip.headers["retry-after"] == "3600"
        page = c.post(f"/r/{reps[0]['code']}", data={**body, "phone": "13800000004"})
        assert page.status_code == 429 and "请稍后再试" in page.text
        assert page.headers["retry-after"] == "3600"
    with client_on(small_street, request_limit_rep_hour=4) as c:
        rep_full = c.post("/requests", json={**body, "phone": "13800000005"})
        assert rep_full.status_code == 429 and "代表" in rep_full.json()["detail"]
