"""Benchmark the assignment: the sample street and generated cities (compounds of building units
and villages) of the given sizes.

Prints the machine's load average at the start and the end; for each street, every pure stage
(build the problem from the store's frames, solve, gather units, metrics, explain/diagnostics)
as median [min, max] over --repeat runs with its CPU time (this process and its workers), the
peak memory of the whole process tree (sum of RSS, and of PSS, which counts pages shared after
fork once), the quality of the result, and, unless --no-db, the end-to-end time of `gridsvc
assign` with the database (read, solve, store). Then the fitted exponent of time against size
over the cities. Uses a throw-away database in the private cluster.
Run: .venv/bin/python benchmarks/assign.py [--sizes 10000 100000 1000000] [--no-db]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import shapely
from actor import BENCH, assign  # benchmarks/actor.py
from cities import EPSG, GROUP_M, City, city, sample_street  # benchmarks/: on sys.path
from shapely.geometry import box
from store import bench_store

from gridsvc.assign import Params, Problem, solve
from gridsvc.assign.baseline import greedy_nearest
from gridsvc.assign.cohesion import keep_units_together
from gridsvc.assign.diagnostics import explain, split_units
from gridsvc.assign.metrics import compute, nearest_lower_bound
from gridsvc.assign.problem import problem_from_frames
from gridsvc.coords import from_metric
from gridsvc.services.imports import load_street

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("build", "solve", "gather", "metrics", "explain")
GREEDY_UP_TO = 200_000  # the greedy baseline is a Python loop over pairs: skipped above
T = TypeVar("T")


class TreeMemory:
    """Samples the memory of this process and all its descendants every 100 ms."""

    def __init__(self) -> None:
        self.peak_rss = self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def reset(self) -> None:
        self.peak_rss = self.peak_pss = 0

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            rss = pss = 0
            for pid in _tree(os.getpid()):
                rss += _field(f"/proc/{pid}/status", "VmRSS:")
                pss += _field(f"/proc/{pid}/smaps_rollup", "Pss:")
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _field(path: str, name: str) -> int:
    """A 'Name:  123 kB' field of a /proc file, in kB (0 if the process is gone)."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min; {os.cpu_count()} cores)"


