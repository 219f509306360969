"""The planner's home page: the street's figures, sections, runs and scenarios."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from gridsvc import __version__
from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.maps import sheets
from gridsvc.services.dashboard import dashboard

router = APIRouter(tags=["pages"])


@router.get("/", response_class=HTMLResponse, summary="The planner's home page")
def home(conn: Conn, actor: AnyCaller) -> HTMLResponse:
    board = dashboard(conn, actor)
    page = (
        sheets.environment()
        .get_template("home.html")
        .render(street="桂花街道" if board.street else "gridsvc", version=__version__, d=board)
    )
    return HTMLResponse(page)
