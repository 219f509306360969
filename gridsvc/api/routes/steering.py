"""Planners steer the assignment over HTTP: pins, scenarios, notification lists, the audit."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from gridsvc.access import Role
from gridsvc.actions import assign
from gridsvc.api.deps import Caller, Conn, Planner, WriteConn, require
from gridsvc.api.routes.planner import RunRequest, RunSummary
from gridsvc.db import audit, pins, runs, scenarios
from gridsvc.db.connection import transaction
from gridsvc.exports import write_table

router = APIRouter(tags=["steering"])
Staff = Annotated[Caller, Depends(require(Role.staff))]


class PinRequest(BaseModel):
    household: str
    representative: str
    kind: Literal["fix", "forbid"] = "fix"
    note: str = Field("", max_length=500)


class ScenarioRequest(RunRequest):
    name: str = Field(min_length=1, max_length=100)


@router.get("/pins", summary="Every pin")
def list_pins(caller: Planner, conn: Conn) -> list[dict]:
    return runs.records(pins.listing(conn))


@router.post(
    "/pins",
    status_code=201,
    summary="Fix a household to a representative or forbid "
    "a pair (refused with the reason if it would break a hard limit)",
)
def add_pin(body: PinRequest, caller: Planner, conn: WriteConn) -> dict:
    with transaction(conn):
        pin_id = pins.add(
            conn,
            body.household,
            body.representative,
            body.kind,
            note=body.note,
            actor=f"api-key-{caller.key_id}",
        )
    return {"id": pin_id, **body.model_dump()}


@router.delete("/pins/{household}/{representative}", status_code=204, summary="Remove a pin")
def remove_pin(household: str, representative: str, caller: Planner, conn: WriteConn) -> None:
    with transaction(conn):
        pins.remove(conn, household, representative)


@router.post(
    "/scenarios",
    response_model=RunSummary,
    status_code=201,
    summary="Compute a what-if run kept beside the run in force",
)
def run_scenario(body: ScenarioRequest, caller: Planner, conn: WriteConn) -> RunSummary:
    params = body.params()
    result = assign(conn, params, section=body.section, fresh=body.fresh, scenario=body.name)
    return RunSummary(run_id=result.run_id, metrics=result.metrics, findings=result.findings)


@router.get("/scenarios", summary="The scenarios computed so far")
def list_scenarios(caller: Planner, conn: Conn) -> list[dict]:
    return runs.records(scenarios.listing(conn))


@router.get("/scenarios/compare", summary="The run in force and scenarios side by side")
def compare_scenarios(
    caller: Planner, conn: Conn, names: Annotated[list[str], Query(min_length=1)]
) -> dict:
    return scenarios.compare(conn, names).to_dict()


@router.post("/scenarios/{name}/promote", summary="Put a scenario in force")
def promote_scenario(name: str, caller: Planner, conn: WriteConn) -> dict:
    with transaction(conn):
        run = scenarios.promote(conn, name)
    return {"scenario": name, "run_id": run, "in_force": True}


@router.get(
    "/runs/{run_a}/diff/{run_b}/notifications",
    summary="The notification list for the community office (CSV or XLSX)",
)
def notification_list(
    run_a: int, run_b: int, caller: Planner, conn: Conn, format: Literal["csv", "xlsx"] = "xlsx"
) -> FileResponse:
    frame = runs.notifications(conn, run_a, run_b)
    path = Path(tempfile.mkdtemp()) / f"notifications-{run_a}-{run_b}.{format}"
    write_table(frame, path)
    return FileResponse(
        path, filename=path.name, background=BackgroundTask(lambda: path.unlink(missing_ok=True))
    )


@router.get("/audit", summary="The roll-up audit of the run in force, worst places first")
def roll_up_audit(
    caller: Staff,
    conn: Conn,
    level: Literal["street", "community", "section", "group", "representative"] = "section",
    limit: Annotated[int, Query(ge=1, le=5000)] = 50,
) -> list[dict]:
    return runs.records(audit.roll_up(conn, level).head(limit))
