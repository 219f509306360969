"""Visits: logging, the shares per level and the overdue list, on a hand-made case."""

from __future__ import annotations

import datetime as dt

import pytest

from gridsvc.access import Actor, Role, Scope
from gridsvc.db.frames import one
from gridsvc.errors import Forbidden, InputError
from gridsvc.services import visits
from tests.helpers import PLANNER
from tests.work.conftest import Worked

TODAY = dt.date(2026, 6, 30)
ALL = list(visits.KINDS)


def _rep_actor(code: str) -> Actor:
    return Actor(f"rep {code}", Role.representative, Scope("representative", code))


def test_shares_and_overdue_on_a_hand_made_case(worked: Worked) -> None:
    conn, rep = worked.conn, worked.rep
    key, a, b, *rest = worked.households
    me = _rep_actor(rep)
    # the key household was visited 40 days ago: visited this year, but overdue (30 days)
    visits.log_visit(conn, me, key, TODAY - dt.timedelta(days=40), ["入户见面"], today=TODAY)
    visits.log_visit(conn, me, a, TODAY - dt.timedelta(days=5), ALL, today=TODAY)
    visits.log_visit(conn, me, b, TODAY - dt.timedelta(days=3), ["拉家常"], today=TODAY)
    visits.log_visit(conn, me, b, TODAY - dt.timedelta(days=2), ["收集问题"], today=TODAY)

    year = (dt.date(2026, 1, 1), TODAY)
    table = visits.shares(conn, PLANNER, "representative", *year, representative=rep)
    row = table.iloc[0]
    n = len(worked.households)
    assert (row["households"], row["visited"], row["fourfold"]) == (n, 3, 1)
    assert (row["key_households"], row["key_visited"]) == (1, 0)
    assert row["visited_share"] == round(3 / n, 3)
    # sixty days of memory for key households: now it counts
    wide = visits.shares(conn, PLANNER, "representative", *year, key_days=60, representative=rep)
    assert wide.iloc[0]["key_visited"] == 1
    # the section adds up its representatives
    section = visits.shares(conn, PLANNER, "section", *year, section=worked.section)
    assert section.iloc[0]["visited"] >= 3

    due = visits.overdue(conn, me, representative=rep, today=TODAY)
    assert due["code"].iloc[0] == key  # key households first
    assert set(due["code"]) == {key, *rest}  # a and b were seen lately
    assert list(due["walk"]) == list(range(1, len(due) + 1))
    assert due["head_name"].notna().all()  # their own households, in full
    audited = one(conn, "SELECT count(*) AS n FROM audit_log WHERE action = 'visits.overdue'")
    assert audited and audited["n"] == 1


def test_a_viewer_sees_no_key_counts(worked: Worked) -> None:
    viewer = Actor("dashboard", Role.viewer)
    table = visits.shares(worked.conn, viewer, "community", dt.date(2026, 1, 1), TODAY)
    assert "key_households" not in table and len(table) == 2


def test_representatives_log_only_their_own(worked: Worked) -> None:
    conn = worked.conn
    other = one(
        conn,
        "SELECT code FROM representative WHERE code <> %s ORDER BY code LIMIT 1",
        (worked.rep,),
    )
    assert other
    with pytest.raises(Forbidden):
        visits.log_visit(conn, _rep_actor(other["code"]), worked.households[1], TODAY, ALL)
    with pytest.raises(Forbidden):
        visits.overdue(conn, _rep_actor(other["code"]), representative=worked.rep)


@pytest.mark.parametrize(
    ("kinds", "day", "field"),
    [
        ([], TODAY, "kinds"),
        (["喝茶"], TODAY, "kinds"),
        (ALL, TODAY + dt.timedelta(1), "visited_on"),
    ],
)
def test_bad_visits_are_refused(worked: Worked, kinds: list[str], day: dt.date, field: str) -> None:
    with pytest.raises(InputError, match=field):
        visits.log_visit(worked.conn, PLANNER, worked.households[0], day, kinds, today=TODAY)


def test_odd_spans_are_refused(worked: Worked) -> None:
    with pytest.raises(InputError, match="since/until"):
        visits.shares(worked.conn, PLANNER, "street", dt.date(1, 1, 1), dt.date(1, 1, 2))
    with pytest.raises(InputError, match="since/until"):
        visits.list_visits(worked.conn, PLANNER, TODAY, TODAY - dt.timedelta(1))
    with pytest.raises(InputError, match="level"):
        visits.shares(worked.conn, PLANNER, "planet", TODAY, TODAY)
