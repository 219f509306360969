"""What the workbench pages show: the dashboard narrowed to the caller's scope, a section to
steer on the map, a run with its notification list, two scenarios compared household by
household. Each composes the services the CLI calls; nothing here writes by itself."""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gridsvc.access import Actor, Role
from gridsvc.assign import Params
from gridsvc.db.connection import Connection
from gridsvc.db.frames import records
from gridsvc.errors import NotFound
from gridsvc.maps.data import SectionData
from gridsvc.services import exports, lookups, maps, runs, steering
from gridsvc.services.dashboard import Dashboard, dashboard
from gridsvc.services.guard import require_role
from gridsvc.services.structure import places

MAP_HOUSEHOLDS = 500  # the compare maps draw at most this many of the households that differ


def home(conn: Connection, actor: Actor) -> Dashboard:
    """The street dashboard as `actor` answers for it: a community or section scope sees its
    own place's figures and sections only (the public and street scopes see the street)."""
    board = dashboard(conn, actor)
    scope = actor.scope
    if scope.level in ("community", "section"):
        board.sections = [s for s in board.sections if scope.covers(s.community_code, s.code)]
        board.worst = [s for s in board.worst if scope.covers(s.community_code, s.code)]
        own = [p for p in places(conn, actor, scope.level) if p.code == scope.code]
        board.street = own[0] if own else None
    return board


def section_view(conn: Connection, actor: Actor, code: str) -> SectionData:
    """A section to steer on: in the caller's scope, as the policy lets them see it."""
    require_role(actor, Role.viewer, "open the section workbench")
    maps.require_section(conn, actor, code)
    return maps.section(conn, actor, code)


@dataclass
class RunOutcome:
    """A run and who got a new representative from the run in force before it."""

    result: runs.RunResult
    previous_run: int | None
    notifications: list[dict]


def run_with_notifications(conn: Connection, actor: Actor, order: runs.RunOrder) -> RunOutcome:
    """Run an assignment (the CLI's `assign`), then the notification list against the run
    that was in force before (the CLI's `runs diff` / export)."""
    before = maps.run_in_force(conn)
    result = runs.assign(conn, actor, order)
    listed: list[dict] = []
    if before is not None and before != result.run_id:
        listed = records(exports.notification_table(conn, actor, before, result.run_id))
    return RunOutcome(result, before, listed)


@dataclass
class Comparison:
    """Two scenarios side by side: their figures and the households they place differently."""

    names: list[str]
    figures: pd.DataFrame
    runs: dict[str, int]
    differ: list[dict]
    maps: dict[str, dict] = field(default_factory=dict)  # name -> households, representatives


def compare(conn: Connection, actor: Actor, first: str, second: str) -> Comparison:
    """The CLI's `scenarios compare`, with the households whose representative differs."""
    figures = steering.compare_scenarios(conn, actor, [first, second])
    listing = steering.list_scenarios(conn, actor)
    run_of = dict(zip(listing["scenario"], listing["run"], strict=True))
    for name in (first, second):
        if name not in run_of:
            raise NotFound(f"scenario {name}: no such scenario")
    a, b = int(run_of[first]), int(run_of[second])
    differ = records(exports.run_changes(conn, actor, a, b))
    found = Comparison([first, second], figures, {first: a, second: b}, differ)
    codes = {d["household_code"] for d in differ[:MAP_HOUSEHOLDS]}
    reps: dict[str, dict] = {}
    for name, run in found.runs.items():
        # the same contact list as the export: the policy and the caller's scope applied
        table = exports.contact_table(conn, actor, run)
        table = table[table["household_code"].isin(codes) & table["lat"].notna()]
        houses = records(table[["household_code", "representative_code", "lon", "lat"]])
        for rep in {h["representative_code"] for h in houses} - set(reps) - {None}:
            seen = lookups.representative(conn, actor, rep)
            reps[rep] = {"code": rep, "lon": seen.lon, "lat": seen.lat}
        found.maps[name] = {"households": houses}
    for drawn in found.maps.values():
        drawn["representatives"] = list(reps.values())
    return found


def propose(
    conn: Connection,
    actor: Actor,
    scenario: str,
    section: str,
    proposed: dict[str, object],
) -> runs.RunResult:
    """A scenario of `section` with one proposed representative (code, name, group_code,
    lon, lat in CGCS2000): the CLI's `assign --scenario NAME --add-representatives FILE`,
    given the file it would read."""
    require_role(actor, Role.planner, "propose a representative")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "proposed.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["code", "name", "group_code", "lon", "lat"])
            writer.writeheader()
            writer.writerow({k: proposed.get(k, "") for k in writer.fieldnames})
        order = runs.RunOrder(
            Params(), section=section, scenario=scenario, add_representatives=path
        )
        return runs.assign(conn, actor, order)
