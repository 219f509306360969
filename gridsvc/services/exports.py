"""Exports for the office: the contact list (代表联户清单) and the notification list of a run's
changes, as the caller's role and scope allow, audited."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gridsvc.access import Actor, Role, apply_frame
from gridsvc.db import changes, runs
from gridsvc.db.connection import Connection
from gridsvc.errors import InputError, NotFound
from gridsvc.services.audit_trail import record_read
from gridsvc.services.guard import require_role
from gridsvc.writers import format_of, write_table

CONTACT_HEADERS = {
    "community_code": "社区",
    "section_code": "网格片区",
    "group_code": "居民小组",
    "representative_code": "代表编号",
    "rep_name": "代表姓名",
    "rep_phone": "代表电话",
    "household_code": "户编号",
    "head_name": "户主",
    "phone": "户主电话",
    "address": "地址",
    "key_category": "重点户类别",
    "distance_m": "距离(米)",
}
NOTICE_HEADERS = {
    "household_code": "户编号",
    "address": "地址",
    "head_name": "户主",
    "phone": "户主电话",
    "reason": "变更原因",
    "old_representative": "原代表编号",
    "old_name": "原代表姓名",
    "old_phone": "原代表电话",
    "new_representative": "新代表编号",
    "new_name": "新代表姓名",
    "new_phone": "新代表电话",
}
REASONS = {
    "new": "新增户",
    "removed": "已迁出",
    "moved": "住址变更",
    "representative inactive": "原代表不再担任",
    "newly covered": "新纳入联系",
    "uncovered": "暂无代表",
    "rebalanced": "调整均衡",
}
NOTICE_REP_COLUMNS = {
    "old_name": ("representative.name", "name"),
    "old_phone": ("representative.phone", "phone"),
    "new_name": ("representative.name", "name"),
    "new_phone": ("representative.phone", "phone"),
}


@dataclass(frozen=True)
class Exported:
    path: Path
    rows: int
    format: str


def _in_scope(actor: Actor, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows outside the caller's scope are left out of an export altogether."""
    if actor.scope.level == "street" or frame.empty:
        return frame
    columns = [f"{actor.scope.level}_code"]
    if actor.scope.level == "representative":
        columns += ["old_representative", "new_representative"]
    mask = pd.Series(False, index=frame.index)
    for column in columns:
        if column in frame:
            mask |= frame[column] == actor.scope.code
    return frame[mask]


def contact_table(conn: Connection, actor: Actor, run_id: int | None = None) -> pd.DataFrame:
    """The contact list of a run (default: the one in force) as the caller may see it."""
    require_role(actor, Role.viewer, "export the contact list")
    run_id = run_id or runs.run_in_force(conn)
    if run_id is None:
        raise NotFound("no assignment run is in force yet: run an assignment first")
    runs.get_run(conn, run_id)
    frame = apply_frame(actor, _in_scope(actor, changes.contacts(conn, run_id)))
    record_read(conn, actor, "exports.contacts", f"run {run_id}", len(frame))
    return frame


def export_contacts(
    conn: Connection, actor: Actor, path: Path, fmt: str | None = None, run_id: int | None = None
) -> Exported:
    """Write the contact list: CSV/XLSX with Chinese headers, or GeoJSON points."""
    chosen = format_of(path, fmt)
    frame = contact_table(conn, actor, run_id)
    columns = list(CONTACT_HEADERS) + (["lon", "lat"] if chosen == "geojson" else [])
    table = frame[columns]
    if chosen == "geojson":
        write_table(table, path, chosen)
    else:
        write_table(table, path, chosen, sheet="代表联户清单", headers=CONTACT_HEADERS)
    return Exported(path, len(table), chosen)


def notification_table(conn: Connection, actor: Actor, run_a: int, run_b: int) -> pd.DataFrame:
    """Who gets a new representative from run A to run B, with both representatives' contact."""
    require_role(actor, Role.staff, "read the notification list")
    frame = _in_scope(actor, changes.notifications(conn, run_a, run_b))
    frame = apply_frame(actor, apply_frame(actor, frame), NOTICE_REP_COLUMNS)
    frame["reason"] = frame["reason"].map(REASONS).fillna(frame["reason"])
    record_read(conn, actor, "exports.notifications", f"runs {run_a}->{run_b}", len(frame))
    return frame


def export_notifications(
    conn: Connection, actor: Actor, run_a: int, run_b: int, path: Path, fmt: str | None = None
) -> Exported:
    """The notification list for the community office, CSV or XLSX with Chinese headers."""
    chosen = format_of(path, fmt)
    if chosen == "geojson":
        raise InputError("format geojson: the notification list is a table (csv or xlsx)")
    frame = notification_table(conn, actor, run_a, run_b)[list(NOTICE_HEADERS)]
    write_table(frame, path, chosen, sheet="变更通知", headers=NOTICE_HEADERS)
    return Exported(path, len(frame), chosen)


def run_changes(conn: Connection, actor: Actor, run_a: int, run_b: int) -> pd.DataFrame:
    """The households whose representative differs between two runs, by code and reason."""
    require_role(actor, Role.viewer, "compare runs")
    frame = _in_scope(actor, changes.diff(conn, run_a, run_b))
    return frame[["household_code", "old_representative", "new_representative", "reason"]]
