"""Request bodies checked before a route reads them: JSON values and upload file names."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Iterator
from pathlib import PurePosixPath
from tempfile import SpooledTemporaryFile
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.types import Message, Receive, Scope

INT64 = 2**63
JSON_LIMIT = 4 * 2**20
UPLOAD_LIMIT = 256 * 2**20
NAME_BYTES = 200  # an upload's name, kept in file names with a prefix: under ext4's 255
_CHUNK = 1 << 16


class Refused(Exception):
    """A request answered here; `body` is the JSON error."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status, self.body = status, body


def bad_parameter(detail: str) -> Refused:
    return Refused(400, {"error": "InputError", "detail": detail})


def _bad_body(loc: list[str], msg: str) -> Refused:
    problem = {"loc": ["body", *loc], "msg": msg, "type": "value_error"}
    return Refused(422, {"error": "validation_error", "detail": [problem]})


def shown(text: str) -> str:
    """A client's text fit for an error message: NUL made visible, 60 characters at most."""
    return text.replace("\x00", "\\0")[:60]


async def checked_body(scope: Scope, receive: Receive) -> Receive:
    """Check a JSON or multipart body (413 beyond the limits) and return a `receive` that
    gives the route the same bytes; other bodies are left to the route (FastAPI: 422)."""
    if scope["method"] not in ("POST", "PUT", "PATCH", "DELETE"):
        return receive
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    length = headers.get("content-length", "")
    limit = UPLOAD_LIMIT if kind == "multipart/form-data" else JSON_LIMIT
    if length.isdigit() and int(length) > limit:
        raise Refused(413, {"error": "InputError", "detail": f"a body over {limit >> 20} MiB"})
    if kind == "multipart/form-data":
        return await _checked_upload(headers["content-type"], receive)
    if kind in ("", "application/json") or kind.endswith("+json"):  # FastAPI reads these as JSON
        body = b"".join([chunk async for chunk in _chunks(receive, JSON_LIMIT)])
        _check_json(body)
        return _replay(iter([body]), receive)
    return receive


async def _chunks(receive: Receive, limit: int) -> AsyncIterator[bytes]:
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refused(413, {"error": "InputError", "detail": f"a body over {limit >> 20} MiB"})
        yield chunk
        if not message.get("more_body", False):
            return


def _replay(chunks: Iterator[bytes], receive: Receive) -> Receive:
    """A `receive` that gives the body read here (lazily), then defers to the client's."""
    upcoming: bytes | None = next(chunks, b"")

    async def replay() -> Message:
        nonlocal upcoming
        if upcoming is None:
            return await receive()  # the body is over: only a disconnect can come
        chunk, upcoming = upcoming, next(chunks, None)
        return {"type": "http.request", "body": chunk, "more_body": upcoming is not None}

    return replay


class _NonFinite:
    """A NaN or an infinity as the JSON parser met it."""

    def __init__(self, text: str) -> None:
        self.text = text


def _parse_float(text: str) -> float | _NonFinite:
    value = float(text)
    return value if math.isfinite(value) else _NonFinite(text)  # 1e309 is inf to Python


def _check_json(body: bytes) -> None:
    if not body.strip():
        return
    try:
        document = json.loads(body, parse_constant=_NonFinite, parse_float=_parse_float)
    except (ValueError, RecursionError):
        return  # not JSON: FastAPI answers that itself (422)
    stack: list[tuple[list[str], Any]] = [([], document)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(loc, key)
                stack.append(([*loc, key], item))
        elif isinstance(value, list):
            stack.extend(([*loc, str(i)], item) for i, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(loc, value)
        elif isinstance(value, _NonFinite):
            raise _bad_body(loc, f"{value.text} is not a finite number")
        elif isinstance(value, int) and not isinstance(value, bool) and not -INT64 <= value < INT64:
            raise _bad_body(loc, "the integer is outside the 64-bit range")


def _check_text(loc: list[str], text: str) -> None:
    if "\x00" in text:
        raise _bad_body(loc, "contains a NUL byte")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _bad_body(loc, "contains a lone UTF-16 surrogate") from None


def name_problem(name: str) -> str | None:
    """Why an uploaded file's name cannot be kept as a file name here, if it cannot."""
    if any(ord(c) < 32 for c in name):
        return "contains a NUL byte or a control character"
    if name and PurePosixPath(name).name in ("", ".", ".."):
        return f"{name!r} names no file"
    if len(PurePosixPath(name).name.encode("utf-8")) > NAME_BYTES:
        return f"is longer than {NAME_BYTES} bytes"
    return None


async def _checked_upload(content_type: str, receive: Receive) -> Receive:
    """Spool the upload (memory, then disk), checking each part's name and file name as the
    headers go by; then give the route the same bytes."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        return receive  # Starlette answers a multipart body without a boundary itself
    parts = _PartChecker()
    parser: MultipartParser | None = MultipartParser(boundary, parts.callbacks())  # type: ignore[arg-type]
    spool = SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115 - closed by chunks()
    try:
        async for chunk in _chunks(receive, UPLOAD_LIMIT):
            spool.write(chunk)
            if parser is not None:
                try:
                    parser.write(chunk)
                except Exception:  # malformed: Starlette's own parser will answer it
                    parser = None
            if parts.problem:
                raise bad_parameter(parts.problem)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(_CHUNK):
                yield chunk

    return _replay(chunks(), receive)


class _PartChecker:
    """Collects each part's headers; a problem with a field's name or file name is kept."""

    def __init__(self) -> None:
        self.problem: str | None = None
        self._field = self._value = b""
        self._headers: dict[bytes, bytes] = {}

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda d, s, e: setattr(self, "_field", self._field + d[s:e]),
            "on_header_value": lambda d, s, e: setattr(self, "_value", self._value + d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
        }

    def _begin(self) -> None:
        self._headers = {}

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        field = options.get(b"name", b"").decode("utf-8", "replace")
        if "\x00" in field:
            self.problem = self.problem or "a form field's name contains a NUL byte"
        for key in (b"filename", b"filename*"):
            if key in options:
                why = name_problem(options[key].decode("utf-8", "replace"))
                if why:
                    self.problem = self.problem or f"file name of field {shown(field)}: {why}"
