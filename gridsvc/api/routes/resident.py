"""The page a resident reaches by scanning a contact card's QR code."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.maps import sheets
from gridsvc.services import lookups

router = APIRouter(tags=["residents"])


@router.get(
    "/r/{code}",
    response_class=HTMLResponse,
    summary="A representative's public page (the QR code on the contact card)",
)
def representative_page(code: str, conn: Conn, actor: AnyCaller) -> HTMLResponse:
    rep = lookups.representative(conn, actor, code)
    return HTMLResponse(sheets.representative_page(vars(rep)))
