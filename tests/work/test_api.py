"""The work API on a live server: visits, points, the rota feeds and the notice board."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import icalendar
import psycopg2
import pytest

from gridsvc.access import Role, Scope
from gridsvc.db.frames import one, rows
from gridsvc.services import keys
from tests.api.conftest import Live
from tests.helpers import PLANNER

TODAY = dt.date.today().isoformat()


@pytest.fixture(scope="module")
def rep(live: Live) -> Iterator[dict]:
    """A representative's code and households, and another's."""
    conn = psycopg2.connect(live.db_url)
    found = rows(
        conn,
        """SELECT r.code, array_agg(h.code ORDER BY h.code) AS households
           FROM assignment a JOIN representative r ON r.id = a.representative_id
           JOIN household h ON h.id = a.household_id
           WHERE a.run_id = (SELECT id FROM assignment_run WHERE in_force)
           GROUP BY r.code ORDER BY r.code LIMIT 2""",
    )
    conn.close()
    yield {"code": found[0]["code"], "mine": found[0]["households"], "other": found[1]}


def test_a_representative_logs_a_visit_and_reads_their_points(live: Live, rep: dict) -> None:
    conn = psycopg2.connect(live.db_url)
    rep_key = keys.create_key(
        conn, PLANNER, "rep key", Role.representative, Scope("representative", rep["code"])
    )
    conn.commit()
    with httpx.Client(base_url=live.url, headers={"X-API-Key": rep_key}, timeout=60) as c:
        body = {"household": rep["mine"][0], "visited_on": TODAY, "kinds": ["入户见面", "拉家常"]}
        made = c.post("/visits", json=body)
        assert made.status_code == 201, made.text
        assert made.json()["representative"] == rep["code"]
        theirs = c.post("/visits", json={**body, "household": rep["other"]["households"][0]})
        assert theirs.status_code == 403
        bad = c.post("/visits", json={**body, "kinds": ["喝茶"]})
        assert bad.status_code == 422 and "kinds" in bad.text
        future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
        late = c.post("/visits", json={**body, "visited_on": future})
        assert late.status_code == 400 and "visited_on" in late.json()["detail"]
        year = dt.date.today().year
        points = c.get(f"/representatives/{rep['code']}/points", params={"period": year})
        assert points.status_code == 200
        assert points.json()["points"] >= 1 and points.json()["entries"]
        due = c.get("/visits/overdue", params={"representative": rep["code"]})
        assert due.status_code == 200 and due.json()[0]["head_name"]
    with live.client("viewer") as viewer:
        assert viewer.get("/visits/overdue").status_code == 403
        shares = viewer.get("/visits/shares", params={"level": "community"})
        assert shares.status_code == 200 and "key_households" not in shares.json()[0]
    with live.client() as public:
        bad = public.get(f"/representatives/{rep['code']}/points", params={"period": "20x6"})
        assert bad.status_code == 400 and "period" in bad.json()["detail"]
        assert public.post("/visits", json=body).status_code == 401
    audited = one(conn, "SELECT count(*) AS n FROM audit_log WHERE action = 'visits.overdue'")
    assert audited and audited["n"] >= 1
    conn.close()


def test_rota_feeds_parse(live: Live, rep: dict) -> None:
    with live.client("staff") as staff:
        made = staff.post("/rota", params={"year": 2026})
        assert made.status_code == 201, made.text
        assert made.json()["receptions"] == 36 * made.json()["stations"]
        stations = staff.get("/stations").json()
        for path in (
            f"/representatives/{rep['code']}/rota.ics",
            f"/stations/{stations[0]['code']}/rota.ics",
        ):
            feed = staff.get(path, params={"year": 2026})
            assert feed.status_code == 200 and feed.headers["content-type"].startswith(
                "text/calendar"
            )
            cal = icalendar.Calendar.from_ical(feed.content)
            assert list(cal.walk("VEVENT"))
        page = staff.get("/rota/2026-10")
        assert page.status_code == 200 and "节假日顺延" in page.text
        assert staff.get("/rota/2026-1x").status_code == 400
    with live.client("viewer") as viewer:
        assert viewer.post("/rota", params={"year": 2026}).status_code == 403


def test_notice_board_is_public_and_holds_no_household_data(live: Live, rep: dict) -> None:
    conn = psycopg2.connect(live.db_url)
    community = one(conn, "SELECT code FROM community ORDER BY code LIMIT 1")
    house = one(
        conn,
        """SELECT h.head_name, h.address FROM household h JOIN grid_section s
           ON s.id = h.section_id JOIN community c ON c.id = s.community_id
           WHERE c.code = %s LIMIT 1""",
        (community["code"] if community else None,),
    )
    conn.close()
    assert community and house
    with live.client() as public:
        page = public.get(f"/communities/{community['code']}/noticeboard")
        assert page.status_code == 200 and "阳光栏" in page.text
        assert house["address"] not in page.text
        assert public.get("/communities/NOPE/noticeboard").status_code == 404
        pdf = public.get(f"/communities/{community['code']}/noticeboard.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert b"MediaBox [0 0 842" in pdf.content  # A3
