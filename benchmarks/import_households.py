"""Benchmark importing a large household register (GBK CSV, Chinese headers, GCJ-02).

Builds a register of N households (default 100,000) spread over the sample street's groups,
imports it twice into a throw-away database (new rows, then the same file: all unchanged) and
prints rows per second. Run: .venv/bin/python benchmarks/import_households.py [--rows N]
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with bench_store("gridsvc_bench_import") as (conn, _), tempfile.TemporaryDirectory() as folder:
        path = build_register(args.rows, Path(folder) / "register.csv")
        size_mb = path.stat().st_size / 1e6
        for label in ("first import (all new)", "same file again (all unchanged)"):
            started = time.perf_counter()
            report = import_register(conn, BENCH, "households", path, report_dir=None)
            seconds = time.perf_counter() - started
            print(
                f"{label:>32}: {report.rows_read:,} rows ({size_mb:.1f} MB GBK CSV, "
                f"crs auto -> {report.crs}) in {seconds:.1f} s = "
                f"{report.rows_read / seconds:,.0f} rows/s; new {report.new:,}, "
                f"unchanged {report.unchanged:,}, rejected {len(report.rejected)}"
            )
        times = []
        for _ in range(2):
            started = time.perf_counter()
            import_register(conn, BENCH, "households", path, report_dir=None, crs="gcj02")
            times.append(time.perf_counter() - started)
        print(f"{'re-import, crs named':>32}: median {statistics.median(times):.1f} s")


if __name__ == "__main__":
    main()
