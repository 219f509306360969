"""What log-in sessions cost: Argon2 hashing and verifying, a whole log-in over HTTP, and a
look-up answered for a session cookie against the same look-up for an API key (wrk).

Prints medians of 3 runs with min/max, and the load average. Uses a throw-away database with
the sample street assigned and `gridsvc serve` with one worker. Needs wrk.
Run: .venv/bin/python benchmarks/sessions.py [--seconds 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from actor import BENCH, assign  # benchmarks/actor.py
from store import bench_store  # benchmarks/store.py: this folder is on sys.path

from gridsvc.access import Role, Scope
from gridsvc.assign import Params
from gridsvc.db.frames import read_frame
from gridsvc.services import keys, users

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.api.conftest import free_port, start_server  # noqa: E402

PASSWORD = "benchmark-password"
LUA = """
local paths = {{{paths}}}
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {{{header}}})
end
"""


def three(label: str, unit: str, measure: Callable[[], float]) -> None:
    runs = [measure() for _ in range(3)]
    print(
        f"{label:>44}: median {statistics.median(runs):9.1f} {unit}"
        f"  (min {min(runs):.1f}, max {max(runs):.1f})"
    )


def timed_ms(action: Callable[[], object], times: int) -> float:
    started = time.perf_counter()
    for _ in range(times):
        action()
    return (time.perf_counter() - started) * 1000 / times


def log_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]  # type: ignore[index]
    answer = client.post("/login", data={"name": "bench", "password": PASSWORD, "csrf": token})
    assert answer.status_code == 303, answer.text
    return client


def wrk_rps(base: str, paths: list[str], header: str, args: argparse.Namespace) -> float:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "s.lua"
        script.write_text(LUA.format(paths=",".join(f'"{p}"' for p in paths), header=header))
        out = subprocess.run(
            ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s", "-s", str(script), base],
            capture_output=True,
            text=True,
            timeout=args.seconds + 60,
        ).stdout
    assert "Non-2xx" not in out, out
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    hasher = users.hasher()
    stored = hasher.hash(PASSWORD)
    t, m, p = hasher.time_cost, hasher.memory_cost, hasher.parallelism
    print(f"argon2id parameters: t={t} m={m} KiB p={p}")
    three("argon2 hash", "ms", lambda: timed_ms(lambda: hasher.hash(PASSWORD), 5))
    three("argon2 verify", "ms", lambda: timed_ms(lambda: hasher.verify(stored, PASSWORD), 5))
    with bench_store("gridsvc_bench_sessions") as (conn, url):
        assign(conn, Params())
        users.add_user(conn, BENCH, "bench", Role.viewer, Scope(), PASSWORD)
        key = keys.create_key(conn, BENCH, "benchmark", Role.viewer)
        conn.commit()
        codes = read_frame(conn, "SELECT code FROM household ORDER BY random() LIMIT 2000")
        paths = [f"/households/{c}/representative" for c in codes["code"]]
        port = free_port()
        server = start_server(url, port)
        base = f"http://127.0.0.1:{port}"
        try:
            three("log-in over HTTP (form + post)", "ms", lambda: timed_ms(lambda: log_in(base), 5))
            cookie = log_in(base).cookies["gridsvc_session"]
            print(f"wrk: {args.seconds} s, {args.connections} connections, 1 server worker")
            for label, header in (
                ("household -> representative, API key", f'["X-API-Key"] = "{key}"'),
                (
                    "household -> representative, session",
                    f'["Cookie"] = "gridsvc_session={cookie}"',
                ),
            ):
                three(label, "req/s", lambda h=header: wrk_rps(base, paths, h, args))
        finally:
            server.terminate()
            server.wait(10)
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
