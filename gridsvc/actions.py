"""Planner actions shared by the CLI and the API; each one is a single transaction."""

from __future__ import annotations

from pathlib import Path

from gridsvc.db.connection import Connection, transaction
from gridsvc.db.street import write_street
from gridsvc.ingest.street import read_street


def load_street(conn: Connection, folder: Path) -> dict[str, int]:
    """Validate a street folder, then write it whole or not at all."""
    street = read_street(folder)
    with transaction(conn):
        return write_street(conn, street)
