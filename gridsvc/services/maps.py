"""Maps and print material: a section as the caller may see it, the overview, rendering to
files. Print material (sheets, cards, org charts) is fetched by staff, who post it on paper;
it shows what a notice board may show (the viewer column of the policy)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import geopandas as gpd

from gridsvc.access import REP_COLUMNS, Actor, Role, apply_frame
from gridsvc.db import mapdata, offices, printkeys, runs
from gridsvc.db.connection import Connection
from gridsvc.errors import InputError, NotFound
from gridsvc.maps.data import SectionData
from gridsvc.maps.render import FORMATS, Rendered, render
from gridsvc.maps.sheets import is_loopback
from gridsvc.services.audit_trail import record_read
from gridsvc.services.guard import require_role, require_scope
from gridsvc.services.people import section_people_frame

Progress = Callable[[str], None]
PRINT_FORMATS = {"png", "pdf"}


def notice_board(actor: Actor) -> Actor:
    """The audience of print material: what a community notice board may show, fetched by
    `actor` (staff), who stays the actor of record."""
    return replace(actor, role=Role.viewer)


def section(
    conn: Connection, actor: Actor, code: str, *, audience: Actor | None = None
) -> SectionData:
    """One section's groups, representatives and households as `actor` may see them, or as
    `audience` may (print for a notice board); the read is audited as `actor`'s, who made
    it, naming the audience when it differs."""
    shown = audience or actor
    rows = mapdata.section(conn, code)
    place = {"community_code": rows.community_code, "section_code": rows.code}
    households = apply_frame(shown, rows.households.assign(**place))
    reps = apply_frame(shown, rows.representatives.assign(**place), REP_COLUMNS)
    action = "maps.section" if shown.role == actor.role else f"maps.section for {shown.role.name}"
    record_read(conn, actor, action, code, len(households))
    return SectionData(
        rows.code,
        rows.name,
        rows.community,
        rows.groups,
        reps,
        households,
        rows.run_id,
        rows.office_phone,
        rows.street,
        section_people_frame(conn, shown, code),
    )


def overview(conn: Connection) -> gpd.GeoDataFrame:
    """Every section with its households, coverage and representatives (public figures)."""
    return mapdata.overview(conn)


def overview_title(conn: Connection) -> str:
    """The overview's title: the street's name and today's date."""
    return f"{offices.street_name(conn) or '街道'} 网格片区总览 · {dt.date.today().isoformat()}"


def require_section(conn: Connection, actor: Actor, code: str) -> None:
    """A section that exists and lies in the actor's scope."""
    known = mapdata.section_communities(conn)
    if code not in known:
        raise NotFound(f"section {code}: no such section")
    require_scope(actor, known[code], code, f"section {code}")


def section_codes(conn: Connection) -> list[str]:
    return mapdata.section_codes(conn)


def run_in_force(conn: Connection) -> int | None:
    return runs.run_in_force(conn)


def run_key(conn: Connection) -> str:
    """The run in force as rendered files are kept: run-ID-FINISHED (no-run without one)."""
    return mapdata.run_key(conn)


def print_stamp(conn: Connection, code: str | None) -> str:
    """A short fingerprint of what section `code`'s print material (None: the overview's)
    shows, beyond the run: kept files are remade when it changes."""
    return (printkeys.section(conn, code) if code else printkeys.street(conn))[:16]


def reachable_url(url: str | None) -> bool:
    """Whether a QR code to `url` reaches this server from a resident's phone (not loopback)."""
    host = urlsplit(url or "").hostname
    return bool(host) and not is_loopback(str(host))


def require_print(conn: Connection, actor: Actor, sections: list[str] | None) -> None:
    """Print material is for staff, of sections in their scope."""
    require_role(actor, Role.staff, "render print material")
    for code in sections or []:
        require_section(conn, actor, code)


def render_files(
    conn: Connection,
    actor: Actor,
    out: Path,
    *,
    sections: list[str] | None = None,
    formats: tuple[str, ...] = ("html",),
    internal: bool = False,
    public_url: str | None = "http://127.0.0.1:8000",
    draft: bool = False,
    tiles: str | None = None,
    progress: Progress | None = None,
    with_overview: bool = True,
    atlas: bool | None = None,
) -> Rendered:
    """Render the maps and print pages (HTML; and, if asked, PNGs, print PDFs and, for the
    whole street, the atlas) into `out`. Drawn for a notice board unless `internal` (staff's
    full view: names in full, exact homes). A PDF run needs a public URL for the cards' QR
    codes unless `draft`."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise InputError(f"format {','.join(sorted(unknown))}: choose from html, png, pdf")
    require_role(
        actor,
        Role.staff if internal or PRINT_FORMATS & set(formats) else Role.viewer,
        "render maps and print material",
    )
    known = mapdata.section_communities(conn)
    in_scope = [c for c, community in known.items() if actor.scope.covers(community, c)]
    codes = in_scope if sections is None else sections
    missing = [c for c in codes if c not in known]
    if missing:
        raise NotFound(f"section {', '.join(missing)}: no such section")
    for code in codes:
        require_scope(actor, known[code], code, f"print section {code}")
    audience = actor if internal else notice_board(actor)
    return render(
        out,
        codes,
        lambda code: section(conn, actor, code, audience=audience),
        overview=overview(conn) if with_overview else None,
        formats=formats,
        public_url=public_url,
        draft=draft,
        tiles=tiles,
        progress=progress,
        street=offices.street_name(conn),
        run_id=runs.run_in_force(conn),
        internal=internal,
        atlas=sections is None if atlas is None else atlas,  # default: the whole street
    )
