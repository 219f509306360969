"""A TestClient on a store of the test's own (the small street), with keys per role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from gridsvc.access import Role, Scope
from gridsvc.api.app import create_app
from gridsvc.db.connection import Connection
from gridsvc.services import keys
from gridsvc.settings import Settings
from tests.helpers import PLANNER


@contextmanager
def client_on(conn: Connection, **settings: Any) -> Iterator[TestClient]:
    app = create_app(Settings(**settings), url=conn.dsn)
    with TestClient(app) as client:
        yield client


def key(conn: Connection, role: Role, scope: str = "street") -> dict[str, str]:
    made = keys.create_key(conn, PLANNER, f"test {role.name}", role, Scope.parse(scope))
    conn.commit()
    return {"X-API-Key": made}
