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
        cur.execute(
            "SELECT h.head_name, ST_X(h.geom) FROM household h JOIN grid_section s"
            " ON s.id = h.section_id WHERE s.code = 'GH01-S01' ORDER BY h.code LIMIT 1"
        )
        head, lon = cur.fetchone()
    conn.close()

    def shows(text: str, value: str) -> bool:  # folium writes properties as escaped JSON
        return value in text or json.dumps(value)[1:-1] in text

    # the public map: areas, counts and the representatives' published contact, no homes
    assert shows(public.text, name) and not shows(public.text, head)
    assert f"{lon:.7f}"[:9] not in public.text and '"households"' not in public.text
    assert shows(staff.text, name) and shows(staff.text, head)
    assert live.client().get("/maps/sections/NOPE").status_code == 404


def test_the_qr_page_gives_the_representatives_published_contact(live: Live) -> None:
    conn = psycopg2.connect(live.db_url)
    with conn.cursor() as cur:
        cur.execute("SELECT name, phone FROM representative WHERE code = 'R0001'")
        name, phone = cur.fetchone()
        cur.execute("UPDATE representative SET publish_phone = false WHERE code = 'R0002'")
    conn.commit()
    try:
        page = live.client().get("/r/R0001")
        assert page.status_code == 200 and "您的居民代表" in page.text
        assert name in page.text and f'href="tel:{phone}"' in page.text
        unpublished = live.client().get("/r/R0002").text
        assert "未公开电话" in unpublished and not re.search(r"1[3-9]\d{9}", unpublished)
        assert live.client().get("/r/NOPE").status_code == 404
    finally:
        with conn.cursor() as cur:
            cur.execute("UPDATE representative SET publish_phone = true WHERE code = 'R0002'")
        conn.commit()
        conn.close()
