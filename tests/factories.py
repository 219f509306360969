"""Small streets made in code, for database tests that must not hang on the sample street's
numbers and must pass in any order (each test gets a database of its own)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2

from gridsvc import sample
from gridsvc.db.connection import Connection, create_database, drop_database
from gridsvc.db.migrate import apply_migrations
from tests.helpers import load_street

_made = 0


def write_street(
    folder: Path,
    *,
    communities: int = 2,
    sections: int = 4,
    groups: int = 8,
    representatives: int = 48,
    seed: int = 7,
) -> Path:
    """A street folder like the sample's, of the size asked for."""
    spec = sample.StreetSpec(
        communities=communities,
        sections=sections,
        groups=groups,
        representatives=representatives,
        villages=1,
        radius_m=600.0,
    )
    sample.write(sample.generate(seed=seed, spec=spec), folder)
    return folder


@dataclass(frozen=True)
class Server:
    """Where test databases are made: the maintenance URL, and URL templates ('{db}' for the
    name) for the schema's owner (migrations) and for gridsvc's own role."""

    admin: str
    owner: str
    app: str


@contextmanager
def fresh_db(server: Server, name: str | None = None) -> Iterator[Connection]:
    """A database of its own, migrated and empty, as gridsvc connects; dropped afterwards."""
    global _made
    _made += 1
    name = name or f"gridsvc_small_{os.getpid()}_{_made}"
    drop_database(server.admin, name)
    create_database(server.admin, name)
    with psycopg2.connect(server.owner.replace("{db}", name)) as owner:
        apply_migrations(owner)
    owner.close()
    conn = psycopg2.connect(server.app.replace("{db}", name))
    try:
        yield conn
    finally:
        conn.close()
        drop_database(server.admin, name)


@contextmanager
def street_db(server: Server, folder: Path) -> Iterator[Connection]:
    """A database of its own holding the street in `folder`; dropped afterwards."""
    with fresh_db(server) as conn:
        load_street(conn, folder)
        yield conn
