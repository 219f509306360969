"""Points: events count once, corrections reverse, caps hold, periods and ranks."""

from __future__ import annotations

import datetime as dt

import pytest

from gridsvc.access import Actor, Role, Scope
from gridsvc.db.frames import one
from gridsvc.errors import Conflict, Forbidden, InputError
from gridsvc.services import points, visits
from tests.helpers import PLANNER
from tests.work.conftest import Worked

DAY = dt.date(2026, 3, 10)
YEAR = points.parse_period("2026")


def _total(w: Worked, period: points.Period = YEAR) -> float:
    return points.representative_points(w.conn, PLANNER, w.rep, period).points


def test_the_task_table_has_26_tasks(worked: Worked) -> None:
    tasks = points.tasks(worked.conn, PLANNER)
    assert len(tasks) == 26 and set(tasks["counted"]) == {"event", "staff"}
    assert set(tasks["event"].dropna()) == set(points.EVENTS)


def test_an_event_counts_once(worked: Worked) -> None:
    visit = visits.log_visit(
        worked.conn, PLANNER, worked.households[0], DAY, ["入户见面"], today=DAY
    )
    assert visit.points_entry is not None and _total(worked) == 1.0
    again = points.award_event(worked.conn, PLANNER, "visit", worked.rep, f"visit:{visit.id}", DAY)
    assert again is None and _total(worked) == 1.0
    first = points.award_event(
        worked.conn, PLANNER, "request_on_time", worked.rep, "request:9", DAY
    )
    second = points.award_event(
        worked.conn, PLANNER, "request_on_time", worked.rep, "request:9", DAY
    )
    assert first is not None and second is None and _total(worked) == 3.0


def test_a_correction_reverses_and_is_never_an_edit(worked: Worked) -> None:
    entry = points.award_by_staff(worked.conn, PLANNER, worked.rep, "T09", DAY, "调研：老旧小区")
    assert entry is not None and _total(worked) == 5.0
    points.correct(worked.conn, PLANNER, entry, "entered twice")
    assert _total(worked) == 0.0
    with pytest.raises(Conflict):
        points.correct(worked.conn, PLANNER, entry, "again")
    row = one(worked.conn, "SELECT points FROM point_entry WHERE id = %s", (entry,))
    assert row and float(row["points"]) == 5.0  # the original stands
    with pytest.raises(Exception, match="never edited"), worked.conn.cursor() as cur:
        cur.execute("UPDATE point_entry SET points = 1 WHERE id = %s", (entry,))
    worked.conn.rollback()


def test_caps_per_period(worked: Worked) -> None:
    # 政策宣传 T05: 1 point, at most 4 a month
    for day in range(1, 7):
        points.award_by_staff(worked.conn, PLANNER, worked.rep, "T05", DAY.replace(day=day), "宣传")
    assert _total(worked, points.parse_period("2026-03")) == 4.0
    points.award_by_staff(worked.conn, PLANNER, worked.rep, "T05", dt.date(2026, 4, 2), "宣传")
    assert _total(worked, points.parse_period("2026Q2")) == 1.0
    assert _total(worked) == 5.0
    # 参加专题调研 T09: 5 points, at most 10 a year
    for month in (1, 5, 9):
        points.award_by_staff(
            worked.conn, PLANNER, worked.rep, "T09", DAY.replace(month=month), "调研"
        )
    assert _total(worked) == 15.0


def test_ranks_and_scopes(worked: Worked) -> None:
    points.award_by_staff(worked.conn, PLANNER, worked.rep, "T26", DAY, "表彰")
    table = points.totals(worked.conn, PLANNER, YEAR, community=worked.community)
    top = table[table["rep_code"] == worked.rep].iloc[0]
    assert (top["group_rank"], top["section_rank"], top["community_rank"]) == (1, 1, 1)
    rep = Actor("rep", Role.representative, Scope("representative", worked.rep))
    mine = points.representative_points(worked.conn, rep, worked.rep, YEAR)
    assert len(mine.entries) == 1
    public = Actor("public", Role.public)
    assert points.representative_points(worked.conn, public, worked.rep, YEAR).entries.empty
    with pytest.raises(Forbidden):
        points.award_by_staff(worked.conn, rep, worked.rep, "T26", DAY, "myself")


@pytest.mark.parametrize("text", ["2026-13", "26", "2026Q5", "2030-2020", "x"])
def test_bad_periods(text: str) -> None:
    with pytest.raises(InputError, match="period"):
        points.parse_period(text)


def test_periods() -> None:
    assert points.parse_period("2026-Q4").start == dt.date(2026, 10, 1)
    assert points.parse_period("2026-02").end == dt.date(2026, 2, 28)
    term = points.parse_period("2022-2026")
    assert (term.start, term.end) == (dt.date(2022, 1, 1), dt.date(2026, 12, 31))
