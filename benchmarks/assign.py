"""Benchmark `gridsvc assign` end to end: the sample street and generated cities (compounds of
building units and villages) of the given sizes, each in a throw-away store.

For each street it prints the machine's load average, then `gridsvc assign` (a fresh run: read
from the store, solve, store the run and put it in force) --repeat times: every stage as
median [min, max] (read; build the problem; build arcs, inside the solve and summed over its
workers; solve; gather units; metrics and findings, worked out while the rows are stored;
store; commit; prune), the end-to-end time as median [min, max] with its CPU time (this
process and its workers), the peak memory of the whole process tree (sum of RSS, and of PSS,
which counts pages shared after fork once; the database server is not in it), and the quality
of the result. Then the fitted exponent of time against households over the cities (log-log,
end to end and per stage). With --no-db, the pure stages only, on frames made in memory.
Run: .venv/bin/python benchmarks/assign.py [--sizes 10000 100000 1000000] [--repeat 3]
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


E2E_STAGES = ("read", "build", "arcs", "solve", "gather", "metrics", "store", "commit", "prune")
E2E_LABELS = {
    "read": "read (households, reps, run in force, pins)",
    "build": "build the problem (metres, units, hashes)",
    "arcs": "build arcs (in the solve, summed over workers)",
    "solve": "solve (min-cost flow per component)",
    "gather": "gather building units",
    "metrics": "metrics and findings (while the rows are stored)",
    "store": "store (COPY, index, attach; run record)",
    "commit": "commit",
    "prune": "prune old runs",
}


def end_to_end(label: str, load, repeat: int, memory: TreeMemory) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """`gridsvc assign` (fresh) `repeat` times on a throw-away store filled by `load`; prints
    the stage table and returns the median seconds per stage and end to end ("total")."""
    with bench_store("gridsvc_bench", sample=False) as (conn, _):
        load(conn)
        memory.reset()
        walls, cpus, stages = [], [], {stage: [] for stage in E2E_STAGES}
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), cpu_seconds()
            result = assign(conn, Params(), fresh=True)
            walls.append(time.perf_counter() - started)
            cpus.append(cpu_seconds() - started_cpu)
            for stage in E2E_STAGES:
                stages[stage].append(result.stages.get(stage, 0.0))
    m = result.metrics
    print(
        f"{label}: {m['households']:,} households, {m['representatives']:,} representatives, "
        f"{m['blocks']:,} sections, {m['arcs']:,} arcs; load average now {load_average()}"
    )
    for stage in E2E_STAGES:
        values = stages[stage]
        print(
            f"  {E2E_LABELS[stage]:<52} {statistics.median(values):7.3f} s  "
            f"[{min(values):.3f}, {max(values):.3f}]"
        )
    print(
        f"  {'end to end (gridsvc assign, store to run in force)':<52} "
        f"{statistics.median(walls):7.3f} s  [{min(walls):.3f}, {max(walls):.3f}] of "
        f"{len(walls)}  (CPU {statistics.median(cpus):.3f} s, this process and its workers)"
    )
    print(
        f"  peak memory of the process tree: RSS {memory.peak_rss / 1024:,.0f} MB, "
        f"PSS {memory.peak_pss / 1024:,.0f} MB"
    )
    print(
        f"  coverage {m['coverage']}, distance/nearest {m['distance_over_nearest']}, "
        f"{m['building_units']:,} building units, {m['units_split']:,} split "
        f"(+{m['units_gathered_extra_m']:,.0f} m to gather the others)"
    )
    medians = {stage: statistics.median(v) for stage, v in stages.items()}
    medians["total"] = statistics.median(walls)
    return medians


def exponents(totals: dict[int, dict[str, float]], stages: tuple[str, ...]) -> None:
    """Slope of log(time) against log(households): 1 is linear."""
    if len(totals) < 2:
        return
    sizes = np.log(np.array(sorted(totals)))
    slopes = {
        stage: np.polyfit(sizes, np.log([max(totals[n][stage], 1e-6) for n in sorted(totals)]), 1)[
            0
        ]
        for stage in (*stages, "total")
    }
    print(
        "exponent of time against households (log-log fit over the cities): "
        + ", ".join(f"{stage} {slope:.2f}" for stage, slope in slopes.items())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-db", action="store_true", help="the pure stages only, no store")
    args = parser.parse_args()
    print(f"load average at start: {load_average()}")
    memory = TreeMemory()
    if args.no_db:
        households, reps = sample_street()
        bench("sample street", households, reps, args.repeat, memory)
    else:
        end_to_end(
            "sample street",
            lambda conn: load_street(conn, BENCH, ROOT / "geodata" / "guihua"),
            args.repeat,
            memory,
        )
    totals: dict[int, dict[str, float]] = {}
    for size in args.sizes:
        generated = city(size)
        n = len(generated.households)
        if args.no_db:
            runs = bench(
                f"city {size:,}", generated.households, generated.reps, args.repeat, memory
            )
            totals[n] = {k: statistics.median(v) for k, v in runs.items()}
        else:
            totals[n] = end_to_end(
                f"city {size:,}",
                lambda conn, c=generated: write_city(conn, c),
                args.repeat,
                memory,
            )
        del generated
    exponents(totals, STAGES if args.no_db else E2E_STAGES)
    memory.stop()
    print(f"load average at end: {load_average()}")


if __name__ == "__main__":
    main()
