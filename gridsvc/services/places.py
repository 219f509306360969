"""Checking that a community or section code names a place in the store."""

from __future__ import annotations

from gridsvc.db import lookups
from gridsvc.db.connection import Connection
from gridsvc.errors import NotFound


def require_place(conn: Connection, level: str, code: str) -> None:
    """Refuse a code that names no place of `level`."""
    if not lookups.place_exists(conn, level, code):
        raise NotFound(f"{level} {code!r}: no such {level}")
