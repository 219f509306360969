"""Open311 GeoReport v2 at /open311/v2/: services, requests (GET and POST), one request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.api.errors import STATUS
from gridsvc.api.request_forms import client_of, rules
from gridsvc.errors import GridsvcError, TooManyRequests
from gridsvc.services import open311

router = APIRouter(prefix="/open311/v2", tags=["open311"])


def _answer(work: Callable[[], Any], status: int = 200) -> JSONResponse:
    """The result, or GeoReport's error shape: [{"code", "description"}]."""
    try:
        return JSONResponse(work(), status)
    except GridsvcError as exc:
        code = next((STATUS[k] for k in type(exc).__mro__ if k in STATUS), 500)
        if code >= 500:
            raise
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        )
        return JSONResponse([{"code": code, "description": str(exc)}], code, headers=headers)


@router.get("/services.json", summary="The request categories as services")
def services(conn: Conn) -> JSONResponse:
    return _answer(lambda: open311.services(conn))


@router.get("/requests.json", summary="Requests (public fields only)")
def list_requests(
    conn: Conn,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
    jurisdiction_id: str | None = None,
) -> JSONResponse:
    return _answer(
        lambda: open311.requests(
            conn,
            ids=service_request_id,
            service_code=service_code,
            start_date=start_date,
            end_date=end_date,
            status=status,
        )
    )


@router.post("/requests.json", summary="Post a request (form-encoded, as GeoReport v2)")
async def post_request(request: Request, conn: Conn, actor: AnyCaller) -> JSONResponse:
    form = await request.form(max_files=0, max_fields=60)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    given = rules(request)
    client = client_of(request)
    return await run_in_threadpool(
        _answer, lambda: open311.post(conn, actor, given, fields, client), 201
    )


@router.get("/requests/{request_id}.json", summary="One request (public fields only)")
def one_request(request_id: str, conn: Conn) -> JSONResponse:
    return _answer(lambda: open311.one(conn, request_id))
