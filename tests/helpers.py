"""Short ways for tests to call the services as a planner at the terminal would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gridsvc.access import Actor, Role
from gridsvc.assign import Params
from gridsvc.db.connection import Connection
from gridsvc.services import runs
from gridsvc.services.imports import load_street as _load_street

PLANNER = Actor("test planner", Role.planner)


def assign(conn: Connection, params: Params | None = None, **order: Any) -> runs.RunResult:
    """A run with `params` (the rules' defaults if None) and the order's options."""
    return runs.assign(conn, PLANNER, runs.RunOrder(params or Params(), **order))


def load_street(conn: Connection, folder: Path) -> dict[str, int]:
    return _load_street(conn, PLANNER, folder)
