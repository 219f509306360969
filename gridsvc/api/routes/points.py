"""Points (积分) over HTTP: a representative's points, totals and ranks, staff entries,
corrections, and the community's notice board (阳光栏) as HTML and A3 PDF."""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.db.frames import records
from gridsvc.services import points

router = APIRouter(tags=["work"])
PeriodQuery = Annotated[
    str | None, Query(max_length=20, description="2026, 2026-03, 2026Q1, 2022-2026")
]
_chromium_lock = threading.Lock()  # one Chromium at a time on a small machine


class StaffEntry(BaseModel):
    representative: str = Field(min_length=1, max_length=100)
    task: str = Field(min_length=1, max_length=20)
    day: dt.date
    reason: str = Field(min_length=1, max_length=500)


class Correction(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class Entry(BaseModel):
    id: int | None
    added: bool


@router.get("/representatives/{code}/points", summary="A representative's points and ranks")
def representative_points(
    code: str, actor: AnyCaller, conn: Conn, period: PeriodQuery = None
) -> dict:
    found = points.representative_points(conn, actor, code, points.parse_period(period))
    return {
        "code": found.code,
        "name": found.name,
        "period": found.period.label,
        "start": found.period.start,
        "end": found.period.end,
        "points": found.points,
        "ranks": {
            "group": found.group_rank,
            "section": found.section_rank,
            "community": found.community_rank,
        },
        "entries": records(found.entries),
    }


@router.get("/points", summary="Every representative's points in a period, with ranks")
def totals(
    actor: AnyCaller,
    conn: Conn,
    period: PeriodQuery = None,
    community: Annotated[str | None, Query(max_length=100)] = None,
    section: Annotated[str | None, Query(max_length=100)] = None,
) -> list[dict]:
    frame = points.totals(
        conn, actor, points.parse_period(period), community=community, section=section
    )
    return records(frame)


@router.get("/points/tasks", summary="The 26 scored tasks")
def tasks(actor: AnyCaller, conn: Conn) -> list[dict]:
    return records(points.tasks(conn, actor))


@router.post("/points", status_code=201, response_model=Entry, summary="Staff award a task")
def award(body: StaffEntry, actor: AnyCaller, conn: Conn) -> Entry:
    found = points.award_by_staff(
        conn, actor, body.representative, body.task, body.day, body.reason
    )
    return Entry(id=found, added=found is not None)


@router.post(
    "/points/{entry_id}/correction",
    status_code=201,
    response_model=Entry,
    summary="Reverse an entry by a new one",
)
def correct(
    entry_id: Annotated[int, PathParam(gt=0, lt=2**63)],
    body: Correction,
    actor: AnyCaller,
    conn: Conn,
) -> Entry:
    return Entry(id=points.correct(conn, actor, entry_id, body.reason), added=True)


@router.get(
    "/communities/{code}/noticeboard", response_class=HTMLResponse, summary="阳光栏 (public)"
)
def notice_board(code: str, actor: AnyCaller, conn: Conn, period: PeriodQuery = None) -> str:
    return points.notice_board_html(conn, actor, code, points.parse_period(period))


@router.get("/communities/{code}/noticeboard.pdf", summary="阳光栏 as an A3 PDF")
def notice_board_pdf(
    code: str, actor: AnyCaller, conn: Conn, period: PeriodQuery = None
) -> FileResponse:
    folder = Path(tempfile.mkdtemp(prefix="gridsvc-board-"))
    out = folder / f"noticeboard-{code}.pdf"
    with _chromium_lock:
        points.notice_board_pdf(conn, actor, code, points.parse_period(period), out)
    return FileResponse(
        out,
        media_type="application/pdf",
        filename=out.name,
        background=BackgroundTask(_remove, folder),
    )


def _remove(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
