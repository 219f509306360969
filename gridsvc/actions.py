"""Planner actions shared by the CLI and the API; each one is a single transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gridsvc.assign import Params, solve
from gridsvc.assign.diagnostics import explain
from gridsvc.assign.metrics import compute
from gridsvc.assign.problem import problem_from_frames
from gridsvc.coords import from_metric
from gridsvc.db import runs
from gridsvc.db.connection import Connection, transaction
from gridsvc.db.street import write_street
from gridsvc.errors import InputError
from gridsvc.ingest.street import read_street


def load_street(conn: Connection, folder: Path) -> dict[str, int]:
    """Validate a street folder, then write it whole or not at all."""
    street = read_street(folder)
    with transaction(conn):
        return write_street(conn, street)


@dataclass
class RunResult:
    """What a run stored: its id, figures and findings."""

    run_id: int
    metrics: dict[str, object]
    findings: list[dict[str, object]]


def assign(
    conn: Connection,
    params: Params | None = None,
    *,
    section: str | None = None,
    fresh: bool = False,
) -> RunResult:
    """Solve and store a run, then put it in force; on failure the previous run stays."""
    params = params or Params()
    runs.take_run_lock(conn)
    record = {**params.as_dict(), "section": section, "fresh": fresh}
    try:
        with transaction(conn):
            result = _assign(conn, params, record, section, fresh)
        return result
    except Exception as exc:
        runs.record_failed_run(conn, record, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        runs.release_run_lock(conn)
        conn.commit()


def _assign(
    conn: Connection, params: Params, record: dict, section: str | None, fresh: bool
) -> RunResult:
    section_id = runs.section_id(conn, section) if section else None
    households, reps = runs.inputs(conn, section_id)
    if households.empty:
        raise InputError("there are no households to assign: load a street or import a register")
    previous_run = runs.run_in_force(conn)
    if section_id is not None and previous_run is None:
        raise InputError(f"--section {section}: needs a run in force for the other sections")
    previous = (
        None if fresh or previous_run is None else runs.current_representatives(conn, previous_run)
    )
    problem, epsg = problem_from_frames(households, reps, params, previous)
    solution = solve(problem, params)
    metrics = compute(problem, solution)
    metrics["reps_over_key_max"] = int(
        (
            np.bincount(solution.rep[solution.covered & problem.hh_key], minlength=problem.n_reps)
            > params.key_max
        ).sum()
    )
    metrics["metric_epsg"] = epsg
    groups = runs.labels(conn, "resident_group")
    findings = []
    for finding in explain(problem, solution, params, groups, reps["code"].tolist()):
        item = finding.as_dict()
        if finding.point_xy is not None:
            lon, lat = from_metric([finding.point_xy[0]], [finding.point_xy[1]], epsg)
            item["point"] = [round(float(lon[0]), 7), round(float(lat[0]), 7)]
        item["group"] = groups.get(finding.group) if finding.group is not None else None
        item["rep"] = reps["code"].iloc[finding.rep] if finding.rep is not None else None
        item.pop("point_xy")
        findings.append(item)
    rep_ids = reps["id"].to_numpy()
    rows = pd.DataFrame(
        {
            "household_id": households["id"],
            "representative_id": pd.Series(
                rep_ids[np.maximum(solution.rep, 0)]
                if len(rep_ids)
                else np.zeros(len(households), np.int64),
                dtype="Int64",
            ).mask(~solution.covered),
            "distance_m": np.round(solution.distance_m, 2),
            "cross_group": solution.cross_group,
            "lon": households["lon"],
            "lat": households["lat"],
        }
    )
    run_id = runs.store_run(
        conn,
        record,
        metrics,
        findings,
        rows,
        keep_from=previous_run if section_id is not None else None,
        keep_except_section=section_id,
    )
    return RunResult(run_id, metrics, findings)
