"""Pages for people: the planner's home page, the maps (HTML, PNG, PDF) and the public page
a resident reaches from a contact card's QR code. Everything works with no internet."""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from gridsvc import __version__
from gridsvc.api.deps import AnyCaller, Conn
from gridsvc.db import audit, lookups, mapdata, runs, scenarios
from gridsvc.errors import NotFound
from gridsvc.maps import sheets
from gridsvc.maps.overview import build_overview_map
from gridsvc.maps.render import render
from gridsvc.maps.section import build_section_map

router = APIRouter(tags=["pages"])
_chromium_lock = threading.Lock()  # one Chromium at a time on a small machine
PRINTED = {
    "png": ("sections/{code}.png", "image/png"),
    "pdf": ("print/{code}.pdf", "application/pdf"),
    "cards": ("cards/{code}.pdf", "application/pdf"),
    "orgchart": ("orgcharts/{code}.pdf", "application/pdf"),
}


def _html(page: str) -> HTMLResponse:
    return HTMLResponse(page)


def _printed(request: Request, conn: Conn, code: str | None, kind: str) -> FileResponse:
    """A PNG or PDF of the run in force, rendered by Chromium once and then kept."""
    settings = request.app.state.settings
    run = runs.run_in_force(conn) or 0
    folder = (settings.data_dir / "maps-cache" / f"run-{run}").resolve()
    if code is None:
        path, media = folder / "overview.png", "image/png"
    else:
        if code not in mapdata.section_codes(conn):
            raise NotFound(f"section {code}: no such section")
        pattern, media = PRINTED[kind]
        path = folder / pattern.format(code=code)
    with _chromium_lock:
        if not path.exists():
            render(
                conn,
                folder,
                sections=[code] if code else [],
                public_url=settings.public_url,
                formats=("html", "png", "pdf") if code else ("html", "png"),
                tiles=settings.tiles_url,
                overview=code is None,
            )
    return FileResponse(path, media_type=media, filename=Path(path).name)


@router.get("/", response_class=HTMLResponse, summary="The planner's home page")
def home(conn: Conn) -> HTMLResponse:
    groups = lookups.figures(conn)
    sections = lookups.roll_up(groups, ["section_code", "section_name", "community_name"])
    households, covered = int(groups["households"].sum()), int(groups["covered"].sum())
    run = runs.run_in_force(conn)

    def loads(frame) -> str:  # type: ignore[no-untyped-def]
        if frame["load_max"].isna().all():
            return "—"
        mean = (frame["load_mean"].fillna(0) * frame["representatives"]).sum() / max(
            frame["representatives"].sum(), 1
        )
        return f"{int(frame['load_min'].min())}/{mean:.1f}/{int(frame['load_max'].max())}"

    figures = {
        "households": households,
        "covered": covered,
        "coverage": f"{covered / households:.1%}" if households else "—",
        "representatives": int(groups["representatives"].sum()),
        "loads": loads(groups),
        "out_of_range": int(groups["loads_out_of_range"].sum()) if run else 0,
        "key_households": int(groups["key_households"].sum()),
        "run": run or "—",
    }
    rows = [
        {
            "code": s.section_code,
            "name": s.section_name,
            "community": s.community_name,
            "households": int(s.households),
            "covered": int(s.covered),
            "coverage": f"{s.covered / s.households:.1%}" if s.households else "—",
            "representatives": int(s.representatives),
            "cross_group": int(s.cross_group),
            "loads": loads(sections.iloc[[i]]),
        }
        for i, s in enumerate(sections.itertuples())
    ]
    recent = runs.records(runs.list_runs(conn, 10))
    for previous, current in zip(recent[1:], recent, strict=False):
        if current["status"] == "done" and previous["status"] == "done":
            changes = runs.diff(conn, previous["id"], current["id"])
            counts = changes.groupby("reason").size().to_dict() if len(changes) else {}
            current["changes"] = ", ".join(f"{k} {v}" for k, v in counts.items()) or "无变化"
    for r in recent:
        r.setdefault("changes", "—")
        r["started"] = str(r["started_at"])[:19]
        r["coverage"] = f"{r['coverage']:.1%}" if r["coverage"] is not None else "—"
        r["mean_m"] = r["mean_m"] if r["mean_m"] is not None else "—"
    planned = runs.records(scenarios.listing(conn))
    for item in planned:
        item["finished"] = str(item["finished_at"])[:19]
        item["coverage"] = f"{item['coverage']:.1%}" if item["coverage"] is not None else "—"
    worst = runs.records(audit.roll_up(conn, "section").head(5)) if run else []
    page = (
        sheets.environment()
        .get_template("home.html")
        .render(
            street="桂花街道" if households else "gridsvc",
            version=__version__,
            f=figures,
            sections=rows,
            runs=recent,
            scenarios=planned,
            worst=worst,
        )
    )
    return _html(page)


@router.get("/maps/overview.png", summary="The street overview as PNG")
def overview_png(request: Request, conn: Conn) -> FileResponse:
    return _printed(request, conn, None, "png")


@router.get("/maps/overview", response_class=HTMLResponse, summary="The street overview map")
def overview_map(request: Request, conn: Conn) -> HTMLResponse:
    tiles = request.app.state.settings.tiles_url
    return _html(
        build_overview_map(mapdata.overview(conn), link="/maps/sections/{code}", tiles=tiles)
        .get_root()
        .render()
    )


@router.get("/maps/sections/{code}.png", summary="A section map as PNG")
def section_png(code: str, request: Request, conn: Conn) -> FileResponse:
    return _printed(request, conn, code, "png")


@router.get("/maps/sections/{code}.pdf", summary="A section's A3 print sheet (masked)")
def section_pdf(code: str, request: Request, conn: Conn) -> FileResponse:
    return _printed(request, conn, code, "pdf")


@router.get("/maps/sections/{code}/cards.pdf", summary="A section's contact cards (A4)")
def section_cards(code: str, request: Request, conn: Conn) -> FileResponse:
    return _printed(request, conn, code, "cards")


@router.get("/maps/sections/{code}/orgchart.pdf", summary="A section's organisation chart")
def section_orgchart(code: str, request: Request, conn: Conn) -> FileResponse:
    return _printed(request, conn, code, "orgchart")


@router.get(
    "/maps/sections/{code}",
    response_class=HTMLResponse,
    summary="A section's who-contacts-whom map (names as the caller's role allows)",
)
def section_map(code: str, request: Request, conn: Conn, caller: AnyCaller) -> HTMLResponse:
    data = mapdata.section(conn, code)
    if caller.role.value:
        caller.audit(conn, request, f"section map {code}")
    tiles = request.app.state.settings.tiles_url
    return _html(build_section_map(data, role=caller.role, tiles=tiles).get_root().render())


@router.get(
    "/r/{code}",
    response_class=HTMLResponse,
    summary="A representative's public page (the QR code on the contact card)",
)
def representative_page(code: str, conn: Conn) -> HTMLResponse:
    rep = lookups.representative(conn, code)
    if rep is None:
        raise NotFound(f"representative {code}: no such representative")
    return _html(sheets.representative_page(rep))
