"""Time of rendering the sample street, each measured --repeat times (median [min, max]) with
the load average: all 38 section maps, the overview and the print pages as HTML (no browser;
target ≤ 5 s); the atlas (HTML, every print PDF and atlas.pdf from one Chromium, what the
office prints and the server's print cache keeps; target ≤ 30 s); and every format (the
same plus the PNG maps, made only when asked for; target ≤ 30 s).
Run: .venv/bin/python benchmarks/maps.py [--repeat 3] [--out DIR]"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from actor import BENCH, assign  # benchmarks/actor.py
from store import bench_store  # benchmarks/store.py: this folder is on sys.path

from gridsvc.assign import Params
from gridsvc.maps.render import Rendered
from gridsvc.maps.sheets import qr_svg
from gridsvc.services.maps import render_files
from gridsvc.services.offices import load_offices

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_URL = "https://grid.example.cn"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu() -> float:
    """CPU seconds of this process and of its finished children (Chromium, once closed):
    steadier than the wall clock when others share the cores."""
    mine, theirs = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return mine.ru_utime + mine.ru_stime + theirs.ru_utime + theirs.ru_stime


def report(label: str, step: Callable[[int], Rendered], repeat: int, target: float) -> None:
    seconds, stages, used = [], [], []
    for i in range(repeat):
        qr_svg.cache_clear()  # every run makes its QR codes, as a fresh server would
        started, spent = time.perf_counter(), cpu()
        done = step(i)
        seconds.append(time.perf_counter() - started)
        used.append(cpu() - spent)
        stages.append(done.seconds)
        if done.problems:
            print("  problems:", *done.problems[:5], sep="\n    ")
    median = statistics.median(seconds)
    verdict = "meets" if median <= target else "MISSES"
    print(
        f"{label}: median {median:.1f} s [min {min(seconds):.1f}, max {max(seconds):.1f}] "
        f"over {repeat} runs, {verdict} the target of {target:.0f} s; load {load()}"
    )
    print(f"  CPU seconds (this process and Chromium): median {statistics.median(used):.1f}")
    print(f"  stages of each run (s): {stages}")


def sizes(base: Path) -> str:
    parts = []
    for pattern in ("sections/*.png", "print/*.pdf", "cards/*.pdf", "orgcharts/*.pdf", "*.pdf"):
        files = list(base.glob(pattern))
        mb = sum(p.stat().st_size for p in files) / 1e6
        parts.append(f"{pattern} {len(files)} files {mb:.1f} MB")
    return "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="keep the files here (default: a temp dir)")
    args = parser.parse_args()
    print(f"load average at start: {load()} ({os.cpu_count()} cores)")
    with bench_store("gridsvc_bench_maps") as (conn, _):
        conn.autocommit = True
        load_offices(conn, BENCH, ROOT / "geodata" / "guihua")
        assign(conn, Params())
        with tempfile.TemporaryDirectory() as tmp:
            base = args.out or Path(tmp)

            def run(name: str, formats: tuple[str, ...]) -> Callable[[int], Rendered]:
                return lambda i: render_files(
                    conn, BENCH, base / f"{name}-{i}", formats=formats, public_url=PUBLIC_URL
                )

            report(
                "HTML (38 maps, overview, 114 print pages)", run("html", ("html",)), args.repeat, 5
            )
            report(
                "atlas (HTML, print PDFs, atlas.pdf)",
                run("atlas", ("html", "pdf")),
                args.repeat,
                30,
            )
            report(
                "every format (atlas and PNG maps)",
                run("all", ("html", "png", "pdf")),
                args.repeat,
                30,
            )
            print(f"  files of the last run: {sizes(base / f'all-{args.repeat - 1}')}")


if __name__ == "__main__":
    main()
