"""Work figures on the sample street (1,051 representatives, ~10,400 households, a year of
visits, points and receptions): the points roll-up with ranks (target ≤ 200 ms) and the
year's rota for every station (target ≤ 1 s). Medians of 3 runs, min/max, load average."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

from actor import BENCH, assign  # benchmarks/actor.py
from store import SAMPLE, bench_store  # benchmarks/store.py

from gridsvc.db.frames import one
from gridsvc.services import points, rota, visits
from gridsvc.services.work_load import load_work


def measure(label: str, target_s: float, work: Callable[[], object], runs: int = 3) -> None:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    verdict = "ok" if statistics.median(times) <= target_s else "OVER TARGET"
    print(
        f"{label}: median {statistics.median(times) * 1000:.0f} ms "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}; target "
        f"{target_s * 1000:.0f} ms: {verdict}); load average {load}"
    )


def main() -> None:
    with bench_store("gridsvc_bench_work") as (conn, _):
        conn.autocommit = True
        assign(conn)
        start = time.perf_counter()
        done = load_work(conn, BENCH, SAMPLE, year=2026)
        print(f"loaded a year of work in {time.perf_counter() - start:.1f} s: {done}")
        entries = one(conn, "SELECT count(*) AS n FROM point_entry")
        print(f"point entries: {entries['n'] if entries else 0}")
        year = points.parse_period("2026")
        measure("points roll-up, 2026, whole street", 0.2, lambda: points.totals(conn, BENCH, year))
        measure(
            "points roll-up, 2026Q3, one community",
            0.2,
            lambda: points.totals(conn, BENCH, points.parse_period("2026Q3"), community="GH01"),
        )
        # the rota of another year: 2026's has attendance recorded and stays as it is
        measure("rota for a year (8 stations)", 1.0, lambda: rota.make_rota(conn, BENCH, 2027))
        measure(
            "visit shares per representative, 2026",
            1.0,
            lambda: visits.shares(conn, BENCH, "representative", year.start, year.end),
        )
        measure(
            "overdue visits, whole street, with 2,000 walking orders",
            5.0,
            lambda: visits.overdue(conn, BENCH),
        )


if __name__ == "__main__":
    main()
