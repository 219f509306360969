"""Requests reach the organisation's people: a transfer joins a grid worker's own queue, and
an overdue request escalates to the section chief, then to the community's director."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from gridsvc.access import Actor, Role, Scope
from gridsvc.db.connection import Connection
from gridsvc.db.frames import read_frame
from gridsvc.errors import InputError
from gridsvc.services import people, request_people, requests, users
from gridsvc.services.request_intake import Submission
from gridsvc.services.request_rules import rules_from
from gridsvc.settings import Settings
from tests.helpers import PLANNER
from tests.services.test_people import street_roster


def test_transfer_to_a_grid_worker_then_escalation(
    small_street: Connection, small_street_folder: Path, tmp_path: Path
) -> None:
    roster = street_roster(small_street_folder)
    roster.to_csv(tmp_path / "roster.csv", index=False)
    people.import_roster(small_street, PLANNER, tmp_path / "roster.csv")
    rep = read_frame(
        small_street,
        "SELECT r.code, s.code AS section FROM representative r JOIN resident_group g"
        " ON g.id = r.group_id JOIN grid_section s ON s.id = g.section_id ORDER BY r.code LIMIT 1",
    ).iloc[0]
    section = str(rep["section"])
    users.add_user(small_street, PLANNER, "worker1", Role.staff, Scope("section", section),
                   "a long password 1")  # fmt: skip
    rules = rules_from(Settings())
    made = requests.submit(
        small_street,
        Actor("resident", Role.public, via="test"),
        rules,
        Submission(
            "sanitation", "垃圾没人清", representative=str(rep["code"]), phone="13900004321"
        ),
    )
    staff = Actor("office", Role.staff)
    requests.act(small_street, staff, rules, made.tracking_code, "accept", tier="一般")
    with pytest.raises(InputError, match="no such active account"):
        requests.act(small_street, staff, rules, made.tracking_code, "transfer", assignee="nobody")
    requests.act(small_street, staff, rules, made.tracking_code, "transfer", assignee="worker1")
    worker = Actor("worker1", Role.staff, Scope("section", section))
    assert [r["tracking_code"] for r in request_people.my_queue(small_street, worker)] == [
        made.tracking_code
    ]
    deadline = read_frame(
        small_street, "SELECT deadline FROM request WHERE tracking_code = %s",
        (made.tracking_code,),
    )["deadline"][0]  # fmt: skip
    chief = roster[(roster["职务"] == "片区网格长") & (roster["所属网格编码"] == section)]
    day_after = rules.calendar.add_workdays(deadline, 1)
    first = request_people.escalate_overdue(small_street, staff, rules, day_after)
    assert [(e.tracking_code, e.to, e.person) for e in first] == [
        (made.tracking_code, "片区网格长", chief["姓名"].iloc[0])
    ]
    assert request_people.escalate_overdue(small_street, staff, rules, day_after) == []  # once
    later = rules.calendar.add_workdays(deadline, 8)
    second = request_people.escalate_overdue(small_street, staff, rules, later)
    assert [e.to for e in second] == ["总网格长"] and second[0].person
    events = read_frame(
        small_street,
        "SELECT e.kind, e.detail->>'to' AS to FROM request_event e JOIN request q"
        " ON q.id = e.request_id WHERE q.tracking_code = %s ORDER BY e.id",
        (made.tracking_code,),
    )
    assert list(events["kind"]) == [
        "received", "accepted", "transferred", "escalated", "escalated"
    ]  # fmt: skip
    assert list(events["to"].dropna()) == ["片区网格长", "总网格长"]
    assert isinstance(deadline, dt.date) and pd.notna(deadline)
