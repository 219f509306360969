"""Assignment runs: solve, store and put in force (or keep as a scenario); list, show, diff.

A run re-solves only the blocks (sections, or communities when crossing sections) whose inputs
changed since the run in force; the others keep their assignment exactly. `fresh` re-solves
everything from scratch, `section` just that section's block.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from gridsvc.access import Actor, Role
from gridsvc.assign import Params, Problem, Solution, solve
from gridsvc.assign.cohesion import keep_units_together
from gridsvc.assign.diagnostics import SplitUnit, explain, split_units
from gridsvc.assign.metrics import compute
from gridsvc.assign.problem import problem_from_frames
from gridsvc.assign.subset import blocks_subset, kept_solution, merge
from gridsvc.coords import from_metric
from gridsvc.db import pins, runs, scenarios
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import GridsvcError, InputError
from gridsvc.ingest.columns import known_headers, map_columns
from gridsvc.ingest.registers import check_rows
from gridsvc.ingest.tables import read_table
from gridsvc.services.guard import require_role, safe_text
from gridsvc.services.inputs import block_column, block_hashes

MIN_COVERAGE = 0.95  # a run below this share of households covered is put in force only by force
LONG_RUN_SECONDS = 1800
MAX_UNIT_FINDINGS = 200  # split units named one by one; the metrics count them all
KEEP_LAST_RUNS = 10  # besides the run in force, scenarios and runs the access log names


class FindingKind(StrEnum):
    """What a run tells the planner, worst first."""

    group_over_capacity = "group_over_capacity"
    group_under_minimum = "group_under_minimum"
    key_over_limit = "key_over_limit"
    rep_isolated = "rep_isolated"
    unit_split = "unit_split"


@dataclass(frozen=True)
class Finding:
    """One thing a planner should know, named by codes and with a point where it helps."""

    kind: FindingKind
    message: str
    households: int = 0
    group: str | None = None
    rep: str | None = None
    point: tuple[float, float] | None = None

    def as_record(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "message": self.message,
            "households": self.households,
            "group": self.group,
            "rep": self.rep,
            "point": list(self.point) if self.point else None,
        }


@dataclass(frozen=True)
class RunOrder:
    """What a planner asks of a run: the rules, and what to solve."""

    params: Params = field(default_factory=Params)
    section: str | None = None
    fresh: bool = False
    scenario: str | None = None
    add_representatives: Path | None = None
    force: bool = False  # put a run in force even when its coverage is below MIN_COVERAGE

    def record(self) -> dict[str, object]:
        """The run's stored parameters: the rules it used and what it was asked."""
        return {
            **self.params.as_dict(),
            "section": self.section,
            "fresh": self.fresh,
            "scenario": self.scenario,
        }


@dataclass(frozen=True)
class RunResult:
    """A stored run: its id, whether it is in force, its figures and findings."""

    run_id: int
    in_force: bool
    scenario: str | None
    metrics: dict[str, object]
    findings: list[Finding]
    blocks_solved: int
    blocks_kept: int


SCENARIO_NAME = re.compile(r"^[\w\-. ]{1,100}$")


def check_order(order: RunOrder) -> None:
    """Refuse what cannot be a run before anything is written."""
    if order.add_representatives is not None and order.scenario is None:
        raise InputError("add_representatives: proposed representatives need a scenario name")
    if order.scenario is not None and not SCENARIO_NAME.match(order.scenario):
        raise InputError(
            f"scenario {safe_text(order.scenario)!r}: 1 to 100 letters, digits, spaces, "
            "'-', '_' or '.'"
        )
    if order.section is not None:
        safe_text(order.section, field="section")


def assign(conn: Connection, actor: Actor, order: RunOrder) -> RunResult:
    """Solve and store a run. A plain run is put in force (on any failure the previous one
    stays); a scenario is kept beside the run in force until promoted."""
    require_role(actor, Role.planner, "run an assignment")
    check_order(order)
    proposed = _read_proposed(order.add_representatives) if order.add_representatives else None
    with transaction(conn):
        section = runs.section_id(conn, order.section) if order.section else None
        run_id = runs.open_run(conn, order.record(), actor.name, order.scenario)
    try:
        with transaction(conn):
            runs.take_run_lock(conn)
            runs.allow_long_run(conn, LONG_RUN_SECONDS)
            runs.close_crashed_runs(conn)
            if order.scenario is not None:
                scenarios.prepare(conn, order.scenario, proposed, str(order.add_representatives))
            result = _solve_and_store(conn, run_id, order, section)
    except BaseException as exc:
        _record_failure(conn, run_id, exc)
        raise
    with transaction(conn):  # old runs go after the new one is safe, in their own transaction
        runs.prune(conn, KEEP_LAST_RUNS)
    return result


def _read_proposed(path: Path) -> pd.DataFrame:
    """A scenario's proposed representatives, checked like a register (first fault named)."""
    table = read_table(path, known_headers("representatives"))
    prepared = check_rows(
        table,
        map_columns(list(table.frame.columns), "representatives", source=str(path)),
        "representatives",
    )
    if prepared.rejected:
        issue = prepared.rejected[0]
        raise InputError(f"{path} row {issue.row}: {issue.message}")
    return prepared.rows