def cpu_seconds() -> float:
    """CPU time of this process and of its ended workers (user + system)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_stages(
    households: pd.DataFrame, reps: pd.DataFrame
) -> tuple[dict[str, float], dict[str, float], tuple]:
    """One pass of the pure stages as `gridsvc assign` runs them: wall and CPU seconds per
    stage (CPU time shows the work apart from what other users of the machine take)."""
    params = Params()
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def timed(stage: str, work: Callable[[], T]) -> T:
        started, started_cpu = time.perf_counter(), cpu_seconds()
        result = work()
        seconds[stage] = time.perf_counter() - started
        cpu[stage] = cpu_seconds() - started_cpu
        return result

    problem, _ = timed("build", lambda: problem_from_frames(households, reps, params))
    flow = timed("solve", lambda: solve(problem, params))
    gathered, extra = timed("gather", lambda: keep_units_together(problem, flow))
    timed("metrics", lambda: compute(problem, gathered))
    timed("explain", lambda: (explain(problem, gathered, params), split_units(problem, gathered)))
    return seconds, cpu, (problem, flow, gathered, extra)


def quality(problem: Problem, flow, gathered, extra: float) -> str:  # type: ignore[no-untyped-def]
    total = float(np.nansum(gathered.distance_m))
    flow_total = float(np.nansum(flow.distance_m))
    lower = float(nearest_lower_bound(problem).sum())
    text = f"total/nearest {total / lower:.4f}"
    if problem.n_households <= GREEDY_UP_TO:
        greedy = greedy_nearest(problem)
        ok = greedy >= 0
        greedy_total = float(np.hypot(*(problem.hh_xy[ok] - problem.rep_xy[greedy[ok]]).T).sum())
        text += f", flow/greedy {flow_total / greedy_total:.4f} (greedy ignores minimums)"
    units = len(np.unique(problem.hh_unit[problem.hh_unit >= 0]))
    text += (
        f"; {units:,} building units: {len(split_units(problem, flow)):,} split by the flow, "
        f"{len(split_units(problem, gathered)):,} after gathering, "
        f"+{extra:,.0f} m (+{100 * extra / flow_total:.3f} % of the flow optimum)"
    )
    return text


def bench(
    label: str, households: pd.DataFrame, reps: pd.DataFrame, repeat: int, memory: TreeMemory
) -> dict[str, list[float]]:
    memory.reset()
    runs: dict[str, list[float]] = {stage: [] for stage in (*STAGES, "total")}
    cpu: dict[str, list[float]] = {stage: [] for stage in (*STAGES, "total")}
    for _ in range(repeat):
        seconds, cpu_s, result = run_stages(households, reps)
        for stage in STAGES:
            runs[stage].append(seconds[stage])
            cpu[stage].append(cpu_s[stage])
        runs["total"].append(sum(seconds.values()))
        cpu["total"].append(sum(cpu_s.values()))
    problem = result[0]
    print(
        f"{label}: {problem.n_households:,} households, {problem.n_reps:,} representatives, "
        f"{len(np.unique(problem.hh_group)):,} groups, {len(np.unique(problem.hh_block)):,} "
        f"sections; load average now {load_average()}"
    )
    for stage, values in runs.items():
        print(
            f"  {stage:<8} {statistics.median(values):7.3f} s  "
            f"[{min(values):.3f}, {max(values):.3f}] of {len(values)}  "
            f"(CPU {statistics.median(cpu[stage]):.3f} s)"
        )
    print(
        f"  peak memory of the process tree: RSS {memory.peak_rss / 1024:,.0f} MB, "
        f"PSS {memory.peak_pss / 1024:,.0f} MB"
    )
    print(f"  {quality(*result)}")
    return runs


def write_city(conn, c: City) -> None:  # type: ignore[no-untyped-def]
    """Put a generated city into the store with COPY (areas as squares)."""

    def degrees_wkt(geom: shapely.Geometry) -> str:
        lonlat = shapely.transform(
            geom, lambda xy: np.column_stack(from_metric(xy[:, 0], xy[:, 1], EPSG))
        )
        return shapely.to_wkt(shapely.MultiPolygon(shapely.get_parts(lonlat)), rounding_precision=9)

    def squares(groups: list[int]) -> str:
        """The union of the groups' squares, as CGCS2000 WKT."""
        return degrees_wkt(
            shapely.union_all([box(*c.corner[g], *(c.corner[g] + GROUP_M)) for g in groups])
        )

    section_comm = {s: cc for _, s, cc in c.layout}
    with conn.cursor() as cur:
        for comm in sorted(set(section_comm.values())):
            cur.execute(
                "INSERT INTO community (id, code, name, geom) VALUES (%s, %s, %s,"
                " ST_Multi(ST_GeomFromText(%s, 4490)))",
                (
                    comm + 1,
                    f"C{comm}",
                    f"社区{comm}",
                    squares([g for g, _, cc in c.layout if cc == comm]),
                ),
            )
        for s in sorted(section_comm):
            cur.execute(
                "INSERT INTO grid_section (id, code, name, community_id, geom) VALUES"
                " (%s, %s, %s, %s, ST_Multi(ST_GeomFromText(%s, 4490)))",
                (
                    s + 1,
                    f"S{s}",
                    f"片区{s}",
                    section_comm[s] + 1,
                    squares([g for g, ss, _ in c.layout if ss == s]),
                ),
            )
        buf = io.StringIO()
        for g, s, _ in c.layout:
            buf.write(f"{g + 1}\tG{g}\t小组{g}\t{s + 1}\tSRID=4490;{squares([g])}\n")
        buf.seek(0)
        cur.copy_expert("COPY resident_group (id, code, name, section_id, geom) FROM STDIN", buf)
        buf = io.StringIO()
        for code, g, x, y in zip(
            c.reps["code"], c.reps["group_id"], c.reps["lon"], c.reps["lat"], strict=True
        ):
            buf.write(f"{code}\t代表{code}\t{g}\tSRID=4490;POINT({x:.9f} {y:.9f})\n")
        buf.seek(0)
        cur.copy_expert("COPY representative (code, name, group_id, geom) FROM STDIN", buf)
        hh = c.households
        buf = io.StringIO()
        for i, g, s, k, x, y in zip(
            hh["id"], hh["group_id"], hh["section_id"], hh["key"], hh["lon"], hh["lat"], strict=True
        ):
            key = "低保" if k else "\\N"
            buf.write(f"H{i}\t{g}\t{s}\t{key}\tSRID=4490;POINT({x:.9f} {y:.9f})\n")
        buf.seek(0)
        cur.copy_expert(
            "COPY household (code, group_id, section_id, key_category, geom) FROM STDIN", buf
        )
    conn.commit()


def end_to_end(load, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Seconds to read, solve and store a run on a throw-away store filled by `load`."""
    with bench_store("gridsvc_bench", sample=False) as (conn, _):
        load(conn)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            assign(conn, Params(), fresh=True)
            times.append(time.perf_counter() - started)
        return times


def print_e2e(times: list[float]) -> None:
    print(
        f"  end to end with the database (read, solve, store): median "
        f"{statistics.median(times):.2f} s [{min(times):.2f}, {max(times):.2f}] of {len(times)}; "
        f"load average now {load_average()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--e2e-repeat", type=int, help="end-to-end runs (default: --repeat)")
    parser.add_argument("--no-db", action="store_true", help="skip the end-to-end runs")
    args = parser.parse_args()
    e2e_repeat = args.e2e_repeat or args.repeat
    print(f"load average at start: {load_average()}")
    memory = TreeMemory()
    households, reps = sample_street()
    bench("sample street", households, reps, args.repeat, memory)
    if not args.no_db:
        print_e2e(
            end_to_end(
                lambda conn: load_street(conn, BENCH, ROOT / "geodata" / "guihua"), e2e_repeat
            )
        )
    totals: dict[int, dict[str, float]] = {}
    for size in args.sizes:
        generated = city(size)
        runs = bench(f"city {size:,}", generated.households, generated.reps, args.repeat, memory)
        totals[len(generated.households)] = {k: statistics.median(v) for k, v in runs.items()}
        if not args.no_db:
            print_e2e(end_to_end(lambda conn, c=generated: write_city(conn, c), e2e_repeat))
        del generated
    if len(totals) >= 2:
        sizes = np.log(np.array(sorted(totals)))
        slopes = {
            stage: np.polyfit(sizes, np.log([totals[n][stage] for n in sorted(totals)]), 1)[0]
            for stage in (*STAGES, "total")
        }
        print(
            "exponent of time against households (log-log fit over the cities): "
            + ", ".join(f"{stage} {slope:.2f}" for stage, slope in slopes.items())
        )
    memory.stop()
    print(f"load average at end: {load_average()}")


if __name__ == "__main__":
    main()
