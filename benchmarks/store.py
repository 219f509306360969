"""A throw-away database in the private cluster for the benchmarks, dropped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
from actor import BENCH  # benchmarks/actor.py
from psycopg2.extensions import connection

from gridsvc.db.cluster import LocalCluster
from gridsvc.db.connection import create_database, drop_database
from gridsvc.db.migrate import apply_migrations
from gridsvc.services.imports import load_street

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "geodata" / "guihua"


@contextmanager
def bench_store(name: str, *, sample: bool = True) -> Iterator[tuple[connection, str]]:
    """A migrated database `name` (with the sample street loaded unless told otherwise):
    the connection and its URL."""
    cluster = LocalCluster((ROOT / ".gridsvc").resolve())
    cluster.up()
    admin = cluster.url("postgres")
    drop_database(admin, name)
    create_database(admin, name)
    url = cluster.url(name)
    conn = psycopg2.connect(url)
    try:
        apply_migrations(conn)
        if sample:
            load_street(conn, BENCH, SAMPLE)
        yield conn, url
    finally:
        conn.close()
        drop_database(admin, name)