def _record_failure(conn: Connection, run_id: int, exc: BaseException) -> None:
    """Mark the run failed in a transaction of its own; never hide the original error."""
    message = str(exc) if isinstance(exc, GridsvcError) else type(exc).__name__
    try:
        with transaction(conn):
            runs.fail_run(conn, run_id, message.replace("\x00", "\\0")[:2000])
    except Exception:  # the connection itself may be gone: the run is then closed as crashed
        pass


def _solve_and_store(
    conn: Connection, run_id: int, order: RunOrder, section: int | None
) -> RunResult:
    params = order.params
    households, reps = runs.inputs(conn, order.scenario)
    if households.empty:
        raise InputError("there are no households to assign: load a street or import a register")
    previous_run = runs.run_in_force(conn)
    if section is not None and previous_run is None:
        raise InputError(f"section {order.section}: needs a run in force for the other sections")
    previous = runs.assignment_of(conn, previous_run) if previous_run else None
    pin_rows = pins.for_run(conn)
    current = None if order.fresh or previous is None else previous.dropna()
    problem, epsg = problem_from_frames(households, reps, params, current, pin_rows)
    hashes = block_hashes(households, reps, pin_rows, params)
    to_solve = _blocks_to_solve(conn, households, hashes, order, previous_run, section)
    solution, flow_m, added_m = _solve_blocks(problem, params, to_solve)
    splits = split_units(problem, solution)
    in_force = order.scenario is None
    covered = float(solution.covered.mean()) if len(solution.covered) else 1.0
    if in_force and round(covered, 6) < MIN_COVERAGE and not order.force:
        raise InputError(
            f"this run would cover {covered:.1%} of households, below {MIN_COVERAGE:.0%}: "
            "check the limits (min/max load) or confirm with force"
        )
    rows = pd.DataFrame(
        {
            "household_id": households["id"].to_numpy(),
            "representative_id": _representative_ids(solution, reps),
            "distance_m": np.round(solution.distance_m, 2),
            "cross_group": solution.cross_group,
            "lon": households["lon"].to_numpy(),
            "lat": households["lat"].to_numpy(),
        }
    )
    first = _first_households(problem, splits, households)
    words = _Words(
        runs.labels(conn, "resident_group"),
        reps["code"].tolist(),
        first,
        runs.unit_names(conn, first),
    )
    # the server writes the rows while this process works out the figures and findings:
    # the connection is left to the copying thread until it ends
    with ThreadPoolExecutor(1) as background:
        storing = background.submit(runs.copy_assignments, conn, run_id, rows)
        metrics = _metrics(problem, solution, params, epsg, flow_m, added_m, pin_rows, splits)
        metrics["changed_since_last"] = _changed(households, solution, reps, previous)
        metrics["blocks_solved"] = len(to_solve)
        findings = _findings(problem, solution, params, epsg, splits, words)
    storing.result()
    block_rows = pd.DataFrame(
        {
            "block": list(hashes),
            "input_hash": list(hashes.values()),
            "solved": [_block_number(b) in to_solve for b in hashes],
        }
    )
    records = [f.as_record() for f in findings]
    runs.record_run(conn, run_id, metrics, records, block_rows, in_force=in_force)
    return RunResult(
        run_id,
        in_force,
        order.scenario,
        metrics,
        findings,
        blocks_solved=len(to_solve),
        blocks_kept=len(hashes) - len(to_solve),
    )


def _representative_ids(solution: Solution, reps: pd.DataFrame) -> pd.Series:
    """The store's representative id of each household (NA: uncovered)."""
    rep_ids = reps["id"].to_numpy(np.int64)
    ids = rep_ids[np.maximum(solution.rep, 0)] if len(rep_ids) else np.zeros(len(solution.rep))
    return pd.Series(ids, dtype="Int64").mask(~solution.covered)


def _block_number(block: str) -> int:
    return int(block.split(":", 1)[1])


def _blocks_to_solve(
    conn: Connection,
    households: pd.DataFrame,
    hashes: dict[str, str],
    order: RunOrder,
    previous_run: int | None,
    section: int | None,
) -> set[int]:
    """The blocks to solve: the asked section's block; all on a fresh run or with no run in
    force; else those whose inputs differ from the run in force's."""
    if section is not None:
        column = block_column(order.params)
        own = households.loc[households["section_id"] == section, column]
        return {int(b) for b in own.unique()}
    every = {_block_number(b) for b in hashes}
    if order.fresh or previous_run is None:
        return every
    before = runs.block_hashes(conn, previous_run)
    return {_block_number(b) for b, h in hashes.items() if before.get(b) != h}


