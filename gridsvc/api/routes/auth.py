"""People log in and out, and change their password: plain HTML forms (a script can post them
too), a server-side session in an HttpOnly SameSite=Strict cookie, CSRF tokens on every form."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gridsvc.api.deps import SESSION_COOKIE, Conn, FormSession, LiveSession
from gridsvc.errors import InputError, NotAuthenticated
from gridsvc.maps import sheets
from gridsvc.services import sessions

router = APIRouter(tags=["log-in"])
LOGIN_CSRF_COOKIE = "gridsvc_login_csrf"  # before a session exists: a double-submit token
Field = Annotated[str, Form(max_length=200)]


def secure(request: Request) -> bool:
    """Whether cookies get the Secure flag: behind HTTPS (a setting) or asked over https."""
    return bool(request.app.state.settings.cookie_secure or request.url.scheme == "https")


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path of this site only (never //host or a URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_page(request: Request, message: str = "", next_url: str = "/", status: int = 200):  # type: ignore[no-untyped-def]
    token = secrets.token_urlsafe(32)
    page = (
        sheets.environment()
        .get_template("login.html")
        .render(csrf=token, message=message, next=safe_next(next_url))
    )
    response = HTMLResponse(page, status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        path="/login",
    )
    return response


@router.get("/login", response_class=HTMLResponse, summary="The log-in form")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _login_page(request, next_url=next)  # type: ignore[no-any-return]


@router.post("/login", response_class=HTMLResponse, summary="Log in (form: name, password, csrf)")
def login(
    request: Request, conn: Conn, name: Field, password: Field, csrf: Field, next: Field = "/"
) -> Response:
    """A new session on success (303 to `next`, a cookie with a fresh id: an id sent along is
    never taken over); the form again with one message for every refusal."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf.encode()):
        return _login_page(request, "表单已过期，请重试 (the form expired: try again)", next, 403)  # type: ignore[no-any-return]
    via = f"{request.method} {request.url.path}"
    try:
        session = sessions.log_in(conn, name, password, request.app.state.settings, via)
    except NotAuthenticated:
        return _login_page(
            request, "用户名或密码错误，或账号暂时锁定 (" + sessions.REFUSED + ")", next, 401
        )  # type: ignore[no-any-return]
    old = request.cookies.get(SESSION_COOKIE)
    if old:  # whatever the browser held before is ended, not carried over
        sessions.log_out(conn, old)
    response = RedirectResponse(safe_next(next), 303)
    response.set_cookie(
        SESSION_COOKIE,
        session.id,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login", samesite="strict")
    return response


@router.post("/logout", summary="Log out (form: csrf)")
def logout(conn: Conn, session: FormSession) -> Response:
    sessions.log_out(conn, session.id)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/", samesite="strict")
    return response


def _password_page(session: sessions.Session, message: str = "", status: int = 200) -> HTMLResponse:
    page = (
        sheets.environment()
        .get_template("workbench_password.html")
        .render(me=session.actor, csrf=session.csrf, message=message)
    )
    return HTMLResponse(page, status)


@router.get("/password", response_class=HTMLResponse, summary="The change-password form")
def password_form(session: LiveSession) -> Response:
    if session is None:
        return RedirectResponse("/login?next=/password", 303)
    return _password_page(session)


@router.post("/password", response_class=HTMLResponse, summary="Change one's password")
def change_password(
    conn: Conn, session: FormSession, old: Field, new: Field, repeat: Field
) -> Response:
    """Every session of the account ends (this one too): log in again with the new one."""
    try:
        sessions.change_password(conn, session.actor, old, new, repeat)
    except InputError as exc:
        return _password_page(session, str(exc), 400)
    response = RedirectResponse("/login?changed=1", 303)
    response.delete_cookie(SESSION_COOKIE, path="/", samesite="strict")
    return response
