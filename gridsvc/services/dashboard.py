"""The street dashboard (the home page): the figures, the sections, the recent runs and
scenarios, and the places to look at; the same roll-up and policy as the API."""

from __future__ import annotations

from dataclasses import dataclass, field

from gridsvc.access import Actor
from gridsvc.db.connection import Connection
from gridsvc.db.frames import records
from gridsvc.services import runs, structure
from gridsvc.services.rules import rules_in_force
from gridsvc.services.steering import list_scenarios

RUN_STATUS = {"done": "完成", "failed": "失败", "running": "运行中"}


@dataclass
class Dashboard:
    street: structure.PlaceFigures | None
    sections: list[structure.PlaceFigures]
    community_names: dict[str, str]
    load_limits: tuple[int, int]
    runs: list[dict] = field(default_factory=list)
    scenarios: list[dict] = field(default_factory=list)
    worst: list[structure.PlaceFigures] = field(default_factory=list)


def dashboard(conn: Connection, actor: Actor) -> Dashboard:
    street = structure.places(conn, actor, "street")
    sections = structure.places(conn, actor, "section")
    communities = {c.code: c.name for c in structure.places(conn, actor, "community")}
    rules = rules_in_force(conn)
    board = Dashboard(
        street[0] if street and street[0].groups else None,
        sections,
        communities,
        (rules.min_load, rules.max_load),
    )
    for run in records(runs.list_runs(conn, actor, 10)):
        run["status_text"] = RUN_STATUS.get(str(run["status"]), str(run["status"]))
        board.runs.append(run)
    board.scenarios = records(list_scenarios(conn, actor))
    board.worst = [p for p in structure.audit_public(sections)[:5] if p.run_id is not None]
    return board
