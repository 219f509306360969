"""Time of rendering the sample street: all 38 section maps, the overview and the print pages
as HTML (no browser; target ≤ 5 s), then the whole atlas with every format (PNG maps, PDF
sheets, cards, org charts, overview and atlas.pdf from one Chromium; target ≤ 30 s).
Medians of --runs runs (default 3) with min/max, and the load average before and after.
Run: .venv/bin/python benchmarks/maps.py [--runs 3] [--atlas-runs 1] [--out DIR]"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from actor import BENCH, assign  # benchmarks/actor.py
from store import bench_store  # benchmarks/store.py: this folder is on sys.path

from gridsvc.assign import Params
from gridsvc.services.maps import render_files
from gridsvc.services.offices import load_offices

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"html": 5.0, "atlas": 30.0}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(runs: int, step) -> list[float]:  # type: ignore[no-untyped-def]
    seconds = []
    for i in range(runs):
        started = time.perf_counter()
        step(i)
        seconds.append(time.perf_counter() - started)
    return seconds


def report(label: str, seconds: list[float], target: float) -> None:
    median = statistics.median(seconds)
    verdict = "meets" if median <= target else "MISSES"
    print(
        f"{label}: median {median:.1f} s (min {min(seconds):.1f}, max {max(seconds):.1f}, "
        f"{len(seconds)} runs) — {verdict} the target of {target:.0f} s; load {load()}"
    )


def sizes(base: Path) -> str:
    parts = []
    for pattern in ("sections/*.html", "print/*.pdf", "cards/*.pdf", "orgcharts/*.pdf", "*.pdf"):
        files = list(base.glob(pattern))
        mb = sum(p.stat().st_size for p in files) / 1e6
        parts.append(f"{pattern} {len(files)} files {mb:.1f} MB")
    return "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--atlas-runs", type=int, default=1, help="the atlas is slow: 1 default")
    parser.add_argument("--out", type=Path, help="keep the files here (default: a temp dir)")
    args = parser.parse_args()
    print(f"load average at start: {load()} ({os.cpu_count()} cores)")
    with bench_store("gridsvc_bench_maps") as (conn, _):
        conn.autocommit = True
        load_offices(conn, BENCH, ROOT / "geodata" / "guihua")
        assign(conn, Params())
        with tempfile.TemporaryDirectory() as tmp:
            base = args.out or Path(tmp)

            def html(i: int) -> None:
                render_files(conn, BENCH, base / f"html-{i}", formats=("html",), atlas=False)

            report("HTML (38 maps, overview, 115 print pages)", timed(args.runs, html), 5.0)
            stages: list[dict[str, float]] = []

            def atlas(i: int) -> None:
                done = render_files(
                    conn,
                    BENCH,
                    base / f"atlas-{i}",
                    formats=("html", "png", "pdf"),
                    public_url="https://grid.example.cn",
                )
                stages.append(done.seconds)
                if done.problems:
                    print("problems:", *done.problems[:5], sep="\n  ")

            report("atlas, every format", timed(args.atlas_runs, atlas), 30.0)
            print(f"  stages of the last run (s): {stages[-1]}")
            print(f"  files: {sizes(base / f'atlas-{args.atlas_runs - 1}')}")


if __name__ == "__main__":
    main()
