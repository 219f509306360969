"""The planner's workbench in the browser: a section to steer on the map (pins), runs with
their notification list, scenarios made, compared and promoted, a register checked then
imported, the downloads. Every form carries the session's CSRF token and calls the same
service as the CLI, so the audit names the person."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gridsvc.api.deps import Conn, FormSession, LiveSession
from gridsvc.api.errors import STATUS
from gridsvc.assign import Params
from gridsvc.db.frames import records
from gridsvc.errors import GridsvcError, InputError
from gridsvc.maps import sheets
from gridsvc.maps.offline import leaflet_assets
from gridsvc.services import runs, standing, steering, workbench
from gridsvc.services.sessions import Session

router = APIRouter(prefix="/workbench", tags=["workbench"], include_in_schema=False)
Text = Annotated[str, Form(max_length=100)]
OptionalText = Annotated[str, Form(max_length=100)]


def render_page(template: str, session: Session, status: int = 200, **context: Any) -> HTMLResponse:
    page = (
        sheets.environment()
        .get_template(template)
        .render(me=session.actor, csrf=session.csrf, **context)
    )
    return HTMLResponse(page, status)


def to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", 303)


def status_of(exc: GridsvcError) -> int:
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
        "inactive": standing.inactive_in_section(conn, session.actor, code),
        "groups": list(data.groups["code"]),
    }


@router.get("/sections/{code}", response_class=HTMLResponse)
def section_page(request: Request, code: str, conn: Conn, session: LiveSession) -> Response:
    if session is None:
        return to_login(request)
    return render_page("workbench_section.html", session, **_section_context(conn, session, code))


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
        error, status = str(exc), status_of(exc)
    context = _section_context(conn, session, section)
    return render_page(
        "workbench_section.html", session, status, message=message, error=error, **context
    )


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
        standing.set_active(conn, session.actor, representative, active == "1")
        state = "已恢复 back" if active == "1" else "已停用 inactive"
        message = f"{representative} {state}：重新计算后生效 (applies at the next run)"
    except GridsvcError as exc:
        error, status = str(exc), status_of(exc)
    context = _section_context(conn, session, section)
    return render_page(
        "workbench_section.html", session, status, message=message, error=error, **context
    )


@router.post("/proposals", response_class=HTMLResponse)
def propose(
    conn: Conn,
    session: FormSession,
    section: Text,
    scenario: Text,
    code: Text,
    group: Text,
    lon: Annotated[float, Form(ge=-180, le=180)],
    lat: Annotated[float, Form(ge=-90, le=90)],
    name: OptionalText = "",
) -> HTMLResponse:
    """A scenario with a new representative at a point clicked on the map (the CLI's
    `assign --scenario --add-representatives`); compared and promoted like any other."""
    message, error, status = "", "", 200
    proposed = {"code": code, "name": name or code, "group_code": group, "lon": lon, "lat": lat}
    try:
        result = workbench.propose(conn, session.actor, scenario, section, proposed)
        message = f"方案 {scenario}：拟增代表 {code} 已计算 (run {result.run_id})"
    except GridsvcError as exc:
        error, status = str(exc), status_of(exc)
    context = _section_context(conn, session, section)
    return render_page(
        "workbench_section.html", session, status, message=message, error=error, **context
    )


def _runs_context(conn: Conn, session: Session) -> dict[str, Any]:
    return {
        "runs": records(runs.list_runs(conn, session.actor, 15)),
        "sections": workbench.home(conn, session.actor).sections,
    }


@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request, conn: Conn, session: LiveSession) -> Response:
    if session is None:
        return to_login(request)
    return render_page("workbench_runs.html", session, **_runs_context(conn, session))


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
        return render_page(
            "workbench_runs.html", session, status_of(exc), error=str(exc), **context
        )
    context = _runs_context(conn, session)
    return render_page("workbench_runs.html", session, outcome=outcome, **context)


def _scenarios_context(conn: Conn, session: Session) -> dict[str, Any]:
    return {
        "scenarios": records(steering.list_scenarios(conn, session.actor)),
        "sections": workbench.home(conn, session.actor).sections,
    }


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request, conn: Conn, session: LiveSession) -> Response:
    if session is None:
        return to_login(request)
    return render_page("workbench_scenarios.html", session, **_scenarios_context(conn, session))


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
        error, status = str(exc), status_of(exc)
    context = _scenarios_context(conn, session)
    return render_page(
        "workbench_scenarios.html", session, status, message=message, error=error, **context
    )


@router.get("/scenarios/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, conn: Conn, session: LiveSession, a: str = "", b: str = ""
) -> Response:
    if session is None:
        return to_login(request)
    try:
        comparison = workbench.compare(conn, session.actor, a[:100], b[:100])
    except GridsvcError as exc:
        context = _scenarios_context(conn, session)
        return render_page(
            "workbench_scenarios.html", session, status_of(exc), error=str(exc), **context
        )
    figures = comparison.figures.reset_index(names="figure")
    return render_page(
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
        error, status = str(exc), status_of(exc)
    context = _scenarios_context(conn, session)
    return render_page(
        "workbench_scenarios.html", session, status, message=message, error=error, **context
    )


@router.get("/exports", response_class=HTMLResponse)
def exports_page(request: Request, conn: Conn, session: LiveSession) -> Response:
    if session is None:
        return to_login(request)
    board = workbench.home(conn, session.actor)
    latest = records(runs.list_runs(conn, session.actor, 2))
    return render_page(
        "workbench_exports.html",
        session,
        sections=board.sections,
        latest=latest,
    )
