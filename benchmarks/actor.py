"""The actor the benchmarks act as (a planner at the terminal), and a short run call."""

from __future__ import annotations

from typing import Any

from gridsvc.access import Actor, Role
from gridsvc.assign import Params
from gridsvc.db.connection import Connection
from gridsvc.services import runs

BENCH = Actor("benchmark", Role.planner, via="benchmark")


def assign(conn: Connection, params: Params | None = None, **order: Any) -> runs.RunResult:
    return runs.assign(conn, BENCH, runs.RunOrder(params or Params(), **order))
