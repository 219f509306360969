"""Benchmark the assignment: the sample street and generated cities of 100k and 1M households.

Prints, per street/city: solve time (median), end-to-end time with the database (read, solve,
store a run), peak memory, the total distance against the everyone-to-nearest lower bound and
against a greedy nearest-with-capacity baseline. Uses a throw-away database in the private
cluster. Run: .venv/bin/python benchmarks/assign.py [--sizes ...]
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import time
from pathlib import Path

import numpy as np
import shapely
from actor import BENCH, assign  # benchmarks/actor.py
from shapely.geometry import box
from store import bench_store  # benchmarks/store.py: this folder is on sys.path

from gridsvc.assign import Params, Problem, solve
from gridsvc.assign.baseline import greedy_nearest
from gridsvc.assign.metrics import nearest_lower_bound
from gridsvc.assign.problem import problem_from_frames
from gridsvc.coords import from_metric
from gridsvc.db.runs import inputs
from gridsvc.services.imports import load_street

ROOT = Path(__file__).resolve().parents[1]
EPSG = 4547
GROUP_M = 300.0  # a group is a 300 m square; 4 groups make a section, 4 sections a community


def peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def city(households: int, seed: int = 1) -> tuple[Problem, list[tuple[int, int, int]], dict]:
    """A synthetic city of about `households`: groups of ~86 households and ~8.6
    representatives on a grid, every group servable."""
    rng = np.random.default_rng(seed)
    n_groups = max(1, households // 86)
    side = int(np.ceil(np.sqrt(n_groups)))
    gx, gy = np.divmod(np.arange(n_groups), side)
    reps_per = rng.integers(8, 10, n_groups)
    house_per = np.clip(
        np.rint(reps_per * rng.uniform(7.5, 12.5, n_groups)), 5 * reps_per + 1, 15 * reps_per - 1
    ).astype(int)
    origin = np.array([500_000.0, 3_080_000.0])
    corner = origin + np.column_stack([gx, gy]) * GROUP_M
    hh_group = np.repeat(np.arange(n_groups), house_per)
    rep_group = np.repeat(np.arange(n_groups), reps_per)
    hh_xy = corner[hh_group] + rng.uniform(5, GROUP_M - 5, (len(hh_group), 2))
    rep_xy = corner[rep_group] + rng.uniform(5, GROUP_M - 5, (len(rep_group), 2))
    section_of = (gx // 2) * side + gy // 2
    community_of = (gx // 8) * side + gy // 8
    problem = Problem(
        hh_xy=hh_xy,
        hh_group=hh_group,
        hh_block=section_of[hh_group],
        hh_key=rng.random(len(hh_group)) < 0.08,
        rep_xy=rep_xy,
        rep_group=rep_group,
        rep_block=section_of[rep_group],
        rep_min=np.full(len(rep_group), 5),
        rep_max=np.full(len(rep_group), 15),
    )
    layout = [(int(g), int(section_of[g]), int(community_of[g])) for g in range(n_groups)]
    return problem, layout, {"corner": corner}


def write_city(conn, problem: Problem, layout, corner) -> None:  # type: ignore[no-untyped-def]
    """Put a synthetic city into the store with COPY (areas as squares)."""

    def degrees_wkt(geom: shapely.Geometry) -> str:
        lonlat = shapely.transform(geom, lambda xy: np.column_stack(from_metric(*xy.T, EPSG)))
        return shapely.to_wkt(shapely.MultiPolygon(shapely.get_parts(lonlat)), rounding_precision=9)

    def squares(groups: list[int]) -> str:
        """The union of the groups' squares, as CGCS2000 WKT."""
        return degrees_wkt(
            shapely.union_all([box(*corner[g], *(corner[g] + GROUP_M)) for g in groups])
        )

    section_comm = {s: c for _, s, c in layout}
    with conn.cursor() as cur:
        for c in sorted(set(section_comm.values())):
            cur.execute(
                "INSERT INTO community (id, code, name, geom) VALUES (%s, %s, %s,"
                " ST_Multi(ST_GeomFromText(%s, 4490)))",
                (c + 1, f"C{c}", f"社区{c}", squares([g for g, _, cc in layout if cc == c])),
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
                    squares([g for g, ss, _ in layout if ss == s]),
                ),
            )
        buf = io.StringIO()
        for g, s, _ in layout:
            buf.write(f"{g + 1}\tG{g}\t小组{g}\t{s + 1}\tSRID=4490;{squares([g])}\n")
        buf.seek(0)
        cur.copy_expert("COPY resident_group (id, code, name, section_id, geom) FROM STDIN", buf)
        lon, lat = from_metric(*problem.rep_xy.T, EPSG)
        buf = io.StringIO()
        for i, (g, x, y) in enumerate(zip(problem.rep_group, lon, lat, strict=True)):
            buf.write(f"R{i}\t代表{i}\t{g + 1}\tSRID=4490;POINT({x:.9f} {y:.9f})\n")
        buf.seek(0)
        cur.copy_expert("COPY representative (code, name, group_id, geom) FROM STDIN", buf)
        lon, lat = from_metric(*problem.hh_xy.T, EPSG)
        buf = io.StringIO()
        for i, (g, k, x, y) in enumerate(
            zip(problem.hh_group, problem.hh_key, lon, lat, strict=True)
        ):
            section = layout[g][1] + 1
            key = "低保" if k else "\\N"
            buf.write(f"H{i}\t{g + 1}\t{section}\t{key}\tSRID=4490;POINT({x:.9f} {y:.9f})\n")
        buf.seek(0)
        cur.copy_expert(
            "COPY household (code, group_id, section_id, key_category, geom) FROM STDIN", buf
        )
    conn.commit()


