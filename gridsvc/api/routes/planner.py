"""Planner actions over HTTP: import a register, run an assignment, compare runs, export.
The same functions as the CLI; planner role only."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from gridsvc.actions import assign
from gridsvc.api.deps import Conn, Planner, WriteConn
from gridsvc.assign import Params
from gridsvc.db import runs
from gridsvc.errors import InputError
from gridsvc.exports import write_contacts
from gridsvc.importer import import_boundaries, import_register

router = APIRouter(tags=["planner"])
MAX_UPLOAD = 200 * 1024 * 1024


class RunRequest(BaseModel):
    min_load: int = Field(5, ge=0, le=100)
    max_load: int = Field(15, ge=1, le=100)
    key_max: int = Field(3, ge=0, le=100)
    key_weight: float = Field(2.0, ge=1.0, le=100.0)
    stability_m: float = Field(100.0, ge=0.0, le=100_000.0)
    cross_section: bool = False
    section: str | None = None
    fresh: bool = False

    def params(self) -> Params:
        """The optimiser's parameters; a minimum above the maximum is a 400, named."""
        if self.min_load > self.max_load:
            raise InputError(f"min_load {self.min_load} is above max_load {self.max_load}")
        return Params(
            min_load=self.min_load,
            max_load=self.max_load,
            key_max=self.key_max,
            key_weight=self.key_weight,
            stability_m=self.stability_m,
            cross_section=self.cross_section,
        )


class RunSummary(BaseModel):
    run_id: int
    metrics: dict
    findings: list[dict]


class Change(BaseModel):
    household_code: str
    old_representative: str | None
    new_representative: str | None
    reason: str


def _save_upload(upload: UploadFile, folder: Path) -> Path:
    name = Path(upload.filename or "upload.csv").name
    path = folder / name
    size = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > MAX_UPLOAD:
                raise InputError(f"{name}: larger than {MAX_UPLOAD // 2**20} MB")
            out.write(chunk)
    return path


@router.post("/imports/{kind}", summary="Import a register or boundaries (multipart upload)")
def import_file(
    kind: Literal["households", "representatives", "boundaries"],
    request: Request,
    caller: Planner,
    conn: WriteConn,
    file: Annotated[UploadFile, File(description="CSV, XLSX, XLS; boundaries: GeoJSON, GPKG")],
    crs: Annotated[Literal["auto", "cgcs2000", "wgs84", "gcj02", "bd09"], Query()] = "auto",
    tolerance: Annotated[float, Query(ge=0, le=10_000)] = 30.0,
    new_only: bool = False,
    level: Annotated[Literal["community", "section", "group"] | None, Query()] = None,
) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = _save_upload(file, Path(folder))
        actor = f"api-key-{caller.key_id}"
        if kind == "boundaries":
            if level is None:
                raise InputError("parameter level: community, section or group is needed")
            return import_boundaries(conn, path, level, actor=actor)
        report = import_register(
            conn,
            kind,
            path,
            crs=crs,
            tolerance_m=tolerance,
            new_only=new_only,
            report_dir=None,
            actor=actor,
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
def start_run(body: RunRequest, caller: Planner, conn: WriteConn) -> RunSummary:
    params = body.params()
    result = assign(conn, params, section=body.section, fresh=body.fresh)
    return RunSummary(run_id=result.run_id, metrics=result.metrics, findings=result.findings)


@router.get("/runs", summary="The latest runs")
def list_runs(
    caller: Planner, conn: Conn, limit: Annotated[int, Query(ge=1, le=500)] = 20
) -> list[dict]:
    return runs.records(runs.list_runs(conn, limit))


@router.get("/runs/{run_id}", summary="A run: parameters, metrics and findings")
def get_run(run_id: int, caller: Planner, conn: Conn) -> dict:
    return runs.get_run(conn, run_id)


@router.get(
    "/runs/{run_a}/diff/{run_b}",
    response_model=list[Change],
    summary="Households whose representative changed from run A to run B, and why",
)
def diff_runs(run_a: int, run_b: int, caller: Planner, conn: Conn) -> list[dict]:
    return runs.records(runs.diff(conn, run_a, run_b))


@router.get("/exports/contacts", summary="The contact list (代表联户清单) of the run in force")
def export_contacts(
    caller: Planner, conn: Conn, request: Request, format: Literal["csv", "xlsx", "geojson"] = "csv"
) -> FileResponse:
    frame = runs.contacts(conn)
    caller.audit(conn, request, "contacts")
    folder = tempfile.mkdtemp()
    path = write_contacts(frame, Path(folder) / f"contacts.{format}", format)
    media = {
        "csv": "text/csv; charset=utf-8",
        "geojson": "application/geo+json",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    return FileResponse(
        path,
        media_type=media[format],
        filename=path.name,
        background=BackgroundTask(lambda: path.unlink(missing_ok=True)),
    )
