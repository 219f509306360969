"""The planner's workbench in the browser: a section to steer on the map (pins), runs with
their notification list, scenarios made, compared and promoted, a register checked then
imported, the downloads. Every form carries the session's CSRF token and calls the same
service as the CLI, so the audit names the person."""

from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gridsvc.api.deps import Conn, FormSession, LiveSession
from gridsvc.api.errors import STATUS
from gridsvc.api.uploads import save_upload
from gridsvc.assign import Params
from gridsvc.db.frames import records
from gridsvc.errors import GridsvcError, InputError
from gridsvc.maps import sheets
from gridsvc.maps.offline import leaflet_assets
from gridsvc.services import imports, roster, runs, steering, workbench
from gridsvc.services.sessions import Session

router = APIRouter(prefix="/workbench", tags=["workbench"], include_in_schema=False)
Text = Annotated[str, Form(max_length=100)]
OptionalText = Annotated[str, Form(max_length=100)]
UPLOAD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,60}$")
UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")
UPLOAD_KEEP_S = 3600.0  # a checked file not imported within this time is dropped


def _page(template: str, session: Session, status: int = 200, **context: Any) -> HTMLResponse:
    page = (
        sheets.environment()
        .get_template(template)
        .render(me=session.actor, csrf=session.csrf, **context)
    )
    return HTMLResponse(page, status)


def _login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", 303)


def _status(exc: GridsvcError) -> int:
    """The HTTP status of the JSON API for the same error: a page says it the same way."""
    return next((STATUS[kind] for kind in type(exc).__mro__ if kind in STATUS), 400)


def _section_context(conn: Conn, session: Session, code: str) -> dict[str, Any]:
    data = workbench.section_view(conn, session.actor, code)
    js, css = leaflet_assets()
    houses = data.households[["code", "head_name", "key_category", "lon", "lat", "rep_code"]]
    reps = data.representatives[["code", "name", "group_code", "lon", "lat", "load"]]
    return {
        "section": data,
        "leaflet_js": js,
        "leaflet_css": css,
        "map_data": {
            "groups": data.groups.__geo_interface__,
            "households": records(houses),
            "representatives": records(reps),
        },
        "representatives": records(reps),
        "inactive": roster.inactive_in_section(conn, session.actor, code),
    }


@router.get("/sections/{code}", response_class=HTMLResponse)
def section_page(request: Request, code: str, conn: Conn, session: LiveSession) -> Response:
    if session is None:
        return _login(request)
    return _page("workbench_section.html", session, **_section_context(conn, session, code))


@router.post("/pins", response_class=HTMLResponse)
def add_pin(
    conn: Conn,
    session: FormSession,
    section: Text,
    household: Text,
    representative: Text,
    kind: Annotated[Literal["fix", "forbid"], Form()] = "fix",
) -> HTMLResponse:
    """Pin a household to a representative (the CLI's `pins add`)."""
    message, error, status = "", "", 200
    try:
        steering.add_pin(conn, session.actor, household, representative, kind, "workbench")
        message = f"已固定 pinned: {household} → {representative} ({kind})"
    except GridsvcError as exc:
        error, status = str(exc), _status(exc)
    context = _section_context(conn, session, section)
    return _page("workbench_section.html", session, status, message=message, error=error, **context)


@router.post("/representatives", response_class=HTMLResponse)
def set_active(
    conn: Conn,
    session: FormSession,
    section: Text,
    representative: Text,
    active: Annotated[Literal["0", "1"], Form()],
) -> HTMLResponse:
    """Mark a representative inactive or back (the CLI's `reps inactive|active`)."""
    message, error, status = "", "", 200
    try:
        roster.set_active(conn, session.actor, representative, active == "1")
        state = "已恢复 back" if active == "1" else "已停用 inactive"
        message = f"{representative} {state}：重新计算后生效 (applies at the next run)"
    except GridsvcError as exc:
        error, status = str(exc), _status(exc)
    context = _section_context(conn, session, section)
    return _page("workbench_section.html", session, status, message=message, error=error, **context)


def _runs_context(conn: Conn, session: Session) -> dict[str, Any]:
    return {
        "runs": records(runs.list_runs(conn, session.actor, 15)),
        "sections": workbench.home(conn, session.actor).sections,
    }


@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request, conn: Conn, session: LiveSession) -> Response:
    if session is None:
        return _login(request)
    return _page("workbench_runs.html", session, **_runs_context(conn, session))


def _load(text: str) -> int | None:
    """The form's optional maximum load (a browser sends an empty field as '')."""
    if not text.strip():
        return None
    if not text.strip().isdigit() or not 1 <= int(text) <= 100:
        raise InputError("max_load: a whole number from 1 to 100, or empty for the rules")
    return int(text)


def _order(section: str, scenario: str | None = None, max_load: int | None = None) -> runs.RunOrder:
    params = Params() if max_load is None else Params(max_load=max_load)
    return runs.RunOrder(params, section=section or None, scenario=scenario)


@router.post("/runs", response_class=HTMLResponse)
def run_assignment(conn: Conn, session: FormSession, section: OptionalText = "") -> HTMLResponse:
    """Run an assignment of a section or the street (the CLI's `assign`), then show who gets a
    new representative."""
    try:
        outcome = workbench.run_with_notifications(conn, session.actor, _order(section))
    except GridsvcError as exc:
        context = _runs_context(conn, session)
        return _page("workbench_runs.html", session, _status(exc), error=str(exc), **context)
    context = _runs_context(conn, session)
    return _page("workbench_runs.html", session, outcome=outcome, **context)


