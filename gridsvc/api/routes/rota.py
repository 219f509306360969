"""The reception rota (逢6接待) over HTTP: make it, read it, .ics feeds, the month's page,
attendance."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.db.frames import records
from gridsvc.services import rota

router = APIRouter(tags=["work"])
Year = Annotated[int | None, Query(ge=2000, le=2100)]
ICS = "text/calendar; charset=utf-8"


class Attendance(BaseModel):
    station: str = Field(min_length=1, max_length=100)
    day: dt.date
    representative: str = Field(min_length=1, max_length=100)
    attended: bool = True
    residents: int = Field(0, ge=0, le=1000)
    request_ids: list[Annotated[int, Field(gt=0, lt=2**63)]] = Field([], max_length=100)


class Unavailable(BaseModel):
    days: list[dt.date] = Field(min_length=1, max_length=366)


@router.post("/rota", status_code=201, summary="Make a year's rota for every station (staff)")
def make(
    request: Request, actor: AnyCaller, conn: Conn, year: Annotated[int, Query(ge=2000, le=2100)]
) -> dict:
    made = rota.make_rota(conn, actor, year, per_day=request.app.state.settings.rota_per_day)
    return made.__dict__


@router.get("/rota", summary="Who is on duty where and when")
def duties(
    actor: AnyCaller,
    conn: Conn,
    start: dt.date,
    end: dt.date,
    station: Annotated[str | None, Query(max_length=100)] = None,
    community: Annotated[str | None, Query(max_length=100)] = None,
) -> list[dict]:
    frame = rota.duties(conn, actor, start, end, station=station, community=community)
    return records(frame.drop(columns=["request_ids"]))


@router.get("/rota/{month}", response_class=HTMLResponse, summary="A month's printable rota")
def month_page(
    month: Annotated[str, Path(max_length=7)],
    actor: AnyCaller,
    conn: Conn,
    community: Annotated[str | None, Query(max_length=100)] = None,
) -> str:
    return rota.month_page(conn, actor, month, community)


@router.get("/stations", summary="Reception stations")
def stations(actor: AnyCaller, conn: Conn) -> list[dict]:
    return records(rota.stations(conn, actor))


@router.get("/representatives/{code}/rota.ics", summary="A representative's duties (.ics)")
def representative_ics(code: str, actor: AnyCaller, conn: Conn, year: Year = None) -> Response:
    feed = rota.representative_ics(conn, actor, code, year or dt.date.today().year)
    return Response(feed, media_type=ICS)


@router.get("/stations/{code}/rota.ics", summary="A station's receptions (.ics)")
def station_ics(code: str, actor: AnyCaller, conn: Conn, year: Year = None) -> Response:
    return Response(
        rota.station_ics(conn, actor, code, year or dt.date.today().year), media_type=ICS
    )


@router.post("/receptions/attendance", summary="Record who came and whom they received")
def attend(body: Attendance, actor: AnyCaller, conn: Conn) -> dict:
    done = rota.record_attendance(
        conn,
        actor,
        body.station,
        body.day,
        body.representative,
        attended=body.attended,
        residents=body.residents,
        request_ids=body.request_ids,
    )
    return done.__dict__


@router.post("/representatives/{code}/unavailable", status_code=204, summary="Dates off the rota")
def unavailable(code: str, body: Unavailable, actor: AnyCaller, conn: Conn) -> None:
    rota.set_unavailable(conn, actor, code, body.days)
