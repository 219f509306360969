"""The notice board and the month's rota pages: escaped, and free of household data; the
sample's year of work loads through the services."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from gridsvc import sample_work
from gridsvc.maps.noticeboard import notice_board
from gridsvc.services import points, rota, visits
from gridsvc.services.work_load import load_work
from tests.helpers import PLANNER
from tests.work.conftest import Worked


def _board(name: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "rep_code": "R1", "rep_name": name, "group_name": "一组", "section_name": "一片",
                "points": 12.5, "community_rank": 1, "visits": 3, "households_visited": 2,
                "receptions": 1, "residents": 4, "requests_on_time": 0, "requests_raised": 2,
            }
        ]
    )  # fmt: skip


def test_names_are_escaped() -> None:
    html = notice_board(
        "<i>社区</i>",
        "2026",
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
        _board("<script>x</script>"),
    )
    assert "<script>x" not in html and "&lt;script&gt;x" in html
    assert "&lt;i&gt;社区" in html and "12.5" in html


def test_sample_work_loads_and_shows(
    worked: Worked, small_street_folder: Path, tmp_path: Path
) -> None:
    households = pd.read_csv(small_street_folder / "households.csv", dtype=str)
    reps = pd.read_csv(small_street_folder / "representatives.csv", dtype=str)
    households["key_category"] = households["key_category"].where(
        households["key_category"].notna()
    )
    work = sample_work.generate(households, reps, seed=7)
    again = sample_work.generate(households, reps, seed=7)
    pd.testing.assert_frame_equal(work["visits"], again["visits"])
    sample_work.write(work, tmp_path)

    done = load_work(worked.conn, PLANNER, tmp_path, year=2026)
    assert done.visits == len(work["visits"]) and done.visit_points > 0
    assert done.staff_points > 0 and done.duties > 0 and done.attended > 0
    year = points.parse_period("2026")
    table = points.totals(worked.conn, PLANNER, year)
    assert table["points"].sum() > 0
    html = points.notice_board_html(worked.conn, PLANNER, worked.community, year)
    assert "阳光栏" in html
    # no household data on the public board
    assert not any(code in html for code in households["code"])
    assert not any(address in html for address in households["address"].head(50))
    shares = visits.shares(worked.conn, PLANNER, "street", dt.date(2026, 1, 1), sample_work.AS_OF)
    assert 0 < shares.iloc[0]["visited_share"] <= 1
    page = rota.month_page(worked.conn, PLANNER, "2026-10")
    assert "2026-10-06" in page  # the nominal day, shown as moved
