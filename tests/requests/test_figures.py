"""Roll-ups on a hand-made case (every figure worked out by hand), overdue and due-soon."""

from __future__ import annotations

import datetime as dt

import pytest

from gridsvc.access import Actor, Role, Scope
from gridsvc.services import request_figures, request_queues, requests
from gridsvc.services.request_intake import Submission
from tests.requests.conftest import PUBLIC, STAFF, rep_codes

pytestmark = pytest.mark.db
TODAY = dt.date(2026, 6, 15)  # a Monday


def _t(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, tzinfo=dt.timezone(dt.timedelta(hours=8)))


# section, tier, status, received, answered, closed, deadline, rating, reopened
CASES = [
    ("A", "一般", "closed", _t(1), _t(3), _t(5), dt.date(2026, 6, 30), "满意", 0),
    ("A", "重大", "closed", _t(1), _t(12), _t(13), dt.date(2026, 6, 10), "不满意", 0),
    ("A", "当场", "accepted", _t(2), None, None, dt.date(2026, 6, 10), None, 0),
    ("B", "一般", "answered", _t(2), _t(4), None, dt.date(2026, 6, 30), "基本满意", 1),
    ("B", "重大", "received", _t(3), None, None, dt.date(2026, 6, 14), None, 0),
    ("B", "一般", "accepted", _t(3), None, None, dt.date(2026, 6, 17), None, 0),
]


@pytest.fixture
def handmade(small_street, rules):
    reps = rep_codes(small_street)
    rep = {"A": reps[0], "B": next(r for r in reps if r["section"] != reps[0]["section"])}
    codes = []
    for section, tier, status, received, answered, closed, deadline, rating, reopened in CASES:
        code = requests.submit(
            small_street,
            PUBLIC,
            rules,
            Submission("other", "手工案例", rep[section]["code"], phone="13812345678"),
        ).tracking_code
        with small_street.cursor() as cur:
            cur.execute(
                """UPDATE request SET tier = %s, status = %s, received_at = %s,
                   answered_at = %s, closed_at = %s, deadline = %s, rating = %s, reopened = %s
                   WHERE tracking_code = %s""",
                (tier, status, received, answered, closed, deadline, rating, reopened, code),
            )
        small_street.commit()
        codes.append(code)
    return small_street, rep, codes


def test_street_figures(handmade) -> None:
    conn, _, _ = handmade
    [street] = request_figures.rollup(conn, PUBLIC, "street", today=TODAY)
    assert (street.collected, street.resolved, street.answered, street.on_time) == (6, 2, 3, 2)
    assert street.resolution_rate == pytest.approx(2 / 6, abs=1e-4)
    assert street.on_time_rate == pytest.approx(2 / 3, abs=1e-4)
    assert street.overdue == 2
    assert street.overdue_by_tier == {"当场": 1, "一般": 0, "重大": 1}
    assert (street.rated, street.satisfied) == (3, 2)
    assert street.satisfaction_rate == pytest.approx(2 / 3, abs=1e-4)
    assert street.median_days_to_close == 8.0  # 4 and 12 days
    assert street.reopened == 1


def test_section_figures_and_scope(handmade) -> None:
    conn, rep, _ = handmade
    by = {f.code: f for f in request_figures.rollup(conn, STAFF, "section", today=TODAY)}
    a, b = by[rep["A"]["section"]], by[rep["B"]["section"]]
    assert (a.collected, a.resolved, a.on_time, a.answered, a.overdue) == (3, 2, 1, 2, 1)
    assert a.on_time_rate == 0.5 and a.median_days_to_close == 8.0
    assert a.overdue_by_tier["当场"] == 1
    assert (b.collected, b.resolved, b.resolution_rate) == (3, 0, 0.0)
    assert b.overdue_by_tier == {"当场": 0, "一般": 0, "重大": 1}
    assert b.median_days_to_close is None and b.satisfaction_rate == 1.0
    inside = Actor("s", Role.staff, Scope("section", rep["A"]["section"]))
    [mine] = request_figures.rollup(conn, inside, "street", today=TODAY)
    assert mine.collected == 3 and mine.resolved == 2
    per_rep = request_figures.rollup(conn, STAFF, "representative", today=TODAY)
    assert sorted(f.collected for f in per_rep) == [3, 3]
    since = request_figures.rollup(conn, STAFF, "street", since=dt.date(2026, 6, 3), today=TODAY)
    assert since[0].collected == 2
    home = request_figures.home_figures(conn, STAFF, today=TODAY)
    assert home["collected"] == 6 and home["resolved"] == 2


def test_overdue_and_due_soon(handmade, rules) -> None:
    conn, _, codes = handmade
    late = request_queues.overdue(conn, STAFF, today=TODAY)
    assert [r["tracking_code"] for r in late] == [codes[2], codes[4]]
    soon = request_queues.due_soon(conn, STAFF, rules, today=TODAY)
    assert [r["tracking_code"] for r in soon] == [codes[5]]
