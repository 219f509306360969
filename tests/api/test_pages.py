"""Pages served by the API: the home page offline in Chromium, maps by role, the QR page."""

from __future__ import annotations

import json
import re

import psycopg2

from gridsvc.maps.chromium import printer
from tests.api.conftest import Live


def test_home_page_works_offline_and_shows_the_street(live: Live) -> None:
    with printer() as chrome, chrome.page(f"{live.url}/") as (page, log):
        text = page.inner_text("body")
        links = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
    assert log.blocked == [] and log.console_errors == []
    assert "10432" in text or "10,432" in text
    assert sum(1 for link in links if re.fullmatch(r"/maps/sections/GH\d\d-S\d\d", link)) == 38
    assert "/maps/overview" in links and "/docs" in links
    assert not re.search(r"1[3-9]\d{9}", text)


def test_section_map_follows_the_role(live: Live) -> None:
    public = live.client().get("/maps/sections/GH01-S01")
    staff = live.client("staff").get("/maps/sections/GH01-S01")
    assert public.status_code == staff.status_code == 200
    assert '"key": true' not in public.text and '"key": true' in staff.text
    conn = psycopg2.connect(live.db_url)
    with conn.cursor() as cur:
        cur.execute("SELECT name FROM representative ORDER BY code LIMIT 1")
        name = cur.fetchone()[0]
    conn.close()
    escaped = json.dumps(name)[1:-1]  # folium writes properties as ASCII-escaped JSON
    assert name not in public.text and escaped not in public.text
    assert name in staff.text or escaped in staff.text
    assert live.client().get("/maps/sections/NOPE").status_code == 404


def test_pngs_and_pdfs_are_served(live: Live) -> None:
    client = live.client()
    png = client.get("/maps/sections/GH01-S01.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    pdf = client.get("/maps/sections/GH01-S01/cards.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/maps/sections/NOPE.png").status_code == 404


def test_the_qr_page_is_public_and_masked(live: Live) -> None:
    page = live.client().get("/r/R0001")
    assert page.status_code == 200 and "您的居民代表" in page.text
    assert "****" in page.text and not re.search(r"1[3-9]\d{9}", page.text)
    assert live.client().get("/r/NOPE").status_code == 404
