"""Open311 GeoReport v2: the request categories as services, and requests as anyone may see
them (category, status, section and dates; never the resident's text, phone or point)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gridsvc.access import Actor
from gridsvc.db import requests as store
from gridsvc.db.connection import Connection
from gridsvc.errors import InputError, NotFound
from gridsvc.services.request_intake import Submission
from gridsvc.services.request_rules import STATUS_TEXT, RequestRules
from gridsvc.services.requests import Receipt, submit

# GeoReport v2's fields of a service request; those this view leaves empty carry personal
# data here (description, address, lat/long, media) or belong to the office (agency)
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MAX_LIMIT = 1000


def services(conn: Connection) -> list[dict[str, Any]]:
    """The categories as GeoReport services (no extra attributes: metadata false)."""
    return [
        {
            "service_code": c["code"],
            "service_name": c["name"],
            "description": f"居民诉求：{c['name']}",
            "metadata": False,
            "type": "realtime",
            "keywords": "诉求,居民代表",
            "group": "居民诉求",
        }
        for c in store.categories(conn)
    ]


def _public(row: dict[str, Any]) -> dict[str, Any]:
    deadline = dt.datetime.combine(row["deadline"], dt.time(23, 59, 59), SHANGHAI)
    record = dict.fromkeys(REQUEST_FIELDS)
    record.update(
        service_request_id=str(row["id"]),
        status="closed" if row["status"] in ("answered", "closed") else "open",
        status_notes=STATUS_TEXT[row["status"]],
        service_name=row["category_name"],
        service_code=row["category"],
        requested_datetime=row["received_at"].isoformat(timespec="seconds"),
        updated_datetime=row["updated_at"].isoformat(timespec="seconds"),
        expected_datetime=deadline.isoformat(),
        address=row["section_name"],
        address_id=row["section_code"],
    )
    return record


def _when(text: str | None, name: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        found = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{name}: a W3C date-time, e.g. 2026-01-31T08:00:00+08:00") from None
    return found if found.tzinfo else found.replace(tzinfo=SHANGHAI)


def requests(
    conn: Connection,
    *,
    ids: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Requests as GeoReport v2 lists them (newest first; by default the last 90 days)."""
    wanted = None
    if ids:
        try:
            wanted = [int(part) for part in ids.split(",") if part.strip()]
        except ValueError:
            raise InputError("service_request_id: comma-separated numbers") from None
    statuses = None
    if status:
        chosen = {s.strip() for s in status.split(",")}
        if not chosen <= {"open", "closed"}:
            raise InputError("status: open, closed or both")
        statuses = tuple(
            s
            for s in STATUS_TEXT
            if ("closed" if s in ("answered", "closed") else "open") in chosen
        )
    start, end = _when(start_date, "start_date"), _when(end_date, "end_date")
    if wanted is None and start is None and end is None:
        start = dt.datetime.now(SHANGHAI) - dt.timedelta(days=90)
    found = store.public_cases(
        conn,
        ids=wanted,
        category=service_code,
        start=start,
        end=end,
        statuses=statuses,
        limit=max(1, min(limit, MAX_LIMIT)),
    )
    return [_public(r) for r in found]


def one(conn: Connection, request_id: str) -> list[dict[str, Any]]:
    if not request_id.isdigit() or len(request_id) > 18:
        raise NotFound(f"service request {request_id[:20]}: no such request")
    found = store.public_cases(conn, ids=[int(request_id)])
    if not found:
        raise NotFound(f"service request {request_id}: no such request")
    return [_public(found[0])]


def post(
    conn: Connection, actor: Actor, rules: RequestRules, form: dict[str, str], client: str | None
) -> list[dict[str, Any]]:
    """A GeoReport POST: service_code, description, phone, lat/long (WGS-84) and an optional
    attribute[representative]; answered with the id and the tracking code as `token`."""
    receipt: Receipt = submit(
        conn,
        actor,
        rules,
        Submission(
            category=form.get("service_code", ""),
            text=form.get("description", ""),
            representative=form.get("attribute[representative]") or None,
            phone=form.get("phone") or None,
            lon=_float(form.get("long"), "long"),
            lat=_float(form.get("lat"), "lat"),
            crs="wgs84",
            client=client,
            source="open311",
        ),
    )
    found = store.case(conn, receipt.tracking_code)
    assert found is not None
    return [
        {
            "service_request_id": str(found["id"]),
            "token": receipt.tracking_code,
            "service_notice": f"请凭跟踪码 {receipt.tracking_code} 查询办理进度；"
            f"办理期限 {receipt.deadline.isoformat()}",
            "account_id": None,
        }
    ]


def _float(text: str | None, name: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{name}: not a number") from None
