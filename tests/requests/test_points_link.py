"""A request answered on time earns its representative the task's points, once."""

from __future__ import annotations

from gridsvc.access import Actor, Role
from gridsvc.db.connection import Connection
from gridsvc.db.frames import read_frame
from gridsvc.services import requests
from gridsvc.services.request_intake import Submission
from gridsvc.services.request_rules import rules_from
from gridsvc.settings import Settings


def test_an_answer_on_time_earns_points_once(small_street: Connection) -> None:
    code = str(read_frame(small_street, "SELECT min(code) AS c FROM representative")["c"][0])
    rules = rules_from(Settings())
    made = requests.submit(
        small_street,
        Actor("resident", Role.public, via="test"),
        rules,
        Submission("sanitation", "楼道灯坏了", representative=code, phone="13900001234"),
    )
    staff = Actor("staff", Role.staff)
    for action, extra in (
        ("accept", {"tier": "一般"}),
        ("answer", {"answer": "已修好"}),
        ("close", {}),
        ("reopen", {"reason": "又坏了"}),
        ("answer", {"answer": "换了新灯"}),
    ):
        requests.act(small_street, staff, rules, made.tracking_code, action, **extra)
    entries = read_frame(
        small_street,
        "SELECT e.points, e.source FROM point_entry e JOIN point_task t ON t.code = e.task_code"
        " WHERE t.event = 'request_on_time'",
    )
    assert len(entries) == 1 and float(entries["points"][0]) > 0
