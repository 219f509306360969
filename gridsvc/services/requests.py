"""Residents' requests (诉求): submitting one, following it, and the office's actions on it."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from gridsvc.access import Actor, Role, apply_record
from gridsvc.db import points as points_store
from gridsvc.db import requests as store
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import InputError, NotFound
from gridsvc.ingest.photos import clean_photo
from gridsvc.services.audit_trail import record_read
from gridsvc.services.guard import require_role, safe_text
from gridsvc.services.request_intake import (
    MAX_TEXT,
    Submission,
    check_limits,
    checked,
    client_hash,
    place_of,
)
from gridsvc.services.request_people import assignee_for
from gridsvc.services.request_rules import (
    EVENT,
    RATINGS,
    STATUS_TEXT,
    RequestRules,
    check_tier,
    next_status,
)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud on the phone


def local_today() -> dt.date:
    """Today in China (deadlines are days of the office's calendar)."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()


@dataclass(frozen=True)
class Receipt:
    tracking_code: str
    deadline: dt.date
    status: str
    tier: str
    category: str
    representative: str | None
    section: str
    photos: int
    warning: str | None = None


def submit(conn: Connection, actor: Actor, rules: RequestRules, s: Submission) -> Receipt:
    """Register a request: placed, photos cleaned, a tracking code and a deadline (一般 until
    the office sets the tier), the 'received' event. Abuse limits apply to the public."""
    with transaction(conn):
        s = checked(s, {c["code"] for c in store.categories(conn)})
        if not s.phone and not (s.household and actor.at_least(Role.representative)):
            raise InputError("phone: leave a phone number for the reply")
        photos = [
            clean_photo(raw, field=f"photos[{i}]", max_bytes=rules.photo_bytes)
            for i, raw in enumerate(s.photos)
        ]
        place = place_of(conn, actor, s)
        if actor.role == Role.public:
            check_limits(conn, rules, s, place.get("representative_id"))
        today = local_today()
        deadline = rules.deadline(today, "一般")
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        request_id = store.insert_request(
            conn,
            {
                **place,
                "tracking_code": code,
                "phone": s.phone,
                "category": s.category,
                "text": s.text,
                "deadline": deadline,
                "source": s.source,
                "client_hash": client_hash(s.client),
                "lon": s.lon,
                "lat": s.lat,
            },
        )
        for n, photo in enumerate(photos, start=1):
            store.insert_photo(
                conn, request_id, n, photo.mime, photo.width, photo.height, photo.data
            )
        store.add_event(conn, request_id, "received", actor.name, actor.role.name, {})
        row = store.case(conn, code)
        assert row is not None
    return Receipt(
        code,
        deadline,
        "received",
        "一般",
        s.category,
        row["rep_code"],
        row["section_code"],
        len(photos),
        rules.warning(today, deadline),
    )


def _case_in_scope(conn: Connection, actor: Actor, code: str, *, lock: bool = False) -> dict:
    row = store.case(conn, code, lock=lock)
    if row is None or not actor.scope.covers(
        row["community_code"], row["section_code"], row["rep_code"]
    ):
        # outside the scope it is as if it did not exist: no probing of others' codes
        raise NotFound(f"request {code}: no such request in your scope")
    return row


def act(
    conn: Connection,
    actor: Actor,
    rules: RequestRules,
    code: str,
    action: str,
    *,
    tier: str | None = None,
    department: str | None = None,
    days: int | None = None,
    reason: str | None = None,
    answer: str | None = None,
    assignee: str | None = None,
) -> dict[str, Any]:
    """One of the office's actions (accept, transfer, extend, answer, close, reopen) on a
    request in the actor's scope; the event is logged with its detail. A transfer goes to a
    department, or to a person (an account whose scope covers the request: a section's grid
    worker or petition agent), whose own queue it then joins. Returns the case."""
    require_role(actor, Role.representative, f"{action} a request")
    if action == "rate":
        raise InputError("action rate: residents rate through their tracking code")
    with transaction(conn):
        row = _case_in_scope(conn, actor, code, lock=True)
        status = next_status(row["status"], action)
        changes: dict[str, Any] = {"status": status}
        detail: dict[str, Any] = {}
        today = local_today()
        received = (row["received_at"] + dt.timedelta(hours=8)).date()
        if action == "accept":
            chosen = check_tier(tier or row["tier"])
            changes.update(tier=chosen, deadline=rules.deadline(received, chosen))
            detail = {"tier": chosen, "deadline": changes["deadline"].isoformat()}
        elif action == "transfer":
            changes["department"] = safe_text(
                (department or "").strip(), field="department", max_length=100
            )
            if assignee:
                changes["assignee"] = assignee_for(conn, row, assignee)
                changes["department"] = changes["department"] or "网格员"
            if not changes["department"]:
                raise InputError("department: name the department (or the person) it goes to")
            detail = {"department": changes["department"], "assignee": changes.get("assignee")}
        elif action == "extend":
            why = safe_text((reason or "").strip(), field="reason", max_length=500)
            if not why:
                raise InputError("reason: an extension needs a reason")
            changes["deadline"] = rules.extended(row["deadline"], days or 0)
            detail = {"days": days, "reason": why, "deadline": changes["deadline"].isoformat()}
        elif action == "answer":
            text = safe_text((answer or "").strip(), field="answer", max_length=MAX_TEXT)
            if not text:
                raise InputError("answer: write the answer the resident will read")
            changes.update(answer=text, answered_at=dt.datetime.now(dt.UTC))
            detail = {"answer": text}
            if row["representative_id"] is not None and today <= row["deadline"]:
                _points_for_an_answer_on_time(conn, actor, row, today)
        elif action == "close":
            changes["closed_at"] = dt.datetime.now(dt.UTC)
        elif action == "reopen":
            why = safe_text((reason or "").strip(), field="reason", max_length=500)
            changes.update(
                reopened=row["reopened"] + 1,
                deadline=rules.deadline(today, row["tier"]),
                answered_at=None,
                closed_at=None,
                rating=None,
            )
            detail = {"reason": why, "deadline": changes["deadline"].isoformat()}
        store.update(conn, row["id"], changes)
        store.add_event(conn, row["id"], EVENT[action], actor.name, actor.role.name, detail)
        return show(conn, actor, code)


def _points_for_an_answer_on_time(
    conn: Connection, actor: Actor, row: dict[str, Any], day: dt.date
) -> None:
    """The representative earns the 'request answered on time' task's points (积分), once per
    request (a reopened request answered again counts no more), within the task's cap."""
    task = points_store.task(conn, event="request_on_time")
    if task is not None:
        points_store.award(
            conn,
            int(row["representative_id"]),
            task,
            day,
            actor=actor.name,
            source=f"request:{row['id']}",
        )


def rate(conn: Connection, code: str, rating: str) -> None:
    """The resident's rating of the answer (anyone holding the tracking code)."""
    if rating not in RATINGS:
        raise InputError(f"rating {rating!r}: choose {', '.join(RATINGS)}")
    with transaction(conn):
        row = store.case(conn, code, lock=True)
        if row is None:
            raise NotFound(f"request {code}: no such request")
        next_status(row["status"], "rate")
        store.update(conn, row["id"], {"rating": rating})
        store.add_event(conn, row["id"], "rated", "resident", "public", {"rating": rating})


def seen(actor: Actor, row: dict[str, Any]) -> dict[str, Any]:
    """A case as `actor` may see it (the resident's phone and text are personal)."""
    out = apply_record(
        actor,
        row,
        {
            "phone": ("request.phone", "phone"),
            "text": ("request.text", "text"),
            "lon": ("household.point", "coordinate"),
            "lat": ("household.point", "coordinate"),
        },
    )
    out.pop("id", None)
    out["status_text"] = STATUS_TEXT[out["status"]]
    return out


def show(conn: Connection, actor: Actor, code: str) -> dict[str, Any]:
    """A case with its events, for the office (audited: it carries the resident's data)."""
    require_role(actor, Role.viewer, "read a request")
    row = _case_in_scope(conn, actor, code)
    case = seen(actor, row)
    case["events"] = store.events(conn, row["id"])
    record_read(conn, actor, "requests.show", code, 1)
    return case


def categories(conn: Connection) -> list[dict[str, Any]]:
    """The categories residents choose from (the office's configurable list)."""
    return store.categories(conn)


def photo(conn: Connection, code: str, n: int) -> tuple[str, bytes]:
    """A request's photo (re-encoded when stored) for whoever holds its tracking code."""
    found = store.photo(conn, code.strip().upper(), n)
    if found is None:
        raise NotFound(f"photo {n} of request {code[:20]}: none")
    return str(found["mime"]), bytes(found["data"])
