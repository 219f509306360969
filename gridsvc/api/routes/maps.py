"""Maps (HTML, PNG) and print material (PDF) of the run in force. Everything works with no
internet; section print material is for staff, the overview is public."""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from gridsvc.access import Role
from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.maps.overview import build_overview_map
from gridsvc.maps.section import build_section_map
from gridsvc.services import maps
from gridsvc.services.guard import require_role

router = APIRouter(tags=["maps"])
_chromium_lock = threading.Lock()  # one Chromium at a time on a small machine
PRINTED = {
    "png": ("sections/{code}.png", "image/png"),
    "pdf": ("print/{code}.pdf", "application/pdf"),
    "cards": ("cards/{code}.pdf", "application/pdf"),
    "orgchart": ("orgcharts/{code}.pdf", "application/pdf"),
}


def _printed(request: Request, conn: Conn, actor: AnyCaller, code: str | None, kind: str):  # type: ignore[no-untyped-def]
    """A PNG or PDF of the run in force, rendered by Chromium once and then kept. Section
    material is for staff, who post it on paper; the overview (areas and counts) is public."""
    settings = request.app.state.settings
    if code is not None:
        require_role(actor, Role.staff, "fetch print material")
        maps.require_section(conn, actor, code)
    run = maps.run_in_force(conn) or 0
    folder = (settings.data_dir / "maps-cache" / f"run-{run}").resolve()
    if code is None:
        path, media = folder / "overview.png", "image/png"
    else:
        pattern, media = PRINTED[kind]
        path = folder / pattern.format(code=code)
    with _chromium_lock:
        if not path.exists():
            maps.render_files(
                conn,
                actor if code else maps.notice_board(actor),
                folder,
                sections=[code] if code else [],
                public_url=settings.public_url,
                formats=("html", "png", "pdf") if code else ("html", "png"),
                tiles=settings.tiles_url,
                with_overview=code is None,
            )
    return FileResponse(path, media_type=media, filename=Path(path).name)


@router.get("/maps/overview.png", summary="The street overview as PNG")
def overview_png(request: Request, conn: Conn, actor: AnyCaller) -> FileResponse:
    return _printed(request, conn, actor, None, "png")


@router.get("/maps/overview", response_class=HTMLResponse, summary="The street overview map")
def overview_map(request: Request, conn: Conn) -> HTMLResponse:
    tiles = request.app.state.settings.tiles_url
    built = build_overview_map(maps.overview(conn), link="/maps/sections/{code}", tiles=tiles)
    return HTMLResponse(built.get_root().render())


@router.get("/maps/sections/{code}.png", summary="A section map as PNG (staff)")
def section_png(code: str, request: Request, conn: Conn, actor: AnyCaller) -> FileResponse:
    return _printed(request, conn, actor, code, "png")


@router.get("/maps/sections/{code}.pdf", summary="A section's A3 print sheet (staff)")
def section_pdf(code: str, request: Request, conn: Conn, actor: AnyCaller) -> FileResponse:
    return _printed(request, conn, actor, code, "pdf")


@router.get("/maps/sections/{code}/cards.pdf", summary="A section's contact cards (staff)")
def section_cards(code: str, request: Request, conn: Conn, actor: AnyCaller) -> FileResponse:
    return _printed(request, conn, actor, code, "cards")


@router.get("/maps/sections/{code}/orgchart.pdf", summary="A section's organisation chart (staff)")
def section_orgchart(code: str, request: Request, conn: Conn, actor: AnyCaller) -> FileResponse:
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