def _solve_blocks(
    problem: Problem, params: Params, blocks: set[int]
) -> tuple[Solution, float, float]:
    """Keep the households of unsolved blocks with their representative; solve the others
    (and gather their building units unless asked not to). Returns the solution, the flow
    optimum's metres and the metres that gathering units added, over the solved blocks."""
    keep = ~np.isin(problem.hh_block, list(blocks))
    whole = kept_solution(problem, keep)
    if not blocks:
        return whole, 0.0, 0.0
    subset = blocks_subset(problem, np.array(sorted(blocks), np.int64))
    part = solve(subset.problem, params)
    flow_m = float(np.nansum(part.distance_m))
    added = 0.0
    if params.keep_units:
        part, added = keep_units_together(subset.problem, part)
    return merge(whole, part, subset), flow_m, added


def _changed(
    households: pd.DataFrame, solution: Solution, reps: pd.DataFrame, previous: pd.Series | None
) -> int:
    """Households whose representative differs from the run in force, counted as `runs diff`
    lists them (new and removed households included)."""
    if previous is None:
        return len(households)
    now = pd.Series(
        _representative_ids(solution, reps).fillna(-1).to_numpy(np.int64),
        index=households["id"].to_numpy(),
    )
    before = previous.astype("float64").fillna(-1).astype(np.int64)
    common = now.index.intersection(before.index)
    differ = int((now.loc[common].to_numpy() != before.loc[common].to_numpy()).sum())
    new = len(now.index.difference(before.index))
    removed = len(before.index.difference(now.index))
    return differ + new + removed


def _metrics(
    problem: Problem,
    solution: Solution,
    params: Params,
    epsg: int,
    flow_m: float,
    added_m: float,
    pin_rows: pd.DataFrame,
    splits: list[SplitUnit],
) -> dict[str, object]:
    metrics = compute(problem, solution)
    metrics["flow_optimum_m"] = round(flow_m, 1)
    metrics["units_gathered_extra_m"] = round(added_m, 1)
    key_loads = np.bincount(
        solution.rep[solution.covered & problem.hh_key], minlength=problem.n_reps
    )
    metrics["reps_over_key_max"] = int((key_loads > params.key_max).sum())
    metrics["metric_epsg"] = epsg
    units = problem.hh_unit[problem.hh_unit >= 0]
    metrics["building_units"] = len(np.unique(units))
    metrics["units_split"] = len(splits)
    metrics["units_split_too_big"] = sum("larger than" in s.reason for s in splits)
    fixed = int((problem.hh_fixed >= 0).sum())
    metrics["pins"] = {
        "fixed": fixed,
        "forbidden": len(problem.forbidden),
        "ignored": int(len(pin_rows) - fixed - len(problem.forbidden)),
    }
    return metrics


@dataclass(frozen=True)
class _Words:
    """What the findings are worded with, read from the store before the rows are written."""

    groups: dict[int, str]
    rep_codes: list[str]
    unit_households: list[int]  # the first household of each split unit named
    units: dict[int, str]  # household id -> its building unit


def _first_households(
    problem: Problem, splits: list[SplitUnit], households: pd.DataFrame
) -> list[int]:
    """The store id of the first household of each split unit that the findings name."""
    named = [s.unit for s in splits[:MAX_UNIT_FINDINGS]]
    members = np.flatnonzero(np.isin(problem.hh_unit, named))  # in household order
    units, first = np.unique(problem.hh_unit[members], return_index=True)
    first_of = dict(zip(units.tolist(), members[first].tolist(), strict=True))
    ids = households["id"].to_numpy(np.int64)
    return [int(ids[first_of[u]]) for u in named]


def _findings(
    problem: Problem,
    solution: Solution,
    params: Params,
    epsg: int,
    splits: list[SplitUnit],
    words: _Words,
) -> list[Finding]:
    found = []
    for item in explain(problem, solution, params, words.groups, words.rep_codes):
        point = None
        if item.point_xy is not None:
            lon, lat = from_metric([item.point_xy[0]], [item.point_xy[1]], epsg)
            point = (round(float(lon[0]), 7), round(float(lat[0]), 7))
        found.append(
            Finding(
                FindingKind(item.kind),
                item.message,
                households=item.households,
                group=words.groups.get(item.group) if item.group is not None else None,
                rep=words.rep_codes[item.rep] if item.rep is not None else None,
                point=point,
            )
        )
    for split, household in zip(splits[:MAX_UNIT_FINDINGS], words.unit_households, strict=True):
        found.append(
            Finding(
                FindingKind.unit_split,
                f"building unit {words.units.get(household, '')}: {split.households} "
                f"households went to {split.parts} representatives ({split.reason})",
                households=split.households,
            )
        )
    return found


def list_runs(conn: Connection, actor: Actor, limit: int = 20) -> pd.DataFrame:
    """The latest runs, newest first, failed and crashed ones marked as such (no personal
    data: anyone may see them)."""
    return runs.list_runs(conn, limit)


def get_run(conn: Connection, actor: Actor, run_id: int) -> dict[str, object]:
    """A run's parameters, figures and findings (no personal data)."""
    return runs.get_run(conn, run_id)
