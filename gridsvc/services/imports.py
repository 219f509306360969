"""Imports: a register of households or representatives (read, check, convert coordinates,
place in groups, upsert by code, record the batch) or one level of boundaries, each in one
transaction; and a whole street folder."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from gridsvc.access import Actor, Role
from gridsvc.coords import SYSTEMS, to_cgcs2000
from gridsvc.db import imports
from gridsvc.db.connection import Connection, transaction
from gridsvc.db.street import upsert_areas, write_street
from gridsvc.errors import InputError
from gridsvc.ingest.boundaries import LEVELS, read_boundaries
from gridsvc.ingest.columns import known_headers, load_overrides, map_columns
from gridsvc.ingest.placing import covering_area
from gridsvc.ingest.registers import Issue, Prepared, check_rows
from gridsvc.ingest.report import ImportReport, write_issues
from gridsvc.ingest.street import read_street
from gridsvc.ingest.tables import read_table
from gridsvc.services.boundaries import check_boundaries
from gridsvc.services.guard import require_role, require_street_scope
from gridsvc.services.people import import_roster

KINDS = ("households", "representatives")
AUTO_SAMPLE = 2000  # rows tried under each coordinate system by --crs auto
AUTO_MARGIN = 0.02  # the best system must beat the next by this share of points
Progress = Callable[[str], None]


class _DryRun(Exception):
    """Ends a dry run's transaction: `transaction` rolls it back."""


def load_street(conn: Connection, actor: Actor, folder: Path) -> dict[str, int]:
    """Validate a street folder, then write it whole or not at all."""
    require_role(actor, Role.planner, "load a street")
    require_street_scope(actor, "loading a street")
    street = read_street(folder)
    with transaction(conn):
        counts = write_street(conn, street)
    roster = folder / "roster.csv"
    if roster.exists():  # the organisation's people, when the folder has them
        counts["roster_roles_added"] = import_roster(conn, actor, roster).roles_added
    return counts


