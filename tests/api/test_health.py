"""GET /health answers the store's counts (app with a real store, and a live server)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
from fastapi.testclient import TestClient

from gridsvc.api.app import create_app
from gridsvc.settings import Settings


def test_health_counts(sample_url: str) -> None:
    with TestClient(create_app(Settings(), url=sample_url)) as client:
        body = client.get("/health").json()
    assert body["status"] == "ok"
    counts = body["counts"]
    assert (counts["communities"], counts["sections"], counts["groups"]) == (8, 38, 122)
    assert counts["representatives"] == 1051 and counts["households"] > 10_000


def test_unknown_path_is_json_404(sample_url: str) -> None:
    with TestClient(create_app(Settings(), url=sample_url)) as client:
        response = client.get("/nowhere")
    assert response.status_code == 404 and response.json()["error"] == "http_error"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gridsvc_serve_answers_on_the_configured_port(sample_url: str) -> None:
    port = _free_port()
    env = {**os.environ, "GRIDSVC_DATABASE_URL": sample_url, "GRIDSVC_PORT": str(port)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gridsvc", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "server did not start in 30 s"
                time.sleep(0.2)
        assert response.json()["counts"]["sections"] == 38
    finally:
        server.terminate()
        server.wait(10)
