"""The resident's pages: the representative's QR page with the report form, and the page
to follow a request by its tracking code and rate the answer. No log-in, light, offline."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.api.request_forms import read_submission, rules
from gridsvc.errors import InputError, NotFound, TooManyRequests
from gridsvc.maps import resident as pages
from gridsvc.services import lookups, request_queues, requests

router = APIRouter(tags=["residents"])


def _page(html: str, status: int = 200, nonce: str | None = None) -> HTMLResponse:
    """An HTML page that runs no script but its own (by nonce) and loads nothing elsewhere."""
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    policy = (
        f"default-src 'self'; script-src {script}; style-src 'unsafe-inline'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    headers = {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    return HTMLResponse(html, status, headers=headers)


def _form_page(
    conn: Conn, actor: AnyCaller, code: str, status: int = 200, **extra: object
) -> HTMLResponse:
    rep = lookups.representative(conn, actor, code)
    nonce = secrets.token_urlsafe(12)
    categories = requests.categories(conn)
    html = pages.rep_page(vars(rep), categories, nonce=nonce, **extra)  # type: ignore[arg-type]
    return _page(html, status, nonce)


@router.get(
    "/r/{code}",
    response_class=HTMLResponse,
    summary="A representative's public page (the QR code on the contact card) with the form",
)
def representative_page(code: str, conn: Conn, actor: AnyCaller) -> HTMLResponse:
    return _form_page(conn, actor, code)


@router.post("/r/{code}", response_class=HTMLResponse, summary="Submit the QR page's form")
async def submit_form(code: str, request: Request, conn: Conn, actor: AnyCaller) -> Response:
    given = rules(request)
    typed: dict[str, object] = {}
    try:
        submission = await read_submission(request, source="qr", representative=code)
        typed = {k: getattr(submission, k) or "" for k in ("category", "text", "phone")}
        receipt = await run_in_threadpool(requests.submit, conn, actor, given, submission)
    except TooManyRequests as exc:
        html = pages.limit_page(str(exc), exc.retry_after, f"/r/{quote(code)}")
        page = _page(html, 429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except InputError as exc:
        return await run_in_threadpool(
            _form_page, conn, actor, code, 400, form=typed, error=f"未能提交：{exc}"
        )
    return RedirectResponse(f"/track/{receipt.tracking_code}?new=1", status_code=303)


@router.get("/track", response_class=HTMLResponse, summary="Type a tracking code")
def track_lookup(code: str = "") -> Response:
    wanted = code.strip().upper()
    if wanted:
        if wanted.isalnum() and len(wanted) == 10:
            return RedirectResponse(f"/track/{wanted}", status_code=303)
        return _page(pages.track_lookup(code[:20], "跟踪码是 10 位字母和数字"), 400)
    return _page(pages.track_lookup())


@router.get("/track/{tracking_code}", response_class=HTMLResponse, summary="Follow a request")
def track(tracking_code: str, conn: Conn, new: bool = False) -> HTMLResponse:
    try:
        view = request_queues.resident_view(conn, tracking_code)
    except NotFound:
        return _page(pages.track_lookup(tracking_code[:20], "没有这个跟踪码，请核对"), 404)
    return _page(pages.track_page(view, new=new))


@router.post("/track/{tracking_code}/rating", summary="Rate the answer (满意/基本满意/不满意)")
def rate(tracking_code: str, conn: Conn, rating: str = Form(...)) -> Response:
    code = tracking_code.strip().upper()
    requests.rate(conn, code, rating)
    return RedirectResponse(f"/track/{code}", status_code=303)
