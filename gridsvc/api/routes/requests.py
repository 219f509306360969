"""Residents' requests: submit, follow and rate (public, by tracking code); queues, actions,
lists, digests and roll-ups for representatives and the office."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import asdict
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.api.request_forms import read_submission, rules
from gridsvc.cells import neutralise_frame
from gridsvc.services import request_figures, request_people, request_queues, requests
from gridsvc.services.request_rules import RequestRules
from gridsvc.services.requests import local_today, seen

router = APIRouter(prefix="/requests", tags=["requests"])
Rules = Annotated[RequestRules, Depends(rules)]


class ReceiptOut(BaseModel):
    tracking_code: str
    deadline: dt.date = Field(description="the last working day (一般 until the office sets it)")
    status: str
    tier: str
    category: str
    representative: str | None
    section: str
    photos: int
    warning: str | None = Field(None, description="set when the year has no holiday data")


class ActionIn(BaseModel):
    tier: Literal["当场", "一般", "重大"] | None = Field(None, description="accept")
    department: str | None = Field(None, description="transfer: the department")
    assignee: str | None = Field(
        None, max_length=50, description="transfer: an account (a grid worker, an agent)"
    )
    days: int | None = Field(None, description="extend: working days to add (1–66)")
    reason: str | None = Field(None, description="extend, reopen: why")
    answer: str | None = Field(None, description="answer: what the resident reads")


class RatingIn(BaseModel):
    rating: Literal["满意", "基本满意", "不满意"]


@router.post("", status_code=201, response_model=ReceiptOut, summary="Submit a request")
async def submit(request: Request, conn: Conn, actor: AnyCaller, given: Rules) -> Any:
    """JSON (`SubmissionIn`) or multipart/form-data with up to three `photos` files."""
    submission = await read_submission(request, source="api")
    return asdict(await run_in_threadpool(requests.submit, conn, actor, given, submission))


@router.get("/categories", summary="The categories residents choose from")
def categories(conn: Conn) -> list[dict[str, Any]]:
    return requests.categories(conn)


@router.get("", summary="A queue: requests of a place in your scope (viewer and above)")
def queue(
    conn: Conn,
    actor: AnyCaller,
    level: Annotated[
        str | None, Query(description="community, section, group, representative")
    ] = None,
    code: str | None = None,
    status: str = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    return request_queues.queue(
        conn, actor, level=level, code=code, status=status, limit=limit, offset=offset
    )


@router.get("/overdue", summary="Open requests past their deadline (催办督办)")
def overdue(conn: Conn, actor: AnyCaller) -> list[dict[str, Any]]:
    return request_queues.overdue(conn, actor)


@router.get("/mine", summary="Open requests transferred to you (a grid worker's queue)")
def mine(conn: Conn, actor: AnyCaller) -> list[dict[str, Any]]:
    return [seen(actor, r) for r in request_people.my_queue(conn, actor)]


@router.post("/escalate", summary="Overdue requests go to the section chief, then the director")
def escalate(conn: Conn, actor: AnyCaller, given: Rules) -> list[dict[str, Any]]:
    return [vars(e) for e in request_people.escalate_overdue(conn, actor, given, local_today())]


@router.get("/due-soon", summary="Open requests due within the warning")
def due_soon(conn: Conn, actor: AnyCaller, given: Rules) -> list[dict[str, Any]]:
    return request_queues.due_soon(conn, actor, given)


@router.get("/figures", summary="Roll-up per place at one of the five levels")
def figures(
    conn: Conn,
    actor: AnyCaller,
    level: str = "street",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[dict[str, Any]]:
    found = request_figures.rollup(conn, actor, level, since=since, until=until)
    return [asdict(f) for f in found]


@router.get("/digest/{representative}", summary="A representative's open requests today")
def digest(
    representative: str,
    conn: Conn,
    actor: AnyCaller,
    given: Rules,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    found = request_queues.digest(conn, actor, given, representative)
    if format == "json":
        return found
    frame = neutralise_frame(pd.DataFrame(found, columns=request_queues.DIGEST_COLUMNS))
    name = f"digest-{representative}-{requests.local_today().isoformat()}"
    if format == "csv":
        body = frame.to_csv(index=False).encode("utf-8-sig")
        kind = "text/csv; charset=utf-8"
    else:
        buffer = io.BytesIO()
        frame.to_excel(buffer, index=False)
        body = buffer.getvalue()
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    headers = {"Content-Disposition": f'attachment; filename="{name}.{format}"'}
    return Response(body, media_type=kind, headers=headers)


@router.get("/{tracking_code}", summary="The resident's view of their request")
def follow(tracking_code: str, conn: Conn) -> dict[str, Any]:
    return asdict(request_queues.resident_view(conn, tracking_code))


@router.get("/{tracking_code}/photos/{n}", summary="A photo of the request (re-encoded)")
def photo(tracking_code: str, n: int, conn: Conn) -> Response:
    mime, data = requests.photo(conn, tracking_code, n)
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=mime, headers=headers)


@router.post("/{tracking_code}/rating", status_code=204, summary="The resident rates the answer")
def rate(tracking_code: str, body: RatingIn, conn: Conn) -> Response:
    requests.rate(conn, tracking_code.strip().upper(), body.rating)
    return Response(status_code=204)


@router.get("/{tracking_code}/case", summary="The case with its events (viewer and above)")
def case(tracking_code: str, conn: Conn, actor: AnyCaller) -> dict[str, Any]:
    return requests.show(conn, actor, tracking_code)


@router.post("/{tracking_code}/{action}", summary="accept, transfer, extend, answer, close, reopen")
def act(
    tracking_code: str,
    action: Literal["accept", "transfer", "extend", "answer", "close", "reopen"],
    conn: Conn,
    actor: AnyCaller,
    given: Rules,
    body: ActionIn | None = None,
) -> dict[str, Any]:
    fields = body.model_dump() if body else {}
    return requests.act(conn, actor, given, tracking_code, action, **fields)