def figures(label: str, problem: Problem, solve_times: list[float], e2e: float | None) -> None:
    result = solve(problem)
    total = float(np.nansum(result.distance_m))
    lower = float(nearest_lower_bound(problem).sum())
    greedy = greedy_nearest(problem)
    ok = greedy >= 0
    greedy_total = float(np.hypot(*(problem.hh_xy[ok] - problem.rep_xy[greedy[ok]]).T).sum())
    own, children = peak_mb()
    e2e_text = f"{e2e:.2f} s" if e2e is not None else "-"
    print(
        f"{label:>14} | {problem.n_households:>9,} hh {problem.n_reps:>7,} reps | solve "
        f"median {statistics.median(solve_times):6.2f} s (of {len(solve_times)}) | "
        f"end-to-end {e2e_text:>8} | peak RSS {own:7.0f} MB (+ workers {children:5.0f} MB) | "
        f"total/nearest {total / lower:.4f} | total/greedy {total / greedy_total:.4f} "
        f"(greedy covers {ok.mean():.2%}, ignores minimums)"
    )


def end_to_end(load) -> float:  # type: ignore[no-untyped-def]
    """Seconds to read, solve and store a run on a throw-away store filled by `load`."""
    with bench_store("gridsvc_bench", sample=False) as (conn, _):
        load(conn)
        started = time.perf_counter()
        assign(conn, Params(), fresh=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-db", action="store_true", help="skip the end-to-end runs")
    args = parser.parse_args()
    # the sample street, from the store as gridsvc reads it
    sample_problem = None
    e2e = None
    if not args.no_db:

        def load_sample(conn) -> None:  # type: ignore[no-untyped-def]
            nonlocal sample_problem
            load_street(conn, BENCH, ROOT / "geodata" / "guihua")
            households, reps = inputs(conn)
            sample_problem, _ = problem_from_frames(households, reps, Params())

        e2e = end_to_end(load_sample)
    if sample_problem is not None:
        times = [solve(sample_problem).solve_seconds for _ in range(max(args.repeat, 5))]
        figures("sample street", sample_problem, times, e2e)

    for size in args.sizes:
        problem, layout, extra = city(size)
        times = [solve(problem).solve_seconds for _ in range(args.repeat)]
        e2e = None
        if not args.no_db:
            corner = extra["corner"]
            e2e = end_to_end(
                lambda conn, p=problem, lay=layout, c=corner: write_city(conn, p, lay, c),
            )
        figures(f"city {size:,}", problem, times, e2e)


if __name__ == "__main__":
    main()
