"""The home page: the street dashboard as the caller answers for it (their scope's figures and
sections), with the workbench's menu for a logged-in person."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from gridsvc import __version__
from gridsvc.api.deps import AnyCaller, Conn, LiveSession
from gridsvc.maps import sheets
from gridsvc.services.workbench import home as scoped_dashboard

router = APIRouter(tags=["pages"])


@router.get("/", response_class=HTMLResponse, summary="The street dashboard (home page)")
def home(conn: Conn, actor: AnyCaller, session: LiveSession) -> HTMLResponse:
    board = scoped_dashboard(conn, actor)
    scope_name = (
        "" if actor.scope.level == "street" else (board.street.name if board.street else "")
    )
    page = (
        sheets.environment()
        .get_template("home.html")
        .render(
            street="桂花街道" if board.street else "gridsvc",
            version=__version__,
            d=board,
            me=actor,
            csrf=session.csrf if session else "",
            scope_name=scope_name,
        )
    )
    return HTMLResponse(page)
