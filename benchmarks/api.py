"""Load the look-ups with wrk on 127.0.0.1 for a bounded time; print requests per second and
p50/p99 latency for /households/{code}/representative, /locate and an OGC items page.

Uses a throw-away database with the sample street assigned, a viewer key, and `gridsvc serve`
with the default 2 workers. Needs wrk (Debian: apt-get install wrk).
Run: .venv/bin/python benchmarks/api.py [--seconds 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
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
    parser.add_argument("--connections", type=int, default=32)
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
                f"wrk, {args.seconds} s each, {args.connections} connections, "
                f"{args.threads} thread(s), server with {args.workers} worker(s), "
                f"127.0.0.1:{port}"
            )
            for label, paths in scenarios.items():
                script = lua_script(Path(folder), "s", key, paths)
                result = subprocess.run(
                    [
                        "wrk",
                        f"-t{args.threads}",
                        f"-c{args.connections}",
                        f"-d{args.seconds}s",
                        "--latency",
                        "-s",
                        str(script),
                        f"http://127.0.0.1:{port}",
                    ],
                    capture_output=True,
                    text=True,
                    timeout=args.seconds + 60,
                )
                rps, p50, p99, errors = parse(result.stdout)
                print(
                    f"{label:>36}: {rps:8.0f} req/s  p50 {p50:>8}  p99 {p99:>8}  non-2xx {errors}"
                )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
