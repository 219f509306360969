"""Input refused at the edge, before any route sees it: what the store or the OS cannot take."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from gridsvc.api.bodies import INT64, Refused, bad_parameter, checked_body, shown

_LONG_DIGITS = re.compile(r"\d{19}")  # shorter integers always fit in 64 bits
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


class InputGuard:
    """A Host header not in `allowed_hosts` (400: links are built from it); NUL bytes in the
    path or the query, integers outside 64 bits where the operation takes an integer (400,
    naming the parameter); NUL, lone surrogates, non-finite or out-of-range numbers in a JSON
    body (422, naming the field); unsafe upload file names (400); bodies beyond the limits
    (413). psycopg2 and the OS would otherwise fail on them with a 500."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts
        self._operations: list[tuple[re.Pattern[str], dict[str, set[str]]]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            self._check_host(scope)
            self._check_url(scope)
            receive = await checked_body(scope, receive)
        except Refused as refused:
            await JSONResponse(refused.body, refused.status)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _check_host(self, scope: Scope) -> None:
        if "*" in self.allowed_hosts:
            return
        given = dict(scope["headers"]).get(b"host", b"").decode("latin-1").lower()
        host = given[1:].split("]")[0] if given.startswith("[") else given.split(":")[0]
        for pattern in self.allowed_hosts:
            if host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:])):
                return
        raise Refused(
            400,
            {
                "error": "InputError",
                "detail": "this server does not answer for that Host (GRIDSVC_ALLOWED_HOSTS)",
            },
        )

    def _check_url(self, scope: Scope) -> None:
        path: str = scope["path"]
        raw_query = scope["query_string"].decode("latin-1")
        query = parse_qsl(raw_query, keep_blank_values=True)
        has_nul = "\x00" in path or any("\x00" in k or "\x00" in v for k, v in query)
        if not has_nul and not _LONG_DIGITS.search(path + raw_query):
            return
        path_params, int_params = self._operation(scope)
        for name, value in path_params.items():
            if "\x00" in value:
                raise bad_parameter(f"path parameter {name}: contains a NUL byte")
        if "\x00" in path:
            raise bad_parameter("the path contains a NUL byte")
        for key, value in query:
            if "\x00" in key or "\x00" in value:
                raise bad_parameter(f"query parameter {shown(key)}: contains a NUL byte")
        for name, value in [*path_params.items(), *query]:
            if (
                name in int_params
                and _INTEGER.fullmatch(value)
                and not -INT64 <= int(value) < INT64
            ):
                raise bad_parameter(
                    f"parameter {name}: {shown(value.strip())} is outside the 64-bit range"
                )

    def _operation(self, scope: Scope) -> tuple[dict[str, str], set[str]]:
        """The path parameters of the operation the request names, and which of that
        operation's parameters are integers (read from the app's OpenAPI schema)."""
        if self._operations is None:
            self._operations = _operations(scope["app"].openapi())
        for pattern, methods in self._operations:
            found = pattern.match(scope["path"])
            if found:
                return found.groupdict(), methods.get(scope["method"], set())
        return {}, set()


def _operations(schema: dict[str, Any]) -> list[tuple[re.Pattern[str], dict[str, set[str]]]]:
    table = []
    for template, item in schema.get("paths", {}).items():
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        methods = {
            method.upper(): {
                p["name"] for p in op.get("parameters", []) if _is_integer(p.get("schema", {}))
            }
            for method, op in item.items()
            if isinstance(op, dict)
        }
        table.append((re.compile(f"^{regex}$"), methods))
    return table


def _is_integer(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "integer":
        return True
    if schema.get("type") == "array":
        return _is_integer(schema.get("items", {}))
    return any(_is_integer(option) for option in schema.get("anyOf", []))
