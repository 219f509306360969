"""How the server serves: API keys checked once per GRIDSVC_KEY_CACHE_S in each process (a
revoked key stops working within that window; a clock of the test's own moves time, no
sleeping), one worker per core by default, the hot routers matched first."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg2
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from gridsvc.access import Actor, Role
from gridsvc.api.app import create_app
from gridsvc.api.key_cache import KeyCache
from gridsvc.services import keys
from gridsvc.settings import Settings
from tests.api.conftest import free_port, start_server
from tests.helpers import PLANNER, assign


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_cache_forgets_a_key_after_its_window() -> None:
    clock = Clock()
    cache = KeyCache(30, clock)
    actor = Actor("key 1 (x)", Role.viewer, key_id=1)
    cache.put("gs_a", actor)
    clock.now += 29.9
    assert cache.get("gs_a") is actor and cache.get("gs_b") is None
    clock.now += 0.2
    assert cache.get("gs_a") is None
    off = KeyCache(0, clock)
    off.put("gs_a", actor)
    assert off.get("gs_a") is None


def test_a_revoked_key_stops_working_within_the_window(sample_url: str) -> None:
    conn = psycopg2.connect(sample_url)
    assign(conn, fresh=True)
    key = keys.create_key(conn, PLANNER, "to revoke", Role.viewer)
    with conn.cursor() as cur:
        cur.execute("SELECT max(id) FROM api_key")
        key_id = cur.fetchone()[0]  # type: ignore[index]
        cur.execute("SELECT code FROM household ORDER BY code LIMIT 1")
        code = cur.fetchone()[0]  # type: ignore[index]
    clock = Clock()
    app = create_app(Settings(key_cache_s=30), url=sample_url)
    with TestClient(app) as client:
        app.state.key_cache.clock = clock
        paths = [f"/households/{code}/representative", f"/households/{code}"]  # async, sync
        for path in paths:
            assert client.get(path, headers={"X-API-Key": key}).status_code == 200
        keys.revoke_key(conn, PLANNER, key_id)
        clock.now += 29  # inside the window: the process still trusts what it checked
        for path in paths:
            assert client.get(path, headers={"X-API-Key": key}).status_code == 200
        clock.now += 2  # past it: checked again, and refused
        for path in paths:
            answer = client.get(path, headers={"X-API-Key": key})
            assert answer.status_code == 401 and "revoked" in answer.json()["detail"]
    conn.close()


def test_workers_default_to_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.delenv("GRIDSVC_WORKERS", raising=False)
    assert Settings().workers == (os.cpu_count() or 1)
    monkeypatch.setenv("GRIDSVC_WORKERS", "3")
    assert Settings().workers == 3
    monkeypatch.setenv("GRIDSVC_WORKERS", "0")
    with pytest.raises(ValidationError, match="workers"):
        Settings()


def test_the_hot_routers_are_matched_first(sample_url: str) -> None:
    """gridsvc.api.app.match_first: the look-ups and OGC routers come first, and every other
    route is still there (the order changes no answer: no other router has their paths)."""
    from gridsvc.api.routes import lookups, ogc

    app = create_app(Settings(), url=sample_url)
    routers = [getattr(r, "original_router", None) for r in app.router.routes]
    assert routers[:2] == [lookups.router, ogc.router]
    assert routers.count(lookups.router) == routers.count(ogc.router) == 1  # moved, not copied
    with TestClient(app) as client:
        assert client.get("/ogc/conformance").status_code == 200
        assert client.get("/health").status_code == 200


def test_the_look_up_pool_has_its_own_size_and_start_up_objects_are_frozen(
    sample_url: str,
) -> None:
    import gc

    app = create_app(Settings(pool_size=5, lookup_pool_size=3), url=sample_url)
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        assert app.state.pool.size == 5
        assert app.state.async_pool.size == 3
        assert gc.get_freeze_count() > 0  # start-up objects left out of full collections
    with pytest.raises(ValidationError):
        Settings(lookup_pool_size=0)


def children(pid: int) -> list[int]:
    """Live child processes of `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def test_workers_listen_each_on_their_own_socket_and_are_replaced_and_stopped(
    sample_url: str,
) -> None:
    port = free_port()
    server = start_server(sample_url, port, workers=2)
    try:
        # the spawn machinery's resource tracker is a child too: the workers hold the port
        listening = [p for p in children(server.pid) if holds_port(p, port)]
        assert len(listening) == 2
        for _ in range(20):  # every new connection is answered, whichever worker takes it
            assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
        os.kill(listening[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = [p for p in children(server.pid) if holds_port(p, port)]
            if len(now) == 2 and listening[0] not in now:
                break
            time.sleep(0.3)
        else:
            pytest.fail("the killed worker was not replaced")
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    time.sleep(0.5)
    assert not [p for p in now if Path(f"/proc/{p}").exists() and holds_port(p, port)]


def holds_port(pid: int, port: int) -> bool:
    """Whether process `pid` has a listening TCP socket on `port` (from /proc/net/tcp)."""
    try:
        inodes = {
            link.readlink().name[8:-1]
            for link in Path(f"/proc/{pid}/fd").iterdir()
            if link.readlink().name.startswith("socket:[")
        }
    except OSError:
        return False
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        if int(parts[1].split(":")[1], 16) == port and parts[3] == "0A" and parts[9] in inodes:
            return True
    return False


def test_a_second_server_on_a_port_in_use_is_refused(live) -> None:  # type: ignore[no-untyped-def]
    port = int(live.url.rsplit(":", 1)[1].rstrip("/"))
    done = subprocess.run(
        [sys.executable, "-m", "gridsvc", "serve", "--port", str(port), "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "already in use" in done.stderr