def import_register(
    conn: Connection,
    actor: Actor,
    kind: str,
    path: Path,
    *,
    crs: str = "auto",
    mapping: Path | None = None,
    tolerance_m: float = 30.0,
    new_only: bool = False,
    report_dir: Path | None = Path("reports"),
    progress: Progress | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import `path`; accepted + rejected always equals the rows read. A `dry_run` does
    every check and write, reports, and rolls back: nothing is kept."""
    require_role(actor, Role.planner, "import registers")
    require_street_scope(actor, "an import")
    if kind not in KINDS:
        raise InputError(f"import {kind}: choose households or representatives")
    if crs != "auto" and crs not in SYSTEMS:
        raise InputError(f"crs {crs}: choose auto, {', '.join(SYSTEMS)}")
    if tolerance_m < 0:
        raise InputError(f"tolerance {tolerance_m}: must be 0 or more metres")
    say = progress or (lambda _: None)
    started = time.perf_counter()
    table = read_table(path, known_headers(kind))
    cmap = map_columns(list(table.frame.columns), kind, load_overrides(mapping, kind), str(path))
    say(f"read {len(table.frame)} rows from {path.name} ({table.encoding})")
    prepared = check_rows(table, cmap, kind)
    say(f"checked rows: {len(prepared.rows)} pass, {len(prepared.rejected)} rejected")
    report = ImportReport(
        kind,
        path.name,
        table.encoding,
        cmap.describe(),
        rows_read=len(table.frame),
        blank_rows=table.blank_rows,
    )
    try:
        with transaction(conn):
            report.crs, report.crs_fractions = _choose_crs(conn, kind, prepared.rows, crs)
            lon, lat = to_cgcs2000(prepared.rows["lon"], prepared.rows["lat"], report.crs)
            prepared.rows = prepared.rows.assign(lon=np.round(lon, 7), lat=np.round(lat, 7))
            say(f"coordinates: {report.crs}; staging")
            staged = _stage_frame(prepared.rows, kind)
            if kind == "households":
                staged = _inside_groups(conn, staged)
            imports.stage(conn, kind, staged)
            if kind == "households":
                _place_households(conn, prepared, tolerance_m)
            else:
                _place_representatives(conn, prepared, tolerance_m)
            if new_only:
                existing = imports.existing_codes(conn, kind)
                _reject_rows(
                    conn,
                    prepared,
                    existing["row"],
                    "duplicate_code_in_store",
                    lambda r: (
                        f"code {existing.set_index('row').loc[r, 'code']} is "
                        "already in the store (new_only)"
                    ),
                )
            say("writing")
            batch = imports.open_batch(conn, kind, path.name, table.checksum, actor.name)
            change = imports.changes(conn, kind)
            report.new = int((change["change"] == "new").sum())
            report.updated = int((change["change"] == "updated").sum())
            report.unchanged = int((change["change"] == "unchanged").sum())
            report.moved = change.loc[change["moved"].fillna(False).astype(bool), "code"].tolist()
            imports.upsert(conn, kind, batch)
            report.rejected, report.warnings, report.batch_id = (
                sorted(prepared.rejected, key=lambda i: i.row),
                prepared.warnings,
                batch,
            )
            if report.accepted + len(report.rejected) != report.rows_read:  # nothing lost, ever
                raise AssertionError(
                    f"import lost rows: {report.accepted} + "
                    f"{len(report.rejected)} != {report.rows_read}"
                )
            counts = report.as_dict()
            counts["seconds"] = round(time.perf_counter() - started, 2)
            imports.record_batch(conn, batch, counts)
            if dry_run:  # everything checked and written, then undone by the rollback
                raise _DryRun
    except _DryRun:
        report.batch_id = None
        say(f"dry run: nothing kept ({time.perf_counter() - started:.1f} s)")
        return report
    if report_dir is not None and (report.rejected or report.warnings):
        target = report_dir / f"import-{batch}-{path.stem}-report.csv"
        report.report_path = str(write_issues(report, table.frame, target))
    say(f"done in {time.perf_counter() - started:.1f} s")
    return report


def _choose_crs(
    conn: Connection, kind: str, rows: pd.DataFrame, crs: str
) -> tuple[str, dict[str, dict[str, float | None]]]:
    """`auto`: try a sample under WGS84, GCJ-02 and BD-09 and keep the system under which the
    most points fall where they should: inside their own group if the file names it, at the
    stored position of the same code if the store knows it, else inside the street's groups.
    Refuses to guess when two systems score alike."""
    if crs != "auto":
        return crs, {}
    if rows.empty:
        return "cgcs2000", {}
    sample = rows.sample(n=min(AUTO_SAMPLE, len(rows)), random_state=0)
    base = pd.DataFrame(
        {
            "code": sample["code"],
            "group_code": sample.get("group_code", pd.Series("", sample.index)),
        }
    )
    candidates = {}
    for system in ("wgs84", "gcj02", "bd09"):
        lon, lat = to_cgcs2000(sample["lon"], sample["lat"], system)
        candidates[system] = base.assign(lon=lon, lat=lat)
    scores = imports.crs_scores(conn, kind, candidates)
    measure = next((m for m in ("own_group", "known") if scores["wgs84"][m] is not None), "inside")
    ranked = sorted(scores, key=lambda c: scores[c][measure] or 0.0, reverse=True)
    best, second = (scores[c][measure] or 0.0 for c in ranked[:2])
    if best == 0:
        raise InputError(
            "crs auto: no point falls inside the street's groups under WGS84, "
            "GCJ-02 or BD-09; load the boundaries first or name the crs"
        )
    if best - second < AUTO_MARGIN:
        raise InputError(
            f"crs auto cannot tell {ranked[0]} from {ranked[1]} (points "
            f"{measure.replace('_', ' ')}: {best:.1%} vs {second:.1%}); the "
            "register is too local to decide: name the crs (AMap/Tencent: gcj02, "
            "Baidu: bd09, GPS/official maps: wgs84)"
        )
    return ranked[0], scores


def _stage_frame(rows: pd.DataFrame, kind: str) -> pd.DataFrame:
    frame = rows.copy()
    for column in imports.STAGE_COLUMNS[kind]:
        if column != "row" and column not in frame:
            frame[column] = ""
    return frame


def _inside_groups(conn: Connection, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with the group covering each point (group_id, section_id; snapped_m 0), found
    here at once rather than by an UPDATE of every staged row; those no group covers are
    staged without one, for the nearest-group step."""
    areas = imports.group_areas(conn)
    at = covering_area(list(areas["wkb"]), rows["lon"].to_numpy(), rows["lat"].to_numpy())
    outside = at < 0
    if not len(areas):
        at = np.zeros(len(rows), np.int64)
    group = areas["id"].to_numpy(np.int64)[np.maximum(at, 0)] if len(areas) else at
    section = areas["section_id"].to_numpy(np.int64)[np.maximum(at, 0)] if len(areas) else at
    return rows.assign(
        group_id=pd.arrays.IntegerArray(group, outside),
        section_id=pd.arrays.IntegerArray(section, outside),
        snapped_m=np.where(outside, np.nan, 0.0),
    )


def _reject_rows(
    conn: Connection,
    prepared: Prepared,
    rows: pd.Series,
    reason: str,
    message: Callable[[int], str],
) -> None:
    rows_list = [int(r) for r in rows]
    prepared.rejected += [Issue(r, reason, message(r)) for r in rows_list]
    imports.drop_rows(conn, rows_list)


def _place_households(conn: Connection, prepared: Prepared, tolerance_m: float) -> None:
    placed = imports.place_households(conn, tolerance_m).set_index("row")
    lost = placed.index[placed["group_id"].isna()]
    _reject_rows(
        conn,
        prepared,
        lost,
        "outside_street",
        lambda r: (
            f"point lies in no group; the nearest is "
            f"{placed.loc[r, 'snapped_m']:.0f} m away (tolerance {tolerance_m:g} m)"
        ),
    )
    near = placed[placed["group_id"].notna() & (placed["snapped_m"] > 0)]
    prepared.warnings += [
        Issue(
            int(r),
            "snapped_to_nearest_group",
            f"point lies in no group; placed in the nearest, {m:.1f} m away",
        )
        for r, m in near["snapped_m"].items()
    ]


def _place_representatives(conn: Connection, prepared: Prepared, tolerance_m: float) -> None:
    placed = imports.place_representatives(conn).set_index("row")
    unknown = placed.index[~placed["known"]]
    _reject_rows(
        conn,
        prepared,
        unknown,
        "unknown_group",
        lambda r: f"group {placed.loc[r, 'group_code']!r} does not exist",
    )
    far = placed[placed["known"] & (placed["outside_m"] > tolerance_m)]
    prepared.warnings += [
        Issue(
            int(r),
            "outside_own_group",
            f"lives {m:.0f} m outside group {placed.loc[r, 'group_code']}",
        )
        for r, m in far["outside_m"].items()
    ]


def import_boundaries(
    conn: Connection,
    actor: Actor,
    path: Path,
    level: str,
    *,
    extend: bool = False,
    move_households: bool = False,
    dry_run: bool = False,
) -> dict[str, object]:
    """Upsert one level of areas from GeoJSON, GeoPackage or Shapefile, in one transaction,
    after checking the coverage it would make (see `check_boundaries`); a dry run only says
    what would change."""
    require_role(actor, Role.planner, "import boundaries")
    require_street_scope(actor, "an import")
    areas, checksum = read_boundaries(path, level)
    with transaction(conn):
        check = check_boundaries(conn, areas, level, extend=extend, move_households=move_households)
        if dry_run:
            return {"level": level, "features": len(areas), "dry_run": True, **check.as_dict()}
        batch = imports.open_batch(conn, f"boundaries:{level}", path.name, checksum, actor.name)
        count = upsert_areas(conn, LEVELS[level], areas)
        counts: dict[str, object] = {"level": level, "features": count, "batch_id": batch}
        imports.record_batch(conn, batch, counts)
    return {**counts, "dry_run": False, **check.as_dict()}
