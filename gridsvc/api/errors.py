"""Domain errors to HTTP: one table of statuses, JSON bodies `{"error", "detail"}`."""

from __future__ import annotations

import logging
import re
from typing import Any

import asyncpg
import psycopg2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from gridsvc import errors

logger = logging.getLogger("gridsvc.api")

RETRY_AFTER_S = 5
STATUS: dict[type[errors.GridsvcError], int] = {
    errors.InputError: 400,
    errors.NotAuthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.RunInProgress: 409,
    errors.Conflict: 409,
    errors.TooManyRequests: 429,
    errors.InfeasibleError: 422,
    errors.StoreUnavailable: 503,
    errors.DatabaseError: 503,
    errors.ConfigError: 500,
}
HEADERS: dict[type[errors.GridsvcError], dict[str, str]] = {
    errors.NotAuthenticated: {"WWW-Authenticate": "Bearer"},
    errors.DatabaseError: {"Retry-After": str(RETRY_AFTER_S)},
}
STORE_UNAVAILABLE = "store_unavailable"
# an absolute path (not the path part of a URL): reported by its last part only
_SERVER_PATH = re.compile(r"(?<![\w.:/~-])/(?:[^\s/'\"<>|]+/)+([^\s/'\"<>|:,;()]+)")


def _most_specific(exc: Exception, table: dict[type[errors.GridsvcError], Any]) -> Any:
    return next((table[kind] for kind in type(exc).__mro__ if kind in table), None)


def without_paths(message: str) -> str:
    """The message with server file paths cut to their file name."""
    return _SERVER_PATH.sub(r"\1", message)


def store_unavailable(detail: str = "the database is not reachable; retry shortly") -> JSONResponse:
    """503 with a retry hint: the store is down, gridsvc is not."""
    return JSONResponse(
        {"error": STORE_UNAVAILABLE, "detail": detail},
        503,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def validation_detail(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's errors without the input echoed back (it may be huge, personal, bytes or a
    NaN that JSON cannot carry) and without internals: where, what and which kind."""
    return [
        {
            "loc": [str(part) for part in p.get("loc", ())],
            "msg": p.get("msg", ""),
            "type": p.get("type", ""),
        }
        for p in problems
    ]


def error_code(exc: Exception) -> str:
    """The error's kind in snake case: NotAuthenticated -> not_authenticated."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


def install(app: FastAPI) -> None:
    """Register the handlers: domain errors, HTTP errors and validation errors all answer JSON;
    a lost store is a 503, a value the store refuses a 400; nothing shows a server path."""

    async def domain(_: Request, exc: Exception) -> JSONResponse:
        status = _most_specific(exc, STATUS) or 500
        if status == 503:
            logger.warning("store unavailable: %s", exc)
            return store_unavailable()
        headers = dict(_most_specific(exc, HEADERS) or {})
        if isinstance(exc, errors.TooManyRequests):
            headers["Retry-After"] = str(exc.retry_after)
        return JSONResponse(
            {"error": error_code(exc), "detail": without_paths(str(exc))},
            status,
            headers=headers or None,
        )

    async def store_lost(request: Request, exc: Exception) -> JSONResponse:
        logger.warning("store lost on %s %s: %s", request.method, request.url.path, exc)
        return store_unavailable()

    async def refused_value(request: Request, exc: Exception) -> JSONResponse:
        # a value outside what a column or a function takes (class 22: data exception)
        logger.info("value refused on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(
            {"error": "input_error", "detail": "a value is out of range or malformed"}, 400
        )

    async def http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return JSONResponse(
            {"error": "http_error", "detail": exc.detail},
            exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    async def validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse(
            {"error": "validation_error", "detail": validation_detail(list(exc.errors()))}, 422
        )

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(
            {"error": "internal_error", "detail": "an unexpected error; it has been logged"}, 500
        )

    app.add_exception_handler(errors.GridsvcError, domain)
    app.add_exception_handler(psycopg2.OperationalError, store_lost)
    app.add_exception_handler(psycopg2.InterfaceError, store_lost)
    app.add_exception_handler(psycopg2.DataError, refused_value)
    app.add_exception_handler(asyncpg.exceptions.DataError, refused_value)
    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(RequestValidationError, validation)
