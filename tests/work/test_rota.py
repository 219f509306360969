"""The reception rota: days off holidays, a fair rotation, attendance, .ics that parse."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import icalendar
import pytest

from gridsvc.access import Actor, Role, Scope
from gridsvc.errors import Conflict, NotFound
from gridsvc.services import rota
from gridsvc.services.points import parse_period, representative_points
from gridsvc.workdays import Calendar
from tests.helpers import PLANNER
from tests.work.conftest import Worked


def test_days_move_off_national_day_and_spring_festival() -> None:
    calendar = Calendar()
    days = dict(rota.reception_days(2026, calendar))
    assert len(days) == 36
    for nominal in (dt.date(2026, 10, 6), dt.date(2026, 2, 16)):
        moved = days[nominal]
        assert moved > nominal and calendar.is_workday(moved)
        assert all(
            not calendar.is_workday(nominal + dt.timedelta(d))
            for d in range((moved - nominal).days)
        )
    assert days[dt.date(2026, 3, 16)] == dt.date(2026, 3, 16)  # a Monday stays


def test_rotation_is_fair() -> None:
    days = [d for _, d in rota.reception_days(2026)]
    plan = rota.rotate(days, list(range(13)), 2)
    counts = Counter(p for chosen in plan.values() for p in chosen)
    assert all(len(chosen) == 2 for chosen in plan.values())
    assert max(counts.values()) - min(counts.values()) <= 1


def test_rotation_respects_unavailable_dates() -> None:
    days = [d for _, d in rota.reception_days(2026)]
    away = {0: set(days[:18])}  # away half the year
    plan = rota.rotate(days, list(range(10)), 3, away)
    assert all(0 not in plan[d] for d in days[:18])
    counts = Counter(p for chosen in plan.values() for p in chosen)
    others = [counts[p] for p in range(1, 10)]
    assert max(others) - min(others) <= 1


def test_make_attend_and_ics(worked: Worked) -> None:
    conn = worked.conn
    made = rota.make_rota(conn, PLANNER, 2026, per_day=2)
    assert (made.stations, made.receptions) == (2, 72)
    duties = rota.duties(conn, PLANNER, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    per_rep = duties.groupby("rep_code").size()
    assert per_rep.max() - per_rep.min() <= 1
    assert dt.date(2026, 10, 6) not in set(duties["day"])

    first = duties.iloc[0]
    me = Actor("rep", Role.representative, Scope("representative", first["rep_code"]))
    done = rota.record_attendance(
        conn, me, first["station_code"], first["day"], first["rep_code"], residents=4,
        request_ids=[17],
    )  # fmt: skip
    assert done.points_entry is not None
    again = rota.record_attendance(
        conn, me, first["station_code"], first["day"], first["rep_code"], residents=5
    )
    assert again.points_entry is None  # one reception, points once
    points = representative_points(conn, me, first["rep_code"], parse_period("2026"))
    assert points.points == 3.0
    with pytest.raises(Conflict):
        rota.make_rota(conn, PLANNER, 2026)
    with pytest.raises(NotFound):
        rota.record_attendance(
            conn, PLANNER, first["station_code"], dt.date(2026, 1, 7), first["rep_code"]
        )

    for feed in (
        rota.representative_ics(conn, me, first["rep_code"], 2026),
        rota.station_ics(conn, me, first["station_code"], 2026),
    ):
        cal = icalendar.Calendar.from_ical(feed)
        events = list(cal.walk("VEVENT"))
        assert events and all(e.decoded("dtstart").tzinfo is not None for e in events)
        assert cal.walk("VTIMEZONE")
    mine = icalendar.Calendar.from_ical(rota.representative_ics(conn, me, first["rep_code"], 2026))
    assert len(list(mine.walk("VEVENT"))) == per_rep[first["rep_code"]]


def test_unavailable_dates_are_kept(worked: Worked) -> None:
    conn = worked.conn
    rota.make_rota(conn, PLANNER, 2026)
    days = [d for _, d in rota.reception_days(2026)][:12]
    rota.set_unavailable(conn, PLANNER, worked.rep, days)
    rota.make_rota(conn, PLANNER, 2026)
    duties = rota.duties(conn, PLANNER, days[0], days[-1], representative=worked.rep)
    assert duties.empty
