"""Domain errors to HTTP: one table of statuses, JSON bodies `{"error", "detail"}`."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from gridsvc import errors

logger = logging.getLogger("gridsvc.api")

STATUS = {
    errors.NotAuthenticated: 401,
    errors.Forbidden: 403,
    errors.Conflict: 409,
    errors.InputError: 400,
    errors.NotFound: 404,
    errors.RunInProgress: 409,
    errors.InfeasibleError: 422,
    errors.DatabaseError: 503,
    errors.ConfigError: 500,
}


def install(app: FastAPI) -> None:
    """Register the handlers: domain errors, HTTP errors and validation errors all answer JSON."""

    async def domain(_: Request, exc: Exception) -> JSONResponse:
        status = next((s for kind, s in STATUS.items() if isinstance(exc, kind)), 500)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        code = re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()
        return JSONResponse({"error": code, "detail": str(exc)}, status, headers)

    async def http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return JSONResponse(
            {"error": "http_error", "detail": exc.detail},
            exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    async def validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse({"error": "validation_error", "detail": exc.errors()}, 422)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(
            {"error": "internal_error", "detail": "an unexpected error; it has been logged"}, 500
        )

    app.add_exception_handler(errors.GridsvcError, domain)
    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(RequestValidationError, validation)
