"""Issue 17 item 7: with the database down every route answers 503 with Retry-After and a JSON
error, /health names the part that is down, and the same server recovers by itself."""

from __future__ import annotations

import time

import httpx
import psycopg2
from fastapi.testclient import TestClient

from gridsvc.access import Role
from gridsvc.api.app import create_app
from gridsvc.services import keys
from gridsvc.settings import Settings
from tests.api.conftest import free_port, start_server
from tests.hardening.conftest import Throwaway
from tests.helpers import PLANNER

NOWHERE = "postgresql://gridsvc@/gridsvc?host=/nonexistent/gridsvc-run&port=5432"
ROUTES = ["/communities", "/sections", "/groups/G1", "/households/H1", "/ogc/collections/groups"]


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, (response.request.url, response.text)
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["error"] == "store_unavailable"
    assert "/" not in body["detail"]  # no socket folder, no server path


def test_a_server_started_with_the_store_down_answers_503() -> None:
    with TestClient(create_app(Settings(), url=NOWHERE)) as client:
        health = client.get("/health")
        _assert_unavailable(health)
        assert health.json()["down"] == ["database"]
        for path in ROUTES:
            _assert_unavailable(client.get(path))
        _assert_unavailable(client.get("/households/H1", headers={"X-API-Key": "gs_x"}))


def test_the_same_server_answers_503_while_down_and_recovers(throwaway: Throwaway) -> None:
    conn = psycopg2.connect(throwaway.app_url)
    key = keys.create_key(conn, PLANNER, "store-down test", Role.planner)
    conn.close()
    port = free_port()
    server = start_server(throwaway.app_url, port)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        assert client.get("/health").json()["status"] == "ok"
        assert client.get("/communities").status_code == 200
        throwaway.cluster.down()
        try:
            for _ in range(3):  # the first finds its pooled connection broken, later ones none
                health = client.get("/health")
                _assert_unavailable(health)
                assert health.json()["down"] == ["database"]
                for path in ROUTES:
                    _assert_unavailable(client.get(path))
            _assert_unavailable(client.post("/runs", json={}, headers={"X-API-Key": key}))
        finally:
            throwaway.cluster.up()
        deadline = time.monotonic() + 15
        while client.get("/health").status_code != 200:
            assert time.monotonic() < deadline, "no recovery within 15 s"
            time.sleep(0.2)
        for _ in range(20):
            for path in ("/health", "/communities", "/ogc/collections/groups/items"):
                assert client.get(path).status_code == 200, path
        assert server.poll() is None  # the same process throughout
    finally:
        client.close()
        server.terminate()
        server.wait(10)
