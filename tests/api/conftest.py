"""A live gridsvc server on the test store, with a run in force and a key for each role."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg2
import pytest

from gridsvc.access import Role
from gridsvc.services import keys
from tests.helpers import PLANNER, assign


@dataclass
class Live:
    url: str
    db_url: str
    keys: dict[str, str]

    def client(self, role: str | None = None, bearer: bool = False) -> httpx.Client:
        headers = {}
        if role:
            key = self.keys[role]
            headers = {"Authorization": f"Bearer {key}"} if bearer else {"X-API-Key": key}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_url: str, port: int, workers: int = 1) -> subprocess.Popen:
    env = {
        **os.environ,
        "GRIDSVC_DATABASE_URL": db_url,
        "GRIDSVC_PORT": str(port),
        "GRIDSVC_WORKERS": str(workers),
    }
    log = open(f"/tmp/gridsvc-test-server-{port}.log", "w")  # noqa: SIM115 - lives with it
    server = subprocess.Popen(
        [sys.executable, "-m", "gridsvc", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).raise_for_status()
            return server
        except httpx.HTTPError:
            if server.poll() is not None:
                raise RuntimeError(Path(log.name).read_text()) from None
            if time.monotonic() > deadline:
                server.terminate()
                raise RuntimeError("server did not start in 30 s") from None
            time.sleep(0.2)


@pytest.fixture(scope="module")
def live(sample_url: str) -> Iterator[Live]:
    conn = psycopg2.connect(sample_url)
    assign(conn, fresh=True)
    made = {
        role.name: keys.create_key(conn, PLANNER, f"test {role.name}", role)
        for role in (Role.viewer, Role.staff, Role.planner)
    }
    conn.close()
    port = free_port()
    server = start_server(sample_url, port)
    try:
        yield Live(f"http://127.0.0.1:{port}", sample_url, made)
    finally:
        server.terminate()
        server.wait(10)
