"""Load the look-ups with wrk on 127.0.0.1 for a bounded time; print requests per second and
p50/p99 latency (median [min, max] of --repeat runs) at 16 and 64 connections for
/households/{code}/representative, /locate and an OGC items page, beside the ceiling of the
same stack (one `SELECT 1` per request, benchmarks/ceiling.py) measured in the same run, with
the machine's load average before and after each case.

Uses a throw-away database with the sample street assigned, a viewer key, and `gridsvc serve`
with one worker (GRIDSVC_WORKERS). Needs wrk (Debian: apt-get install wrk).
Run: .venv/bin/python benchmarks/api.py [--seconds 10] [--connections 16 64] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
from actor import BENCH, assign  # benchmarks/actor.py
from store import bench_store  # benchmarks/store.py: this folder is on sys.path

from gridsvc.access import Role
from gridsvc.assign import Params
from gridsvc.db.frames import read_frame
from gridsvc.services import keys

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.api.conftest import free_port, start_server  # noqa: E402

LUA = """
local key = "{key}"
local paths = {{{paths}}}
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {{["X-API-Key"] = key}})
end
"""


def lua_script(folder: Path, name: str, key: str, paths: list[str]) -> Path:
    path = folder / f"{name}.lua"
    path.write_text(LUA.format(key=key, paths=",".join(f'"{p}"' for p in paths)))
    return path


def parse(output: str) -> tuple[float, str, str, str]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rps, p50, p99, errors.group(1) if errors else "0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--threads", type=int, default=1, help="wrk threads (it shares the 2 cores)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with bench_store("gridsvc_bench_api") as (conn, url):
        assign(conn, Params())
        key = keys.create_key(conn, BENCH, "benchmark", Role.viewer)
        conn.commit()
        houses = read_frame(
            conn,
            "SELECT code, ST_X(geom) AS lon, ST_Y(geom) AS lat"
            " FROM household ORDER BY random() LIMIT 3000",
        )
        load(args, url, key, houses)


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def wrk(port: int, script: Path, connections: int, seconds: int, threads: int) -> str:
    return subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout


def start_ceiling(url: str, port: int) -> subprocess.Popen:
    """benchmarks/ceiling.py under uvicorn with gridsvc's own server options."""
    code = (
        "import uvicorn, ceiling; from gridsvc.api.app import server_options;"
        "from gridsvc.settings import Settings;"
        f"uvicorn.run(ceiling.app, host='127.0.0.1', port={port}, log_level='warning',"
        " access_log=False, **server_options(Settings()))"
    )
    env = {**os.environ, "GRIDSVC_DATABASE_URL": url, "PYTHONPATH": str(ROOT / "benchmarks")}
    server = subprocess.Popen([sys.executable, "-c", code], env=env)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/select1", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the ceiling server did not start")


def measure(label: str, port: int, script: Path, args: argparse.Namespace) -> None:
    for connections in args.connections:
        before = load_average()
        runs = [
            parse(wrk(port, script, connections, args.seconds, args.threads))
            for _ in range(args.repeat)
        ]
        rps = [r[0] for r in runs]
        print(
            f"{label:>36} c={connections:<3}: {statistics.median(rps):7.0f} req/s"
            f" [{min(rps):.0f}, {max(rps):.0f}]  p50 {runs[0][1]:>8}  p99 {runs[0][2]:>8}"
            f" (first run)  non-2xx {sum(int(r[3]) for r in runs)}"
            f"  load {before} -> {load_average()}"
        )


def load(args: argparse.Namespace, url: str, key: str, houses) -> None:  # type: ignore[no-untyped-def]
    """Start the server on the store at `url` and run wrk against each look-up."""
    rng = np.random.default_rng(1)
    jitter = rng.normal(0, 2e-5, (len(houses), 2))
    scenarios = {
        "/households/{code}/representative": [
            f"/households/{c}/representative" for c in houses["code"]
        ],
        "/locate": [
            f"/locate?lon={x + dx:.6f}&lat={y + dy:.6f}"
            for x, y, (dx, dy) in zip(houses["lon"], houses["lat"], jitter, strict=True)
        ],
        "/ogc/.../groups/items (10)": [
            f"/ogc/collections/groups/items?limit=10&offset={o}" for o in range(0, 120, 10)
        ],
    }
    port = free_port()
    server = start_server(url, port, workers=args.workers)
    try:
        with tempfile.TemporaryDirectory() as folder:
            print(
                f"wrk, {args.seconds} s each, {args.repeat} runs, {args.threads} thread(s), "
                f"server with {args.workers} worker(s), 127.0.0.1:{port}; "
                f"{os.cpu_count()} cores, load average {load_average()}"
            )
            for label, paths in scenarios.items():
                measure(label, port, lua_script(Path(folder), "s", key, paths), args)
    finally:
        server.terminate()
        server.wait(10)
    ceiling_port = free_port()
    ceiling = start_ceiling(url, ceiling_port)
    try:
        with tempfile.TemporaryDirectory() as folder:
            script = lua_script(Path(folder), "c", key, ["/select1"])
            measure("ceiling: one SELECT 1 per request", ceiling_port, script, args)
    finally:
        ceiling.terminate()
        ceiling.wait(10)


if __name__ == "__main__":
    main()