def _scenarios_context(conn: Conn, session: Session) -> dict[str, Any]:
    return {
        "scenarios": records(steering.list_scenarios(conn, session.actor)),
        "sections": workbench.home(conn, session.actor).sections,
    }


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request, conn: Conn, session: LiveSession) -> Response:
    if session is None:
        return _login(request)
    return _page("workbench_scenarios.html", session, **_scenarios_context(conn, session))


@router.post("/scenarios", response_class=HTMLResponse)
def make_scenario(
    conn: Conn,
    session: FormSession,
    name: Text,
    section: OptionalText = "",
    max_load: Annotated[str, Form(max_length=3)] = "",
) -> HTMLResponse:
    """A what-if run kept beside the run in force (the CLI's `assign --scenario`), with the
    rules in force or another maximum load."""
    message, error, status = "", "", 200
    try:
        result = runs.assign(conn, session.actor, _order(section, name, _load(max_load)))
        message = f"方案 {name} 已计算 (run {result.run_id})"
    except GridsvcError as exc:
        error, status = str(exc), _status(exc)
    context = _scenarios_context(conn, session)
    return _page(
        "workbench_scenarios.html", session, status, message=message, error=error, **context
    )


@router.get("/scenarios/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, conn: Conn, session: LiveSession, a: str = "", b: str = ""
) -> Response:
    if session is None:
        return _login(request)
    try:
        comparison = workbench.compare(conn, session.actor, a[:100], b[:100])
    except GridsvcError as exc:
        context = _scenarios_context(conn, session)
        return _page("workbench_scenarios.html", session, _status(exc), error=str(exc), **context)
    figures = comparison.figures.reset_index(names="figure")
    return _page(
        "workbench_compare.html",
        session,
        cmp=comparison,
        figure_rows=records(figures.astype(str)),
        figure_columns=list(figures.columns),
        leaflet_js=leaflet_assets()[0],
        leaflet_css=leaflet_assets()[1],
    )


@router.post("/scenarios/promote", response_class=HTMLResponse)
def promote(conn: Conn, session: FormSession, name: Text) -> HTMLResponse:
    """Put a scenario in force (the CLI's `scenarios promote`)."""
    message, error, status = "", "", 200
    try:
        run = steering.promote_scenario(conn, session.actor, name)
        message = f"方案 {name} 已生效 (run {run} in force)"
    except GridsvcError as exc:
        error, status = str(exc), _status(exc)
    context = _scenarios_context(conn, session)
    return _page(
        "workbench_scenarios.html", session, status, message=message, error=error, **context
    )


def _uploads(request: Request) -> Path:
    folder = (request.app.state.settings.data_dir / "workbench-uploads").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():  # checked and never imported
        if old.stat().st_mtime < time.time() - UPLOAD_KEEP_S:
            shutil.rmtree(old, ignore_errors=True)
    return folder


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, session: LiveSession) -> Response:
    if session is None:
        return _login(request)
    return _page("workbench_import.html", session)


@router.post("/import", response_class=HTMLResponse)
def import_register(
    request: Request,
    conn: Conn,
    session: FormSession,
    kind: Annotated[Literal["households", "representatives"], Form()],
    file: Annotated[UploadFile | None, File()] = None,
    token: OptionalText = "",
) -> HTMLResponse:
    """First a dry run of the uploaded file (kept under a random token), then, with the
    token, the import itself (the CLI's `import`)."""
    folder = _uploads(request)
    try:
        if token:  # the second step: import the file checked before
            if not UPLOAD_TOKEN.match(token):
                raise InputError("token: not an upload of this workbench")
            staged = folder / token
            found = [p for p in staged.glob("*") if p.suffix.lower() in UPLOAD_SUFFIXES]
            if not found:
                raise InputError("token: the checked file is gone; upload it again")
            report = imports.import_register(conn, session.actor, kind, found[0], report_dir=None)
            shutil.rmtree(staged, ignore_errors=True)
            return _page("workbench_import.html", session, report=report, committed=True)
        if file is None or not file.filename:
            raise InputError("file: choose a CSV, XLS or XLSX register")
        token = secrets.token_urlsafe(24)
        staged = folder / token
        staged.mkdir()
        path = save_upload(file, staged)
        if path.suffix.lower() not in UPLOAD_SUFFIXES:
            shutil.rmtree(staged, ignore_errors=True)
            raise InputError(f"file {path.name}: a register is CSV, XLS or XLSX")
        report = imports.import_register(
            conn, session.actor, kind, path, report_dir=None, dry_run=True
        )
        return _page("workbench_import.html", session, report=report, token=token, kind=kind)
    except GridsvcError as exc:
        return _page("workbench_import.html", session, _status(exc), error=str(exc))


@router.get("/exports", response_class=HTMLResponse)
def exports_page(request: Request, conn: Conn, session: LiveSession) -> Response:
    if session is None:
        return _login(request)
    board = workbench.home(conn, session.actor)
    latest = records(runs.list_runs(conn, session.actor, 2))
    return _page(
        "workbench_exports.html",
        session,
        sections=board.sections,
        latest=latest,
    )
