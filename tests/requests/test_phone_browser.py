"""A resident at phone size in real Chromium: the QR page, a report with a photo and the
position, the tracking code, the staff's answer, the rating; nothing loaded from outside.
GRIDSVC_SCREENSHOTS=maps/examples keeps the screenshots (else a temporary folder)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import sync_playwright

from gridsvc.access import Role
from gridsvc.db.frames import one
from gridsvc.maps.chromium import ARGS, LOCAL_PREFIXES, chromium_path
from tests.api.conftest import free_port, start_server
from tests.requests.api_client import key
from tests.requests.conftest import rep_codes

pytestmark = [pytest.mark.db, pytest.mark.slow]
PHONE = {"width": 390, "height": 844}


def test_resident_reports_follows_and_rates_on_a_phone(small_street, tmp_path: Path) -> None:
    shots = Path(os.environ.get("GRIDSVC_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    rep = rep_codes(small_street)[0]["code"]
    home = one(
        small_street,
        "SELECT ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat FROM household h"
        " JOIN representative r ON r.group_id = h.group_id WHERE r.code = %s LIMIT 1",
        (rep,),
    )
    assert home is not None
    staff = key(small_street, Role.staff)
    photo = tmp_path / "灯.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (240, 200, 40)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    port = free_port()
    server = start_server(small_street.dsn, port)
    base = f"http://127.0.0.1:{port}"
    blocked: list[str] = []
    errors: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
            context = browser.new_context(
                viewport=PHONE,
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                locale="zh-CN",
                geolocation={"longitude": home["lon"], "latitude": home["lat"], "accuracy": 12},
                permissions=["geolocation"],
            )
            page = context.new_page()

            def guard(route) -> None:  # type: ignore[no-untyped-def]
                if route.request.url.startswith(LOCAL_PREFIXES):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            page.route("**/*", guard)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            page.goto(f"{base}/r/{rep}")
            assert page.locator("h1").first.inner_text() == "您的居民代表"
            page.select_option("#category", "repair")
            page.fill("#text", "3栋楼道的灯坏了一个星期，晚上看不见台阶")
            page.fill("#phone", "13812345678")
            page.set_input_files("#photos", str(photo))
            page.click("#locate")
            page.wait_for_function("document.getElementById('lon').value !== ''")
            assert "已附上位置" in page.inner_text("#where")
            page.screenshot(path=str(shots / "requests-qr-page.png"), full_page=True)
            page.click("button[type=submit] >> text=提交")
            page.wait_for_url("**/track/*")
            code = page.inner_text("#tracking-code").strip()
            assert len(code) == 10
            assert page.locator(".photos img").count() == 1
            assert page.evaluate("document.querySelector('.photos img').naturalWidth") == 800
            page.screenshot(path=str(shots / "requests-submitted.png"), full_page=True)

            case = httpx.get(f"{base}/requests/{code}/case", headers=staff).json()
            assert case["lon"] == pytest.approx(home["lon"], abs=1e-6)  # WGS-84 ≈ CGCS2000
            answer = "已安排物业今天下午更换灯泡，谢谢您的反映。"
            httpx.post(f"{base}/requests/{code}/accept", json={"tier": "当场"}, headers=staff)
            httpx.post(f"{base}/requests/{code}/answer", json={"answer": answer}, headers=staff)

            page.goto(f"{base}/track")
            page.fill("#code", code.lower())
            page.click("button[type=submit]")
            page.wait_for_url(f"**/track/{code}")
            assert page.inner_text("#answer") == answer
            assert "已答复" in page.inner_text("#status")
            page.screenshot(path=str(shots / "requests-answered.png"), full_page=True)
            page.click("button[value=满意]")
            page.wait_for_load_state()
            assert "您的评价：满意" in page.inner_text("body")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"]  # no sideways scrolling on a phone
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    assert blocked == [] and errors == []
