"""Issue 17 items 9 and 10 (server side): hostile input is a 4xx JSON error naming what is
wrong, never a 500; no error shows a server path; the Host header is not reflected; headers
are bounded."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import psycopg2
import pytest
from fastapi.testclient import TestClient

from gridsvc.access import Role
from gridsvc.api.app import create_app
from gridsvc.api.errors import without_paths
from gridsvc.services import keys
from gridsvc.settings import Settings
from tests.api.conftest import free_port
from tests.helpers import PLANNER


@pytest.fixture(scope="module")
def client(sample_url: str) -> Iterator[TestClient]:
    conn = psycopg2.connect(sample_url)
    key = keys.create_key(conn, PLANNER, "hostile-input test", Role.planner)
    conn.close()
    app = create_app(Settings(), url=sample_url)
    with TestClient(app, raise_server_exceptions=False, headers={"X-API-Key": key}) as made:
        yield made


def multipart(filename: bytes, content: bytes = b"a,b\n1,2\n") -> tuple[bytes, dict[str, str]]:
    """A multipart body built by hand: httpx would percent-encode a NUL in the file name."""
    boundary = b"gridsvc-boundary-7"
    body = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + content + b"\r\n--" + boundary + b"--\r\n"
    )
    return body, {"content-type": f"multipart/form-data; boundary={boundary.decode()}"}


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/households/H%00", "path parameter code"),
        ("/representatives/R%00/households", "path parameter code"),
        ("/groups/G%00", "path parameter code"),
        ("/maps/sections/S%00.png", "path parameter code"),
        ("/sections?community=GH01%00", "query parameter community"),
        ("/ogc/collections/groups/items?bbox=1,2,3,4%00", "query parameter bbox"),
        ("/ogc/collections/groups/items?offset=9223372036854775808", "parameter offset"),
        ("/ogc/collections/groups/items?limit=-9223372036854775809", "parameter limit"),
        ("/runs/18446744073709551616", "parameter run_id"),
        ("/runs/1/diff/99999999999999999999999", "parameter run_b"),
    ],
)
def test_nul_bytes_and_huge_integers_are_a_400_naming_the_parameter(
    client: TestClient, path: str, named: str
) -> None:
    response = client.get(path)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "InputError"
    assert response.json()["detail"].startswith(named)


def test_the_largest_64_bit_integers_pass_the_guard(client: TestClient) -> None:
    assert client.get("/runs/9223372036854775807").status_code == 404
    response = client.get("/ogc/collections/groups/items", params={"offset": 2**63 - 1})
    assert response.status_code == 200 and response.json()["features"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"key_weight": NaN}', "key_weight"),
        (b'{"key_weight": Infinity}', "key_weight"),
        (b'{"stability_m": -Infinity}', "stability_m"),
        (b'{"stability_m": 1e309}', "stability_m"),
        (b'{"min_load": 123456789012345678901234567890}', "min_load"),
        (b'{"section": "GH01\\u0000"}', "section"),
        (b'{"section": "GH01\\ud800"}', "section"),
    ],
)
def test_json_bodies_with_values_the_store_cannot_take_are_a_422(
    client: TestClient, body: bytes, field: str
) -> None:
    response = client.post("/runs", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", field]


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"section=GH01-S01", "application/x-www-form-urlencoded"),
        (b"section GH01-S01", "text/plain"),
        (b"\xff\xfe\x00", "application/json"),
        (b'{"min_load": "\xe5\xbc\xa0\xe4\xb8\x8913800001111"}', "application/json"),
    ],
)
def test_wrong_content_is_a_4xx_that_echoes_nothing(
    client: TestClient, content: bytes, kind: str
) -> None:
    response = client.post("/runs", content=content, headers={"content-type": kind})
    assert response.status_code in (400, 415, 422), response.text  # undecodable JSON: 400
    assert "13800001111" not in response.text and '"input"' not in response.text


@pytest.mark.parametrize(
    "name", [b".", b"..", b"a/..", b"reg\x00ister.csv", b"x" * 300 + b".csv", b"tab\there.csv"]
)
def test_hostile_upload_names_are_a_400(client: TestClient, name: bytes) -> None:
    body, headers = multipart(name)
    response = client.post("/imports/households", content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["detail"].startswith("file name of field file")


def test_an_ordinary_upload_still_reaches_the_importer(client: TestClient) -> None:
    body, headers = multipart("登记表.csv".encode(), b"not a register\n")
    response = client.post("/imports/households", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("登记表.csv: no header row")


def test_errors_show_no_server_path(client: TestClient) -> None:
    body, headers = multipart(b"damaged.xlsx", b"PK not a zip")
    response = client.post("/imports/households", content=body, headers=headers)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("damaged.xlsx: cannot read as XLSX") and "/tmp" not in detail


def test_paths_are_cut_to_their_file_name() -> None:
    said = "/tmp/tmpab12/upload.csv: cannot read; see /work/x/.gridsvc/postgres.log"
    assert without_paths(said) == "upload.csv: cannot read; see postgres.log"
    kept = "GET http://127.0.0.1:8000/ogc/collections and 2026/11/26, code GH01/S02"
    assert without_paths(kept) == kept


def test_an_unknown_host_header_is_refused_and_links_use_known_hosts(client: TestClient) -> None:
    refused = client.get("/ogc", headers={"host": "evil.example"})
    assert refused.status_code == 400 and refused.json()["error"] == "InputError"
    links = client.get("/ogc", headers={"host": "localhost:8000"}).json()["links"]
    assert all(link["href"].startswith("http://localhost:8000/") for link in links)


def test_allowed_hosts_come_from_the_settings(sample_url: str) -> None:
    settings = Settings(allowed_hosts="grid.example.cn")
    with TestClient(create_app(settings, url=sample_url), base_url="http://grid.example.cn") as c:
        assert c.get("/health").status_code == 200
        assert c.get("/health", headers={"host": "127.0.0.1"}).status_code == 400


SERVE = (
    "import sys, uvicorn\n"
    "from gridsvc.api.app import create_app, server_options\n"
    "from gridsvc.settings import Settings\n"
    "s = Settings()\n"
    "uvicorn.run(create_app(s, url=sys.argv[1]), host='127.0.0.1', port=int(sys.argv[2]),"
    " log_level='warning', **server_options(s))\n"
)


def test_oversized_headers_are_refused_by_the_server(sample_url: str) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, sample_url, str(port)], env=dict(os.environ)
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
            try:
                for _ in range(64):  # 4 MiB offered; the server stops reading at 64 KiB
                    raw.sendall(b"a" * 65536)
                raw.sendall(b"\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            answer = raw.recv(200)
        assert answer == b"" or answer.startswith(b"HTTP/1.1 4"), answer
        assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
    finally:
        server.terminate()
        server.wait(10)
