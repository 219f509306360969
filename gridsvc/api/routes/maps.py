"""Maps (HTML, PNG) and print material (PDF) of the run in force. Everything works with no
internet; section print material is for staff, the overview is public."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from gridsvc.access import Role
from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.maps.overview import build_overview_map
from gridsvc.maps.section import build_section_map
from gridsvc.services import maps
from gridsvc.services.guard import require_role
from gridsvc.services.printing import PrintShop, order_for

router = APIRouter(tags=["maps"])
_shop_lock = threading.Lock()
RETRY_AFTER_S = 5


def _shop(request: Request) -> PrintShop:
    """The app's one print worker (made on first use)."""
    with _shop_lock:
        shop = getattr(request.app.state, "print_shop", None)
        if shop is None:
            shop = request.app.state.print_shop = PrintShop(request.app.state.settings)
        return shop


def _printed(
    request: Request, conn: Conn, actor: AnyCaller, code: str | None, kind: str
) -> Response:
    """A PNG or PDF of the run in force, made once per run and printed inputs for the
    notice-board audience and kept (an edit to what it shows makes it anew). Never rendered
    inside the request: if it is not made yet, it is queued and the answer is 202 with
    Retry-After. Section material is for staff, who post it on paper; the
    overview (areas and counts) is public."""
    if code is not None:
        require_role(actor, Role.staff, "fetch print material")
        maps.require_section(conn, actor, code)
    shop = _shop(request)
    order = order_for(conn, code, kind)
    path = shop.path(order, kind)
    if path.exists():
        media = "image/png" if path.suffix == ".png" else "application/pdf"
        return FileResponse(path, media_type=media, filename=path.name)
    message = shop.order(order, actor)
    if message.startswith("rendering failed"):
        shop.retry(order)  # the next request tries again
        return JSONResponse(
            {"error": "rendering failed", "detail": f"{message}; retry to render again"},
            status_code=503,
        )
    return JSONResponse(
        {"status": "rendering", "detail": message, "retry_after": RETRY_AFTER_S},
        status_code=202,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


PENDING: dict[int | str, dict[str, Any]] = {
    202: {"description": "Not made yet for this run: queued; retry after Retry-After seconds"}
}


@router.get("/maps/overview.png", summary="The street overview as PNG", responses=PENDING)
def overview_png(request: Request, conn: Conn, actor: AnyCaller) -> Response:
    return _printed(request, conn, actor, None, "overview")


@router.get(
    "/maps/overview.pdf", summary="The street overview as an A3 vector PDF", responses=PENDING
)
def overview_pdf(request: Request, conn: Conn, actor: AnyCaller) -> Response:
    return _printed(request, conn, actor, None, "overview-pdf")


@router.get("/maps/overview", response_class=HTMLResponse, summary="The street overview map")
def overview_map(request: Request, conn: Conn) -> HTMLResponse:
    tiles = request.app.state.settings.tiles_url
    built = build_overview_map(
        maps.overview(conn),
        title=maps.overview_title(conn),
        link="/maps/sections/{code}",
        tiles=tiles,
    )
    return HTMLResponse(built.get_root().render())


@router.get("/maps/sections/{code}.png", summary="A section map as PNG (staff)", responses=PENDING)
def section_png(code: str, request: Request, conn: Conn, actor: AnyCaller) -> Response:
    return _printed(request, conn, actor, code, "png")


@router.get(
    "/maps/sections/{code}.pdf",
    summary="A section's A3 notice-board sheet, vector PDF (staff)",
    responses=PENDING,
)
def section_pdf(code: str, request: Request, conn: Conn, actor: AnyCaller) -> Response:
    return _printed(request, conn, actor, code, "pdf")


@router.get(
    "/maps/sections/{code}/cards.pdf",
    summary="A section's contact cards, 4 A6 to an A4 page (staff)",
    responses=PENDING,
)
def section_cards(code: str, request: Request, conn: Conn, actor: AnyCaller) -> Response:
    return _printed(request, conn, actor, code, "cards")


@router.get(
    "/maps/sections/{code}/orgchart.pdf",
    summary="A section's organisation chart (staff)",
    responses=PENDING,
)
def section_orgchart(code: str, request: Request, conn: Conn, actor: AnyCaller) -> Response:
    return _printed(request, conn, actor, code, "orgchart")


@router.get(
    "/maps/sections/{code}",
    response_class=HTMLResponse,
    summary="A section's who-contacts-whom map (homes and names as the caller's role allows)",
)
def section_map(code: str, request: Request, conn: Conn, actor: AnyCaller) -> HTMLResponse:
    data = maps.section(conn, actor, code)
    tiles = request.app.state.settings.tiles_url
    return HTMLResponse(build_section_map(data, tiles=tiles).get_root().render())
