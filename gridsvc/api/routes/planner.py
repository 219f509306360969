"""Planner actions over HTTP: import a register, run an assignment, compare runs, export.
The same service functions as the CLI."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from gridsvc.api.deps import AnyCaller, Conn, Planner
from gridsvc.api.uploads import save_upload
from gridsvc.assign import Params
from gridsvc.db.frames import records
from gridsvc.errors import InputError
from gridsvc.services import exports, imports, runs

router = APIRouter(tags=["planner"])
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DEFAULTS = Params()
RunId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="a run id")]


class RunRequest(BaseModel):
    min_load: int = Field(DEFAULTS.min_load, ge=0, le=100)
    max_load: int = Field(DEFAULTS.max_load, ge=1, le=100)
    key_max: int = Field(DEFAULTS.key_max, ge=0, le=100)
    key_weight: float = Field(DEFAULTS.key_weight, ge=1.0, le=100.0)
    stability_m: float = Field(DEFAULTS.stability_m, ge=0.0, le=100_000.0)
    cross_section: bool = False
    split_units: bool = Field(False, description="skip gathering building units: pure optimum")
    section: str | None = Field(None, max_length=100)
    fresh: bool = False
    force: bool = Field(False, description="put in force even with coverage below 95 %")

    def order(self, scenario: str | None = None) -> runs.RunOrder:
        """The run asked for; the optimiser's checks name the field that is wrong."""
        params = Params(
            min_load=self.min_load,
            max_load=self.max_load,
            key_max=self.key_max,
            key_weight=self.key_weight,
            stability_m=self.stability_m,
            cross_section=self.cross_section,
            keep_units=not self.split_units,
        )
        return runs.RunOrder(
            params, section=self.section, fresh=self.fresh, scenario=scenario, force=self.force
        )


class RunSummary(BaseModel):
    run_id: int
    in_force: bool
    scenario: str | None
    metrics: dict
    findings: list[dict]
    blocks_solved: int
    blocks_kept: int

    @classmethod
    def of(cls, result: runs.RunResult) -> RunSummary:
        return cls(
            run_id=result.run_id,
            in_force=result.in_force,
            scenario=result.scenario,
            metrics=result.metrics,
            findings=[f.as_record() for f in result.findings],
            blocks_solved=result.blocks_solved,
            blocks_kept=result.blocks_kept,
        )


class Change(BaseModel):
    household_code: str
    old_representative: str | None
    new_representative: str | None
    reason: str


@router.post("/imports/{kind}", summary="Import a register or boundaries (multipart upload)")
def import_file(
    kind: Literal["households", "representatives", "boundaries"],
    actor: Planner,
    conn: Conn,
    file: Annotated[UploadFile, File(description="CSV, XLSX, XLS; boundaries: GeoJSON, GPKG")],
    crs: Annotated[Literal["auto", "cgcs2000", "wgs84", "gcj02", "bd09"], Query()] = "auto",
    tolerance: Annotated[float, Query(ge=0, le=10_000)] = 30.0,
    new_only: bool = False,
    level: Annotated[Literal["community", "section", "group"] | None, Query()] = None,
    extend: bool = False,
    move_households: bool = False,
    dry_run: bool = False,
) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = save_upload(file, Path(folder))
        if kind == "boundaries":
            if level is None:
                raise InputError("parameter level: community, section or group is needed")
            return imports.import_boundaries(
                conn,
                actor,
                path,
                level,
                extend=extend,
                move_households=move_households,
                dry_run=dry_run,
            )
        report = imports.import_register(
            conn,
            actor,
            kind,
            path,
            crs=crs,
            tolerance_m=tolerance,
            new_only=new_only,
            report_dir=None,
        )
    body = report.as_dict()
    body["rejected_rows"] = [vars(i) for i in report.rejected[:1000]]
    body["warning_rows"] = [vars(i) for i in report.warnings[:1000]]
    return body


@router.post(
    "/runs",
    response_model=RunSummary,
    status_code=201,
    summary="Run an assignment and put it in force (409 while another runs)",
)
def start_run(body: RunRequest, actor: Planner, conn: Conn) -> RunSummary:
    return RunSummary.of(runs.assign(conn, actor, body.order()))


@router.get("/runs", summary="The latest runs")
def list_runs(
    actor: AnyCaller, conn: Conn, limit: Annotated[int, Query(ge=1, le=500)] = 20
) -> list[dict]:
    return records(runs.list_runs(conn, actor, limit))


@router.get("/runs/{run_id}", summary="A run: parameters, metrics and findings")
def get_run(run_id: RunId, actor: AnyCaller, conn: Conn) -> dict:
    return runs.get_run(conn, actor, run_id)


@router.get(
    "/runs/{run_a}/diff/{run_b}",
    response_model=list[Change],
    summary="Households whose representative changed from run A to run B, and why",
)
def diff_runs(run_a: RunId, run_b: RunId, actor: AnyCaller, conn: Conn) -> list[dict]:
    return records(exports.run_changes(conn, actor, run_a, run_b))


@router.get("/exports/contacts", summary="The contact list (代表联户清单) of the run in force")
def export_contacts(
    actor: AnyCaller, conn: Conn, format: Literal["csv", "xlsx", "geojson"] = "csv"
) -> FileResponse:
    folder = Path(tempfile.mkdtemp())
    done = exports.export_contacts(conn, actor, folder / f"contacts.{format}", format)
    return FileResponse(
        done.path,
        media_type=MEDIA[format],
        filename=done.path.name,
        background=BackgroundTask(_remove, done.path),
    )


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.parent.rmdir()
