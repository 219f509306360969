"""Small streets made in code, for database tests that must not hang on the sample street's
numbers and must pass in any order (each test gets a database of its own)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def fresh_db(admin_url: str, url_template: str) -> Iterator[Connection]:
    """A database of its own, migrated and empty; dropped afterwards."""
    global _made
    _made += 1
    name = f"gridsvc_small_{os.getpid()}_{_made}"
    drop_database(admin_url, name)
    create_database(admin_url, name)
    conn = psycopg2.connect(url_template.replace("{db}", name))
    try:
        apply_migrations(conn)
        yield conn
    finally:
        conn.close()
        drop_database(admin_url, name)


@contextmanager
def street_db(admin_url: str, url_template: str, folder: Path) -> Iterator[Connection]:
    """A database of its own holding the street in `folder`; dropped afterwards."""
    with fresh_db(admin_url, url_template) as conn:
        load_street(conn, folder)
        yield conn
