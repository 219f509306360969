"""Requests and the organisation's people: a transfer to a grid worker's or petition agent's
own queue, and the escalation of overdue requests to the section chief, then the director."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from gridsvc.access import Actor, Role, Scope
from gridsvc.db import people, users
from gridsvc.db import requests as store
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import InputError
from gridsvc.services.guard import require_role, safe_text
from gridsvc.services.request_rules import OPEN, RequestRules

DIRECTOR_AFTER_WORKDAYS = 5  # overdue this long under the chief: the director is told


@dataclass(frozen=True)
class Escalation:
    tracking_code: str
    to: str  # 片区网格长 or 总网格长
    person: str | None  # who holds that role now (None: nobody, a gap)
    section_code: str


def assignee_for(conn: Connection, row: dict[str, Any], name: str) -> str:
    """The account a request may be transferred to: active, and scoped to (or above) the
    request's section."""
    safe_text(name, field="assignee", max_length=50)
    account = users.find_user(conn, name)
    if account is None or account["disabled_at"] is not None:
        raise InputError(f"assignee {name!r}: no such active account")
    scope = Scope.parse(account["scope"])
    if scope.level == "representative" or not scope.covers(
        row["community_code"], row["section_code"]
    ):
        raise InputError(f"assignee {name!r}: their scope ({scope}) does not cover this request")
    return str(account["name"])


def my_queue(conn: Connection, actor: Actor) -> list[dict[str, Any]]:
    """The open requests transferred to the caller (a grid worker's or agent's own queue)."""
    require_role(actor, Role.viewer, "list requests")
    return store.cases(conn, statuses=OPEN, assignee=actor.name)


def escalate_overdue(
    conn: Connection, actor: Actor, rules: RequestRules, today: dt.date
) -> list[Escalation]:
    """Overdue requests go up: to the section's chief when past the deadline, to the
    community's director when still open DIRECTOR_AFTER_WORKDAYS working days later; each
    step is an 'escalated' event naming the person (or the gap) and happens once."""
    require_role(actor, Role.staff, "escalate overdue requests")
    done: list[Escalation] = []
    serving: dict[str, pd.DataFrame] = {}  # who serves each section, read once per section
    with transaction(conn):
        late = store.cases(conn, statuses=OPEN, due_by=today - dt.timedelta(days=1), limit=100_000)
        for row in late:
            if not actor.scope.covers(row["community_code"], row["section_code"]):
                continue
            behind = rules.calendar.workdays_between(row["deadline"], today)
            to = "总网格长" if behind > DIRECTOR_AFTER_WORKDAYS else "片区网格长"
            if row["escalation"] == to or (row["escalation"] == "总网格长"):
                continue
            area = row["community_code"] if to == "总网格长" else row["section_code"]
            section = row["section_code"]
            if section not in serving:
                serving[section] = people.people(conn, section=section)
            holders = serving[section]
            held = holders[(holders["role"] == to) & (holders["area_code"] == area)]
            person = str(held["name"].iloc[0]) if len(held) else None
            store.update(conn, row["id"], {"escalation": to})
            store.add_event(
                conn,
                row["id"],
                "escalated",
                actor.name,
                actor.role.name,
                {"to": to, "person": person, "workdays_late": behind},
            )
            done.append(Escalation(row["tracking_code"], to, person, row["section_code"]))
    return done
