"""Benchmark importing a large household register (GBK CSV, Chinese headers, GCJ-02).

Builds a register of N households (default 100,000) spread over the sample street's groups
and, --repeat times, each in a fresh throw-away database: imports it (all new, crs auto),
imports the same file again (all unchanged), and again naming the crs. Prints each as median
[min, max] with rows per second, and the load average.
Run: .venv/bin/python benchmarks/import_households.py [--rows N] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from actor import BENCH  # benchmarks/actor.py
from store import bench_store  # benchmarks/store.py: this folder is on sys.path

from gridsvc.coords import from_cgcs2000
from gridsvc.services.imports import import_register

ROOT = Path(__file__).resolve().parents[1]


def build_register(rows: int, path: Path) -> Path:
    sample = pd.read_csv(ROOT / "geodata" / "guihua" / "households.csv", dtype={"phone": str})
    rng = np.random.default_rng(7)
    picked = sample.iloc[rng.integers(0, len(sample), rows)].reset_index(drop=True)
    # scatter within ~5 m of a sample home, so every row still lies in a group
    lon = picked["lon"] + rng.normal(0, 2e-5, rows)
    lat = picked["lat"] + rng.normal(0, 2e-5, rows)
    glon, glat = from_cgcs2000(lon, lat, "gcj02")
    pd.DataFrame(
        {
            "户编号": [f"B{i:07d}" for i in range(rows)],
            "户主姓名": picked["head_name"],
            "联系电话": picked["phone"],
            "家庭住址": picked["address"],
            "经度": np.round(glon, 7),
            "纬度": np.round(glat, 7),
            "重点户类别": picked["key_category"].fillna(""),
        }
    ).to_csv(path, index=False, encoding="gbk")
    return path


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min; {os.cpu_count()} cores)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at start: {load_average()}")
    labels = ("first import (all new)", "same file again (all unchanged)", "again, crs named")
    times: dict[str, list[float]] = {label: [] for label in labels}
    with tempfile.TemporaryDirectory() as folder:
        path = build_register(args.rows, Path(folder) / "register.csv")
        size_mb = path.stat().st_size / 1e6
        for _ in range(args.repeat):  # each in a fresh store: no dead rows of an earlier one
            with bench_store("gridsvc_bench_import") as (conn, _):
                for label, crs in zip(labels, ("auto", "auto", "gcj02"), strict=True):
                    started = time.perf_counter()
                    report = import_register(
                        conn, BENCH, "households", path, report_dir=None, crs=crs
                    )
                    times[label].append(time.perf_counter() - started)
                    assert not report.rejected, report.rejected[:3]
    print(f"{args.rows:,} households, {size_mb:.1f} MB GBK CSV, GCJ-02 coordinates")
    for label, values in times.items():
        median = statistics.median(values)
        print(
            f"  {label:<34} median {median:.2f} s [{min(values):.2f}, {max(values):.2f}] of "
            f"{len(values)} = {args.rows / median:,.0f} rows/s"
        )
    print(f"load average at end: {load_average()}")


if __name__ == "__main__":
    main()
