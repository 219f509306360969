"""Residents' requests: submissions per second through the API (JSON, and multipart with a
photo), and the roll-up time at each of the five levels for a street with 100,000 requests.

Uses a throw-away database with the sample street, `gridsvc serve` with one worker and the
abuse limits lifted; clients are Python threads on the same 2 cores (they cost CPU too).
Run: .venv/bin/python benchmarks/requests.py [--submissions 600] [--clients 8] [--requests 100000]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pandas as pd
from actor import BENCH  # benchmarks/actor.py
from PIL import Image
from store import SAMPLE, bench_store  # benchmarks/store.py: this folder is on sys.path

from gridsvc import sample_requests
from gridsvc.services import request_figures, request_sample
from gridsvc.services.request_rules import RequestRules

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.api.conftest import free_port, start_server  # noqa: E402

LEVELS = ("street", "community", "section", "group", "representative")


def spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):8.1f}  min {min(values):8.1f}  max {max(values):8.1f}"
    )


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (120, 160, 90)).save(out, "JPEG", quality=90)
    return out.getvalue()


def submissions(url: str, reps: list[str], n: int, clients: int) -> tuple[list[float], list[float]]:
    """Three timed rounds of `n` JSON submissions and of n/4 multipart ones with a photo."""
    os.environ.update(
        GRIDSVC_REQUEST_LIMIT_IP_HOUR="100000000",
        GRIDSVC_REQUEST_LIMIT_PHONE_DAY="100000000",
        GRIDSVC_REQUEST_LIMIT_REP_HOUR="100000000",
    )
    port = free_port()
    server = start_server(url, port)
    base = f"http://127.0.0.1:{port}"
    photo = jpeg()
    local = httpx.Client(base_url=base, timeout=60, limits=httpx.Limits(max_connections=clients))

    def post_json(i: int) -> int:
        body = {"category": "repair", "text": f"路灯不亮 {i}", "phone": "13812345678",
                "representative": reps[i % len(reps)]}  # fmt: skip
        return local.post("/requests", json=body).status_code

    def post_photo(i: int) -> int:
        data = {"category": "sanitation", "text": f"垃圾 {i}", "phone": "13812345678",
                "representative": reps[i % len(reps)]}  # fmt: skip
        files = [("photos", ("p.jpg", photo, "image/jpeg"))]
        return local.post("/requests", data=data, files=files).status_code

    rates: dict[str, list[float]] = {"json": [], "photo": []}
    try:
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(post_json, range(clients * 4)))  # warm the pool and the caches
            for _ in range(3):
                for label, work, count in (("json", post_json, n), ("photo", post_photo, n // 4)):
                    start = time.perf_counter()
                    codes = list(pool.map(work, range(count)))
                    elapsed = time.perf_counter() - start
                    assert set(codes) == {201}, set(codes)
                    rates[label].append(count / elapsed)
    finally:
        local.close()
        server.terminate()
        server.wait(10)
    return rates["json"], rates["photo"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--rollup-only", action="store_true", help="skip the submissions")
    args = parser.parse_args()
    reps = pd.read_csv(SAMPLE / "representatives.csv")
    homes = pd.read_csv(SAMPLE / "households.csv")
    print(f"load average before: {os.getloadavg()}")
    with bench_store("gridsvc_bench_requests") as (conn, url):
        json_rates, photo_rates = submissions(
            url, list(reps["code"]), args.submissions, args.clients
        )
        print(f"submissions/s, JSON ({args.submissions} per round, {args.clients} clients): "
              f"{spread(json_rates)}")  # fmt: skip
        print(f"submissions/s, multipart with a 1600×1200 JPEG: {spread(photo_rates)}")
        print(f"load average: {os.getloadavg()}")

        start = time.perf_counter()
        frame = sample_requests.generate(
            reps, homes, count=args.requests, resolved=int(args.requests * 0.95), seed=5
        )
        made = time.perf_counter() - start
        start = time.perf_counter()
        loaded, events = request_sample.load(conn, BENCH, RequestRules(), frame.astype(object))
        print(f"{loaded:,} requests generated in {made:.1f} s, loaded with {events:,} events "
              f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
        conn.commit()
        conn.autocommit = True
        with conn.cursor() as cur:  # as autovacuum would have done by the time anyone looks
            cur.execute("VACUUM ANALYZE request")
        floor = []
        for _ in range(3):
            start = time.perf_counter()
            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM request")
            floor.append((time.perf_counter() - start) * 1000)
        print(f"floor: SELECT count(*) FROM request, ms: {spread(floor)}  (the machine's load)")
        for level in LEVELS:
            request_figures.rollup(conn, BENCH, level)  # warm
            times = []
            for _ in range(3):
                start = time.perf_counter()
                found = request_figures.rollup(conn, BENCH, level)
                times.append((time.perf_counter() - start) * 1000)
            total = sum(f.collected for f in found)
            print(f"roll-up by {level:>14} ({len(found):>5} places, {total:,} requests), ms: "
                  f"{spread(times)}")  # fmt: skip
        times = []
        for _ in range(3):
            start = time.perf_counter()
            request_figures.home_figures(conn, BENCH)
            times.append((time.perf_counter() - start) * 1000)
        print(f"home page figures (last 365 days), ms: {spread(times)}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
