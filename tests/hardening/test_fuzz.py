"""Issue 17 item 9: every operation of the app's OpenAPI, fed NUL bytes, huge integers,
non-finite numbers, wrong content types and hostile upload file names, answers below 500
(with a planner key, so that every route's own code is reached, on a real store)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import psycopg2
import pytest
from fastapi.testclient import TestClient

from gridsvc.access import Role
from gridsvc.api.app import create_app
from gridsvc.services import keys
from gridsvc.settings import Settings
from tests.hardening.test_hostile_input import multipart
from tests.helpers import PLANNER

TEXT = ["\x00", "GH01\x00", "..", ".", "x" * 300, "%00", "=cmd|' /C calc'!A0"]
NUMBERS = ["9223372036854775808", "-9223372036854775809", "1" * 40, "NaN", "Infinity", "1e309"]
# raw JSON: what json.dumps would refuse or what PostgreSQL cannot store
JSON_VALUES = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e309",
    "-1e309",
    str(2**64),
    str(-(2**64)),
    '"\\u0000"',
    '"GH01\\u0000"',
    '"\\ud800"',
    '"' + "x" * 5000 + '"',
    "[]",
    "{}",
    "null",
]
BODIES = [
    (b"a=1&b=%00", "application/x-www-form-urlencoded"),
    (b"plain words", "text/plain"),
    (b"", "application/json"),
    (b"[]", "application/json"),
    (b"\xff\xfe\x00\x00", "application/json"),
    (b'{"a": NaN}', ""),
]
FILE_NAMES = [b".", b"..", b"../../etc/passwd", b"a\x00b.csv", b"x" * 300 + b".csv", b"\x00"]
HOSTILE_CSV = '户编号,户主姓名,经度,纬度\nH9\x00,=HYPERLINK("x"),113.1,27.8\n'.encode()


@pytest.fixture(scope="module")
def client(sample_url: str) -> Iterator[TestClient]:
    conn = psycopg2.connect(sample_url)
    key = keys.create_key(conn, PLANNER, "fuzz", Role.planner)
    conn.close()
    app = create_app(Settings(), url=sample_url)
    with TestClient(app, raise_server_exceptions=False, headers={"X-API-Key": key}) as made:
        yield made


def _benign(param: dict[str, Any]) -> str:
    schema = param.get("schema", {})
    options = [schema, *schema.get("anyOf", [])]
    for option in options:
        if "enum" in option:
            return str(option["enum"][0])
    kind = next((o.get("type") for o in options if o.get("type") not in (None, "null")), "string")
    name = param["name"]
    if name in ("lon", "lat"):
        return "113.15" if name == "lon" else "27.85"
    return {"integer": "1", "number": "1.5", "boolean": "true", "array": "x"}.get(kind, "GH01")


def _url(template: str, params: list[dict[str, Any]], values: dict[str, str]) -> str:
    path, query = template, []
    for p in params:
        value = quote(values[p["name"]], safe="")
        if p["in"] == "path":
            path = path.replace("{" + p["name"] + "}", value)
        else:
            query.append(f"{p['name']}={value}")
    return path + ("?" + "&".join(query) if query else "")


def _requests(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, url, keyword arguments) for every hostile variant of every operation."""
    for template, item in schema["paths"].items():
        for method, op in item.items():
            params = op.get("parameters", [])
            benign = {p["name"]: _benign(p) for p in params}

            def url(values: dict[str, str], params: list = params, at: str = template) -> str:
                return _url(at, params, values)

            if not params:
                yield method, template + "?x=%00", {}
            for p in params:
                for value in TEXT + NUMBERS:
                    yield method, url({**benign, p["name"]: value}), {}
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                ref = content["application/json"]["schema"].get("$ref", "")
                model = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
                for field in model.get("properties", {}):
                    for raw in JSON_VALUES:
                        body = f'{{"{field}": {raw}}}'.encode()
                        headers = {"content-type": "application/json"}
                        yield method, url(benign), {"content": body, "headers": headers}
                for body, kind in BODIES:
                    yield method, url(benign), {"content": body, "headers": {"content-type": kind}}
            if "multipart/form-data" in content:
                for name in FILE_NAMES:
                    body, headers = multipart(name)
                    yield method, url(benign), {"content": body, "headers": headers}
                body, headers = multipart(b"register.csv", HOSTILE_CSV)
                yield method, url(benign), {"content": body, "headers": headers}
                yield method, url(benign), {"json": {"file": "x"}}


@pytest.mark.slow
def test_no_hostile_input_causes_a_server_error(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert len(schema["paths"]) >= 30
    failures = []
    sent = 0
    for method, url, kwargs in _requests(schema):
        response = client.request(method.upper(), url, **kwargs)
        sent += 1
        if response.status_code >= 500:
            failures.append(
                f"{method.upper()} {url[:120]} {kwargs.get('content', b'')[:80]!r}"
                f" -> {response.status_code} {response.text[:200]}"
            )
        else:
            assert not _shows_server_path(response.text), (url, response.text[:300])
    assert sent > 800
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(failures)


def _shows_server_path(text: str) -> bool:
    return any(f"{root}/" in text for root in ("/tmp", "/work", "/home", "/usr", "/root"))


def test_json_values_are_valid_fuzz_input() -> None:
    for raw in JSON_VALUES:  # the list is JSON that Python's parser takes (as FastAPI's does)
        json.loads(f'{{"a": {raw}}}')
