"""Following requests: the resident's own view, the office's queues, overdue and due-soon
lists and the representative's daily digest, each scoped by the caller and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gridsvc.access import PUBLIC, REP_COLUMNS, Actor, Role, apply_record, mask_phone
from gridsvc.db import requests as store
from gridsvc.db.connection import Connection
from gridsvc.errors import InputError, NotFound
from gridsvc.services.audit_trail import record_read
from gridsvc.services.guard import require_role
from gridsvc.services.request_rules import DONE, OPEN, STATUS_TEXT, RequestRules
from gridsvc.services.requests import local_today, seen

LEVELS = ("street", "community", "section", "group", "representative")
# what the resident sees of each event: what happened, never who in the office did it
EVENT_TEXT = {
    "received": "已登记",
    "accepted": "已受理",
    "transferred": "已转办",
    "extended": "已延期",
    "answered": "已答复",
    "rated": "已评价",
    "closed": "已办结",
    "reopened": "已重新办理",
}


@dataclass(frozen=True)
class ResidentView:
    tracking_code: str
    category: str
    text: str
    phone: str | None
    status: str
    status_text: str
    tier: str
    deadline: dt.date
    received_at: dt.datetime
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    answer: str | None
    rating: str | None
    can_rate: bool
    photos: int
    representative: str | None
    rep_phone: str | None
    section: str
    events: list[dict[str, Any]]


def resident_view(conn: Connection, code: str) -> ResidentView:
    """What the holder of a tracking code sees: their own request (phone masked), the answer,
    the steps, and their representative's published contact; nobody else's data."""
    row = store.case(conn, code.strip().upper())
    if row is None:
        raise NotFound(f"request {code[:20]}: no such tracking code")
    rep = store.representative_place(conn, row["rep_code"]) if row["rep_code"] else None
    contact = apply_record(PUBLIC, rep, REP_COLUMNS) if rep else {}
    steps = []
    for e in store.events(conn, row["id"]):
        step = {"at": e["at"], "kind": e["kind"], "text": EVENT_TEXT[e["kind"]]}
        for key in ("department", "deadline", "reason", "rating", "tier"):
            if key in e["detail"]:
                step[key] = e["detail"][key]
        steps.append(step)
    return ResidentView(
        tracking_code=row["tracking_code"],
        category=row["category_name"],
        text=row["text"],
        phone=mask_phone(row["phone"]),
        status=row["status"],
        status_text=STATUS_TEXT[row["status"]],
        tier=row["tier"],
        deadline=row["deadline"],
        received_at=row["received_at"],
        answered_at=row["answered_at"],
        closed_at=row["closed_at"],
        answer=row["answer"],
        rating=row["rating"],
        can_rate=row["status"] in DONE and row["rating"] is None,
        photos=int(row["photos"]),
        representative=contact.get("name"),
        rep_phone=contact.get("phone"),
        section=row["section_name"],
        events=steps,
    )


def _place(actor: Actor, level: str | None, code: str | None) -> tuple[str | None, str | None]:
    """The place asked for, or the actor's own scope when none is named."""
    if level is None or level == "street":
        if actor.scope.level == "street":
            return None, None
        return actor.scope.level, actor.scope.code
    if level not in LEVELS:
        raise InputError(f"level {level!r}: choose {', '.join(LEVELS)}")
    if not code:
        raise InputError(f"code: a {level} queue names its {level}")
    return level, code


def queue(
    conn: Connection,
    actor: Actor,
    *,
    level: str | None = None,
    code: str | None = None,
    status: str = "open",
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Requests of a place (default: the caller's scope) by status ('open', 'done', 'all' or
    one status), earliest deadline first; only what lies in the caller's scope."""
    require_role(actor, Role.viewer, "list requests")
    if not 1 <= limit <= 1000 or offset < 0:
        raise InputError("limit: 1 to 1000; offset: 0 or more")
    statuses = {"open": OPEN, "done": DONE, "all": None}.get(status, (status,))
    if statuses and not set(statuses) <= set(STATUS_TEXT):
        raise InputError(f"status {status!r}: open, done, all or one of {', '.join(STATUS_TEXT)}")
    where, what = _place(actor, level, code)
    found = store.cases(conn, level=where, code=what, statuses=statuses, limit=limit, offset=offset)
    return _visible(conn, actor, found, f"requests.queue {where or 'street'}:{what or ''}")


def _visible(conn: Connection, actor: Actor, found: list[dict], action: str) -> list[dict]:
    inside = [
        seen(actor, r)
        for r in found
        if actor.scope.covers(r["community_code"], r["section_code"], r["rep_code"])
    ]
    record_read(conn, actor, action, ",".join(r["tracking_code"] for r in inside[:50]), len(inside))
    return inside


def overdue(conn: Connection, actor: Actor, today: dt.date | None = None) -> list[dict]:
    """Open requests past their deadline in the caller's scope (催办督办)."""
    require_role(actor, Role.viewer, "list overdue requests")
    day = today or local_today()
    where, what = _place(actor, None, None)
    found = store.cases(
        conn, level=where, code=what, statuses=OPEN, due_by=day - dt.timedelta(days=1)
    )
    return _visible(conn, actor, found, "requests.overdue")


def due_soon(
    conn: Connection, actor: Actor, rules: RequestRules, today: dt.date | None = None
) -> list[dict]:
    """Open requests due within the warning (rules.warn_days working days), not yet late."""
    require_role(actor, Role.viewer, "list requests due soon")
    day = today or local_today()
    until = rules.calendar.add_workdays(day, rules.warn_days)
    where, what = _place(actor, None, None)
    found = store.cases(conn, level=where, code=what, statuses=OPEN, due_by=until)
    return _visible(conn, actor, [r for r in found if r["deadline"] >= day], "requests.due_soon")


DIGEST_COLUMNS = [
    "tracking_code",
    "status_text",
    "tier",
    "category_name",
    "deadline",
    "days_left",
    "phone",
    "text",
    "group_name",
    "received_at",
]


def digest(
    conn: Connection, actor: Actor, rules: RequestRules, rep: str, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """A representative's open requests for the day, with working days left (negative: late)."""
    require_role(actor, Role.viewer, "read a representative's digest")
    day = today or local_today()
    if store.representative_place(conn, rep) is None:
        raise NotFound(f"representative {rep}: no such representative")
    found = store.cases(conn, level="representative", code=rep, statuses=OPEN, limit=1000)
    out = []
    for r in _visible(conn, actor, found, f"requests.digest {rep}"):
        r["days_left"] = rules.calendar.workdays_between(day, r["deadline"])
        r["received_at"] = r["received_at"].isoformat(timespec="minutes")
        out.append({k: r[k] for k in DIGEST_COLUMNS})
    return out
