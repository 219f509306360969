"""Assignment runs: solve, store and put in force (or keep as a scenario); list, show, diff.

A run re-solves only the blocks (sections, or communities when crossing sections) whose inputs
changed since the run in force; the others keep their assignment exactly. `fresh` re-solves
everything from scratch, `section` just that section's block.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from gridsvc.access import Actor, Role
from gridsvc.assign import Params, Problem, Solution, solve
from gridsvc.assign.cohesion import keep_units_together
from gridsvc.assign.diagnostics import split_units
from gridsvc.assign.problem import problem_from_frames
from gridsvc.assign.subset import blocks_subset, kept_solution, merge
from gridsvc.db import pins, runs, scenarios
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import GridsvcError, InputError
from gridsvc.ingest.columns import known_headers, map_columns
from gridsvc.ingest.registers import check_rows
from gridsvc.ingest.tables import read_table
from gridsvc.services import run_report as report
from gridsvc.services.guard import require_role, safe_text
from gridsvc.services.inputs import block_column, block_hashes
from gridsvc.services.run_report import Finding, FindingKind  # noqa: F401 (kept importable here)

MIN_COVERAGE = 0.95  # a run below this share of households covered is put in force only by force
LONG_RUN_SECONDS = 1800
KEEP_LAST_RUNS = 10  # besides the run in force, scenarios and runs the access log names
T = TypeVar("T")


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
    stages: dict[str, float] = field(default_factory=dict)  # seconds: read, build, solve, ...


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
            committing = time.perf_counter()
    except BaseException as exc:
        _record_failure(conn, run_id, exc)
        raise
    result.stages["commit"] = time.perf_counter() - committing
    # old runs go after the new one is safe, in their own transaction
    with _timed(result.stages, "prune"), transaction(conn):
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
    stages: dict[str, float] = {}
    with _timed(stages, "read"):
        households, reps = runs.inputs(conn, order.scenario)
        if households.empty:
            raise InputError(
                "there are no households to assign: load a street or import a register"
            )
        previous_run = runs.run_in_force(conn)
        if section is not None and previous_run is None:
            raise InputError(
                f"section {order.section}: needs a run in force for the other sections"
            )
        previous = runs.assignment_of(conn, previous_run) if previous_run else None
        pin_rows = pins.for_run(conn)
    with _timed(stages, "build"):
        current = None if order.fresh or previous is None else previous.dropna()
        problem, epsg = problem_from_frames(households, reps, params, current, pin_rows)
        hashes = block_hashes(households, reps, pin_rows, params)
        to_solve = _blocks_to_solve(conn, households, hashes, order, previous_run, section)
    solution, flow_m, added_m = _solve_blocks(problem, params, to_solve, stages)
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
            "representative_id": report.representative_ids(solution, reps),
            "distance_m": np.round(solution.distance_m, 2),
            "cross_group": solution.cross_group,
            "lon": households["lon"].to_numpy(),
            "lat": households["lat"].to_numpy(),
        }
    )
    with _timed(stages, "metrics"):
        splits = split_units(problem, solution)
        first = report.first_households(problem, splits, households)
    words = report.Words(
        runs.labels(conn, "resident_group"),
        reps["code"].tolist(),
        first,
        runs.unit_names(conn, first),
    )
    # the server writes the rows while this process works out the figures and findings: the
    # connection belongs to the copying thread until it ends
    with ThreadPoolExecutor(1) as background:
        storing = background.submit(
            _timed_call, stages, "store", runs.copy_assignments, conn, run_id, rows
        )
        with _timed(stages, "metrics"):
            metrics = report.metrics(
                problem, solution, params, epsg, flow_m, added_m, pin_rows, splits
            )
            metrics["changed_since_last"] = report.changed(households, solution, reps, previous)
            metrics["blocks_solved"] = len(to_solve)
            findings = report.findings(problem, solution, params, epsg, splits, words)
    storing.result()
    with _timed(stages, "store"):
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
        stages=stages,
    )


@contextmanager
def _timed(stages: dict[str, float], stage: str) -> Iterator[None]:
    """Add the seconds of the block to `stages[stage]`."""
    started = time.perf_counter()
    try:
        yield
    finally:
        stages[stage] = stages.get(stage, 0.0) + time.perf_counter() - started


def _timed_call(stages: dict[str, float], stage: str, fn: Callable[..., T], *args: Any) -> T:
    with _timed(stages, stage):
        return fn(*args)


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
    problem: Problem, params: Params, blocks: set[int], stages: dict[str, float]
) -> tuple[Solution, float, float]:
    """Keep the households of unsolved blocks with their representative; solve the others
    (and gather their building units unless asked not to). Returns the solution, the flow
    optimum's metres and the metres that gathering units added, over the solved blocks."""
    keep = ~np.isin(problem.hh_block, list(blocks))
    whole = kept_solution(problem, keep)
    if not blocks:
        return whole, 0.0, 0.0
    with _timed(stages, "solve"):
        subset = blocks_subset(problem, np.array(sorted(blocks), np.int64))
        part = solve(subset.problem, params)
    stages["arcs"] = part.arcs_seconds  # inside the solve, summed over its workers
    flow_m = float(np.nansum(part.distance_m))
    added = 0.0
    with _timed(stages, "gather"):
        if params.keep_units:
            part, added = keep_units_together(subset.problem, part)
        merged = merge(whole, part, subset)
    return merged, flow_m, added


def list_runs(conn: Connection, actor: Actor, limit: int = 20) -> pd.DataFrame:
    """The latest runs, newest first, failed and crashed ones marked as such (no personal
    data: anyone may see them)."""
    return runs.list_runs(conn, limit)


def get_run(conn: Connection, actor: Actor, run_id: int) -> dict[str, object]:
    """A run's parameters, figures and findings (no personal data)."""
    return runs.get_run(conn, run_id)
