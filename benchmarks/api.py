"""Load the look-ups with wrk on 127.0.0.1 for a bounded time and print, for each case,
requests per second and p99 latency as median [min, max] of --repeat runs, with the load
average before and after: household -> representative, representative -> households, /locate,
the OGC items page of groups (limit=100), and in the same run the peers on the same database:
tipg serving the same table with the same page size (the ratio is printed), one `SELECT 1` per
request on gridsvc's own stack and a constant JSON answer (benchmarks/ceiling.py).

Uses a throw-away database with the sample street assigned, a viewer key, `gridsvc serve` with
its default worker count (GRIDSVC_WORKERS, default one per core; --workers to choose), tipg
(a dev dependency: pip install -e '.[dev]') with as many workers. Needs wrk (apt-get install
wrk). Run: .venv/bin/python benchmarks/api.py [--seconds 10] [--connections 16] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.util
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
from urllib.parse import parse_qs, quote, urlsplit

import numpy as np
from actor import BENCH, assign  # benchmarks/actor.py
from store import bench_store  # benchmarks/store.py: this folder is on sys.path

from gridsvc.access import Role
from gridsvc.assign import Params
from gridsvc.db.frames import read_frame
from gridsvc.services import keys
from gridsvc.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
PAGE = 100  # the OGC page size compared with tipg
LUA = """
local key = "{key}"
local paths = {{{paths}}}
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {{["X-API-Key"] = key}})
end
"""


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(command: list[str], env: dict[str, str], probe: str, name: str) -> subprocess.Popen:
    """Start a server and wait until `probe` answers 200."""
    log = open(f"/tmp/gridsvc-bench-{name}.log", "w")  # noqa: SIM115 - lives with the server
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(probe, timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"{name} did not start: see {log.name}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()


def to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, script: Path, connections: int, seconds: int) -> tuple[float, float, int]:
    """One wrk run: requests per second, p99 in ms, and how many answers were not 2xx/3xx."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99, int(bad.group(1)) if bad else 0


def measure(label: str, url: str, script: Path, args: argparse.Namespace) -> dict[int, float]:
    """Print median [min, max] of the repeats per connection count; return the medians."""
    medians = {}
    for connections in args.connections:
        before = load_average()
        runs = [wrk(url, script, connections, args.seconds) for _ in range(args.repeat)]
        rps = [r[0] for r in runs]
        p99 = [r[1] for r in runs]
        medians[connections] = statistics.median(rps)
        print(
            f"{label:>44} c={connections:<3} {medians[connections]:7.0f} req/s"
            f" [{min(rps):.0f}, {max(rps):.0f}]  p99 {statistics.median(p99):6.1f} ms"
            f" [{min(p99):.1f}, {max(p99):.1f}]  non-2xx {sum(r[2] for r in runs)}"
            f"  load {before} -> {load_average()}",
            flush=True,
        )
    return medians


def lua(folder: Path, name: str, key: str, paths: list[str]) -> Path:
    path = folder / f"{name}.lua"
    path.write_text(LUA.format(key=key, paths=",".join(f'"{p}"' for p in paths)))
    return path


def tipg_url(url: str) -> str:
    """The store's URL as tipg's settings take it: a unix socket folder as a %2F-quoted host."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or "localhost"])[0]
    port = query.get("port", [str(parts.port or 5432)])[0]
    user = parts.username or "postgres"
    return f"postgresql://{user}@{quote(host, safe='')}:{port}{parts.path}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, nargs="+", default=[16])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, help="server processes (default: GRIDSVC_WORKERS)")
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
        reps = read_frame(conn, "SELECT code FROM representative ORDER BY random() LIMIT 1000")
        run(args, url, key, houses, list(reps["code"]))


def run(args: argparse.Namespace, url: str, key: str, houses, reps: list[str]) -> None:  # type: ignore[no-untyped-def]
    workers = args.workers or Settings().workers
    env = {
        **os.environ,
        "GRIDSVC_DATABASE_URL": url,
        "GRIDSVC_WORKERS": str(workers),
        "PYTHONPATH": str(ROOT / "benchmarks"),
    }
    jitter = np.random.default_rng(1).normal(0, 2e-5, (len(houses), 2))
    cases = {
        "household -> representative": [f"/households/{c}/representative" for c in houses["code"]],
        "representative -> households": [f"/representatives/{c}/households" for c in reps],
        "/locate": [
            f"/locate?lon={x + dx:.6f}&lat={y + dy:.6f}"
            for x, y, (dx, dy) in zip(houses["lon"], houses["lat"], jitter, strict=True)
        ],
        f"OGC groups/items?limit={PAGE}": [
            f"/ogc/collections/groups/items?limit={PAGE}&offset={o}" for o in (0, 22)
        ],
    }
    print(
        f"wrk, {args.seconds} s per run, {args.repeat} runs, 1 wrk thread; {workers} server"
        f" worker(s) each; {os.cpu_count()} cores; load average {load_average()}",
        flush=True,
    )
    medians: dict[str, dict[int, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start(
            [sys.executable, "-m", "gridsvc", "serve", "--port", str(port)],
            env,
            f"{base}/health",
            "gridsvc",
        )
        try:
            for i, (label, paths) in enumerate(cases.items()):
                medians[label] = measure(label, base, lua(Path(folder), f"c{i}", key, paths), args)
        finally:
            stop(server)
        measure_tipg(args, url, workers, Path(folder), medians)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        code = (
            "from gridsvc.api.app import server_options;"
            "from gridsvc.api.workers import serve_many;"
            "from gridsvc.settings import Settings;"
            f"serve_many({workers}, dict(host='127.0.0.1', port={port}, log_level='warning',"
            " access_log=False, **server_options(Settings())), app='ceiling:app')"
        )
        ceiling = start([sys.executable, "-c", code], env, f"{base}/select1", "ceiling")
        try:
            script = lua(Path(folder), "select1", key, ["/select1"])
            medians["ceiling"] = measure("ceiling: one SELECT 1 per request", base, script, args)
            script = lua(Path(folder), "constant", key, ["/constant"])
            measure("ceiling: constant JSON, no database", base, script, args)
        finally:
            stop(ceiling)
    for connections in args.connections:
        ceiling_rps = medians["ceiling"][connections]
        for label in cases:
            share = medians[label][connections] / ceiling_rps
            print(f"{label:>44} c={connections:<3} {share:6.0%} of the SELECT 1 ceiling")


def measure_tipg(
    args: argparse.Namespace,
    url: str,
    workers: int,
    folder: Path,
    medians: dict[str, dict[int, float]],
) -> None:
    """tipg on its own port, the same table and page size; print gridsvc's ratio to it."""
    label = f"OGC groups/items?limit={PAGE}"
    if importlib.util.find_spec("tipg") is None:
        print("tipg: not installed (it is a dev dependency: pip install -e '.[dev]')")
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": tipg_url(url),
        "TIPG_DB_TABLES": '["public.resident_group"]',
    }
    command = [sys.executable, "-m", "uvicorn", "tipg.main:app", "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    items = "/collections/public.resident_group/items"
    server = start(command, env, f"{base}{items}?limit=1", "tipg")
    try:
        paths = [f"{items}?limit={PAGE}&offset={o}" for o in (0, 22)]
        theirs = measure(
            f"tipg resident_group/items?limit={PAGE}", base, lua(folder, "tipg", "", paths), args
        )
    finally:
        stop(server)
    for connections, rps in theirs.items():
        ratio = medians[label][connections] / rps
        print(f"{'gridsvc / tipg, OGC items page':>44} c={connections:<3} {ratio:6.1f}x")


if __name__ == "__main__":
    main()
