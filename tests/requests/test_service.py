"""Requests in the store: submitting, every action, scopes, masking, the event log."""

from __future__ import annotations

import psycopg2
import pytest

from gridsvc.access import Actor, Role, Scope
from gridsvc.db.frames import one, rows
from gridsvc.errors import Conflict, InputError, NotFound
from gridsvc.services import request_queues, requests
from gridsvc.services.request_intake import Submission
from tests.requests.conftest import PUBLIC, STAFF, VIEWER, rep_actor, rep_codes

pytestmark = pytest.mark.db


def _submit(conn, rules, rep: str, **extra) -> requests.Receipt:
    given = {"category": "repair", "text": "楼道灯坏了", "phone": "13812345678", **extra}
    return requests.submit(conn, PUBLIC, rules, Submission(representative=rep, **given))


def test_submit_places_the_request_and_logs_it(small_street, rules) -> None:
    rep = rep_codes(small_street)[0]
    receipt = _submit(small_street, rules, rep["code"])
    assert len(receipt.tracking_code) == 10
    assert receipt.section == rep["section"]
    assert receipt.status == "received" and receipt.tier == "一般"
    case = requests.show(small_street, STAFF, receipt.tracking_code)
    assert case["phone"] == "13812345678" and case["text"] == "楼道灯坏了"
    assert [e["kind"] for e in case["events"]] == ["received"]


def test_viewer_sees_phone_masked_and_no_text(small_street, rules) -> None:
    rep = rep_codes(small_street)[0]
    code = _submit(small_street, rules, rep["code"]).tracking_code
    case = requests.show(small_street, VIEWER, code)
    assert case["phone"] == "138****5678"
    assert case["text"] is None
    audit = one(small_street, "SELECT count(*) AS n FROM audit_log WHERE action = 'requests.show'")
    assert audit and audit["n"] == 1


def test_full_life_with_every_event(small_street, rules) -> None:
    rep = rep_codes(small_street)[0]
    code = _submit(small_street, rules, rep["code"]).tracking_code
    requests.act(small_street, STAFF, rules, code, "accept", tier="重大")
    requests.act(small_street, STAFF, rules, code, "transfer", department="城管局")
    before = requests.show(small_street, STAFF, code)["deadline"]
    requests.act(small_street, STAFF, rules, code, "extend", days=5, reason="等待施工")
    after = requests.show(small_street, STAFF, code)["deadline"]
    assert rules.calendar.workdays_between(before, after) == 5
    requests.act(small_street, STAFF, rules, code, "answer", answer="已修好")
    requests.rate(small_street, code, "不满意")
    requests.act(small_street, STAFF, rules, code, "reopen", reason="又坏了")
    reopened = requests.show(small_street, STAFF, code)
    assert reopened["status"] == "accepted" and reopened["reopened"] == 1
    assert reopened["rating"] is None
    requests.act(small_street, STAFF, rules, code, "answer", answer="换了新灯")
    requests.act(small_street, STAFF, rules, code, "close")
    requests.rate(small_street, code, "满意")
    kinds = [e["kind"] for e in requests.show(small_street, STAFF, code)["events"]]
    assert kinds == [
        "received", "accepted", "transferred", "extended", "answered", "rated",
        "reopened", "answered", "closed", "rated",
    ]  # fmt: skip


def test_forbidden_changes_are_conflicts(small_street, rules) -> None:
    rep = rep_codes(small_street)[0]
    code = _submit(small_street, rules, rep["code"]).tracking_code
    with pytest.raises(Conflict, match="cannot be closed"):
        requests.act(small_street, STAFF, rules, code, "close")
    with pytest.raises(Conflict):
        requests.rate(small_street, code, "满意")
    with pytest.raises(InputError, match="reason"):
        requests.act(small_street, STAFF, rules, code, "accept")
        requests.act(small_street, STAFF, rules, code, "extend", days=3, reason=" ")


