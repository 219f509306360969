"""Visits (四个一) over HTTP: log one, list them, the shares per level, the overdue list."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.db.frames import records
from gridsvc.services import visits

router = APIRouter(tags=["work"])
Kind = Literal["入户见面", "拉家常", "发放联系卡", "收集问题"]
Code = Annotated[str | None, Query(max_length=100)]


class VisitRequest(BaseModel):
    household: str = Field(min_length=1, max_length=100)
    visited_on: dt.date
    kinds: list[Kind] = Field(min_length=1, max_length=4)
    representative: str | None = Field(None, max_length=100)
    notes: str = Field("", max_length=1000)
    request_ids: list[Annotated[int, Field(gt=0, lt=2**63)]] = Field([], max_length=20)


class VisitOut(BaseModel):
    id: int
    household: str
    representative: str
    visited_on: dt.date
    kinds: list[str]
    notes: str
    request_ids: list[int]
    points_entry: int | None


def _span(since: dt.date | None, until: dt.date | None) -> tuple[dt.date, dt.date]:
    until = until or dt.date.today()
    return since or dt.date(until.year, 1, 1), until


@router.post("/visits", status_code=201, response_model=VisitOut, summary="Log a visit")
def log_visit(body: VisitRequest, actor: AnyCaller, conn: Conn) -> VisitOut:
    done = visits.log_visit(
        conn,
        actor,
        body.household,
        body.visited_on,
        list(body.kinds),
        representative=body.representative,
        notes=body.notes,
        request_ids=body.request_ids,
    )
    return VisitOut(**done.__dict__)


@router.get("/visits", summary="Visits in a span, newest first (representative and up)")
def list_visits(
    actor: AnyCaller,
    conn: Conn,
    since: dt.date | None = None,
    until: dt.date | None = None,
    community: Code = None,
    section: Code = None,
    representative: Code = None,
) -> list[dict]:
    frame = visits.list_visits(
        conn,
        actor,
        *_span(since, until),
        community=community,
        section=section,
        representative=representative,
    )
    return records(frame)


@router.get("/visits/shares", summary="Visited, four-fold and key-household shares per level")
def shares(
    request: Request,
    actor: AnyCaller,
    conn: Conn,
    level: Literal["representative", "group", "section", "community", "street"] = "community",
    since: dt.date | None = None,
    until: dt.date | None = None,
    community: Code = None,
    section: Code = None,
    representative: Code = None,
) -> list[dict]:
    frame = visits.shares(
        conn,
        actor,
        level,
        *_span(since, until),
        key_days=request.app.state.settings.visit_key_days,
        community=community,
        section=section,
        representative=representative,
    )
    return records(frame)


@router.get("/visits/overdue", summary="Households due a visit, in each walking order")
def overdue(
    request: Request,
    actor: AnyCaller,
    conn: Conn,
    representative: Code = None,
    community: Code = None,
    section: Code = None,
) -> list[dict]:
    settings = request.app.state.settings
    frame = visits.overdue(
        conn,
        actor,
        representative=representative,
        community=community,
        section=section,
        key_days=settings.visit_key_days,
        other_days=settings.visit_overdue_days,
    )
    return records(frame)
