"""Planners steer the assignment over HTTP: pins, scenarios, notification lists, the audit."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.api.routes.planner import MEDIA, RunId, RunRequest, RunSummary, _remove
from gridsvc.db.frames import records
from gridsvc.services import exports, runs, steering, structure

router = APIRouter(tags=["steering"])


class PinRequest(BaseModel):
    household: str = Field(max_length=100)
    representative: str = Field(max_length=100)
    kind: Literal["fix", "forbid"] = "fix"
    note: str = Field("", max_length=500)


class ScenarioRequest(RunRequest):
    name: str = Field(min_length=1, max_length=100)


@router.get("/pins", summary="Every pin")
def list_pins(actor: AnyCaller, conn: Conn) -> list[dict]:
    return records(steering.list_pins(conn, actor))


@router.post(
    "/pins",
    status_code=201,
    summary="Fix a household to a representative or forbid "
    "a pair (refused with the reason if it would break a hard limit)",
)
def add_pin(body: PinRequest, actor: AnyCaller, conn: Conn) -> dict:
    pin = steering.add_pin(conn, actor, body.household, body.representative, body.kind, body.note)
    return {"id": pin.id, **body.model_dump()}


@router.delete("/pins/{household}/{representative}", status_code=204, summary="Remove a pin")
def remove_pin(household: str, representative: str, actor: AnyCaller, conn: Conn) -> None:
    steering.remove_pin(conn, actor, household, representative)


@router.post(
    "/scenarios",
    response_model=RunSummary,
    status_code=201,
    summary="Compute a what-if run kept beside the run in force",
)
def run_scenario(body: ScenarioRequest, actor: AnyCaller, conn: Conn) -> RunSummary:
    return RunSummary.of(runs.assign(conn, actor, body.order(scenario=body.name)))


@router.get("/scenarios", summary="The scenarios computed so far")
def list_scenarios(actor: AnyCaller, conn: Conn) -> list[dict]:
    return records(steering.list_scenarios(conn, actor))


@router.get("/scenarios/compare", summary="The run in force and scenarios side by side")
def compare_scenarios(
    actor: AnyCaller,
    conn: Conn,
    names: Annotated[list[str], Query(min_length=1, max_length=10)],
) -> dict:
    return steering.compare_scenarios(conn, actor, names).to_dict()


@router.post("/scenarios/{name}/promote", summary="Put a scenario in force")
def promote_scenario(name: str, actor: AnyCaller, conn: Conn) -> dict:
    run = steering.promote_scenario(conn, actor, name)
    return {"scenario": name, "run_id": run, "in_force": True}


@router.get(
    "/runs/{run_a}/diff/{run_b}/notifications",
    summary="The notification list for the community office (CSV or XLSX)",
)
def notification_list(
    run_a: RunId,
    run_b: RunId,
    actor: AnyCaller,
    conn: Conn,
    format: Literal["csv", "xlsx"] = "xlsx",
) -> FileResponse:
    path = Path(tempfile.mkdtemp()) / f"notifications-{run_a}-{run_b}.{format}"
    exports.export_notifications(conn, actor, run_a, run_b, path, format)
    return FileResponse(
        path,
        media_type=MEDIA[format],
        filename=path.name,
        background=BackgroundTask(_remove, path),
    )


@router.get("/audit", summary="The roll-up audit of the run in force, worst places first")
def roll_up_audit(
    actor: AnyCaller,
    conn: Conn,
    level: Literal["street", "community", "section", "group", "representative"] = "section",
    limit: Annotated[int, Query(ge=1, le=5000)] = 50,
) -> list[dict]:
    if level == "representative":
        return [vars(r) for r in structure.representative_audit(conn, actor)[:limit]]
    return [vars(p) for p in structure.audit(conn, actor, level)[:limit]]