def test_event_log_is_append_only(small_street, rules) -> None:
    rep = rep_codes(small_street)[0]
    _submit(small_street, rules, rep["code"])
    small_street.autocommit = True
    with pytest.raises(psycopg2.Error, match="append-only"), small_street.cursor() as cur:
        cur.execute("UPDATE request_event SET kind = 'closed'")
    with pytest.raises(psycopg2.Error, match="append-only"), small_street.cursor() as cur:
        cur.execute("DELETE FROM request_event")


def test_scopes_queue_and_outside(small_street, rules) -> None:
    reps = rep_codes(small_street)
    mine, other = reps[0], next(r for r in reps if r["section"] != reps[0]["section"])
    a = _submit(small_street, rules, mine["code"]).tracking_code
    b = _submit(small_street, rules, other["code"], phone="13900001111").tracking_code
    rep_queue = request_queues.queue(small_street, rep_actor(mine["code"]))
    assert [r["tracking_code"] for r in rep_queue] == [a]
    assert rep_queue[0]["phone"] == "13812345678"  # their own resident, in full
    section = Actor("s", Role.staff, Scope("section", mine["section"]))
    assert [r["tracking_code"] for r in request_queues.queue(small_street, section)] == [a]
    with pytest.raises(NotFound):
        requests.show(small_street, section, b)
    with pytest.raises(NotFound):
        requests.act(small_street, rep_actor(mine["code"]), rules, b, "accept")
    street = request_queues.queue(small_street, STAFF, level="section", code=other["section"])
    assert [r["tracking_code"] for r in street] == [b]
    assert {r["tracking_code"] for r in request_queues.queue(small_street, STAFF)} == {a, b}


def test_resident_view_has_no_other_persons_data(small_street, rules) -> None:
    rep = rep_codes(small_street)[0]
    code = _submit(small_street, rules, rep["code"]).tracking_code
    requests.act(small_street, STAFF, rules, code, "answer", answer="已处理")
    view = request_queues.resident_view(small_street, code.lower())
    assert view.phone == "138****5678" and view.answer == "已处理" and view.can_rate
    assert "test staff" not in repr(view)  # the office's people stay out of it
    with pytest.raises(NotFound):
        request_queues.resident_view(small_street, "ABCDEFGHJK")


def test_bad_input_names_the_field(small_street, rules) -> None:
    rep = rep_codes(small_street)[0]["code"]
    cases = [
        ({"category": "nope"}, "category"),
        ({"text": "  "}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"text": "a\x07b"}, "text"),
        ({"phone": "12345"}, "phone"),
        ({"phone": None}, "phone"),
        ({"lon": 113.1}, "lon/lat"),
        ({"lon": 0.0, "lat": 0.0}, "lon/lat"),
        ({"lon": 113.1, "lat": 27.8, "crs": "utm"}, "crs"),
        ({"household": "H000001"}, "household"),
    ]
    for extra, field in cases:
        with pytest.raises(InputError, match=field):
            _submit(small_street, rules, rep, **extra)
    with pytest.raises(NotFound):
        _submit(small_street, rules, "R-NOPE")


def test_point_places_a_request_without_representative(small_street, rules) -> None:
    home = rows(
        small_street,
        "SELECT ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat, s.code FROM household h"
        " JOIN grid_section s ON s.id = h.section_id LIMIT 1",
    )[0]
    receipt = requests.submit(
        small_street,
        PUBLIC,
        rules,
        Submission("safety", "井盖丢了", phone="13812345678", lon=home["lon"], lat=home["lat"],
                   crs="cgcs2000"),
    )  # fmt: skip
    assert receipt.section == home["code"] and receipt.representative is None


def test_office_registers_for_a_known_household_without_phone(small_street, rules) -> None:
    home = one(small_street, "SELECT h.code, s.code AS section FROM household h"
               " JOIN grid_section s ON s.id = h.section_id LIMIT 1")  # fmt: skip
    assert home is not None
    receipt = requests.submit(
        small_street, STAFF, rules, Submission("assistance", "申请临时救助", household=home["code"])
    )
    case = requests.show(small_street, STAFF, receipt.tracking_code)
    assert case["household_code"] == home["code"] and case["section_code"] == home["section"]
    assert case["phone"] is None and receipt.representative is None
