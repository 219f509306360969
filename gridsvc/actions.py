"""Planner actions shared by the CLI and the API; each one is a single transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gridsvc.assign import Params, solve
from gridsvc.assign.cohesion import keep_units_together
from gridsvc.assign.diagnostics import explain, split_units
from gridsvc.assign.metrics import compute
from gridsvc.assign.problem import problem_from_frames
from gridsvc.coords import from_metric
from gridsvc.db import pins, runs, scenarios
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
    scenario: str | None = None,
    add_representatives: Path | None = None,
) -> RunResult:
    """Solve and store a run. A plain run is put in force (on failure the previous stays); a
    scenario is kept beside it, with any representatives it proposes, until promoted."""
    params = params or Params()
    if add_representatives is not None and scenario is None:
        raise InputError("--add-representatives needs --scenario NAME")
    runs.take_run_lock(conn)
    record = {**params.as_dict(), "section": section, "fresh": fresh, "scenario": scenario}
    try:
        with transaction(conn):
            if scenario is not None:
                scenarios.prepare(conn, scenario, add_representatives)
            result = _assign(conn, params, record, section, fresh, scenario)
        return result
    except Exception as exc:
        runs.record_failed_run(conn, record, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        runs.release_run_lock(conn)
        conn.commit()


def _assign(
    conn: Connection,
    params: Params,
    record: dict,
    section: str | None,
    fresh: bool,
    scenario: str | None,
) -> RunResult:
    section_id = runs.section_id(conn, section) if section else None
    households, reps = runs.inputs(conn, section_id, scenario)
    if households.empty:
        raise InputError("there are no households to assign: load a street or import a register")
    previous_run = runs.run_in_force(conn)
    if section_id is not None and previous_run is None:
        raise InputError(f"--section {section}: needs a run in force for the other sections")
    previous = (
        None if fresh or previous_run is None else runs.current_representatives(conn, previous_run)
    )
    pin_rows = pins.for_run(conn)
    problem, epsg = problem_from_frames(households, reps, params, previous, pin_rows)
    solution = solve(problem, params)
    flow_total = float(np.nansum(solution.distance_m))
    added = 0.0
    if params.keep_units:
        solution, added = keep_units_together(problem, solution)
    metrics = compute(problem, solution)
    metrics["flow_optimum_m"] = round(flow_total, 1)
    metrics["units_gathered_extra_m"] = round(added, 1)
    key_loads = np.bincount(
        solution.rep[solution.covered & problem.hh_key], minlength=problem.n_reps
    )
    metrics["reps_over_key_max"] = int((key_loads > params.key_max).sum())
    metrics["metric_epsg"] = epsg
    splits = split_units(problem, solution)
    units = problem.hh_unit[problem.hh_unit >= 0]
    metrics["building_units"] = len(np.unique(units))
    metrics["units_split"] = len(splits)
    metrics["units_split_too_big"] = sum("larger than" in s.reason for s in splits)
    metrics["pins"] = {
        "fixed": int((problem.hh_fixed >= 0).sum()),
        "forbidden": len(problem.forbidden),
        "ignored": int(len(pin_rows) - (problem.hh_fixed >= 0).sum() - len(problem.forbidden)),
    }
    findings = _findings(conn, problem, solution, params, reps, epsg, households, splits)
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
        scenario=scenario,
    )
    return RunResult(run_id, metrics, findings)


def _findings(
    conn: Connection,
    problem,
    solution,
    params: Params,
    reps: pd.DataFrame,  # type: ignore[no-untyped-def]
    epsg: int,
    households: pd.DataFrame,
    splits: list,
) -> list[dict]:
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
    keys = households.get("unit_key", None)
    for split in splits[:200]:
        members = np.flatnonzero(problem.hh_unit == split.unit)
        where = str(keys.iloc[members[0]]).split(":", 1)[-1] if keys is not None else ""
        findings.append(
            {
                "kind": "unit_split",
                "households": split.households,
                "message": f"building unit {where}: {split.households} households "
                f"went to {split.parts} representatives ({split.reason})",
            }
        )
    return findings
