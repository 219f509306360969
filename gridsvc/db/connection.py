"""Connections and transactions: the one place a transaction is opened."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import connection as Connection

from gridsvc.db.cluster import LocalCluster
from gridsvc.db.migrate import apply_migrations
from gridsvc.errors import DatabaseError
from gridsvc.settings import Settings


def database_url(settings: Settings) -> str:
    """The URL of the store: `GRIDSVC_DATABASE_URL`, or the private cluster's."""
    if settings.database_url:
        return settings.database_url
    return local_cluster(settings).url("gridsvc")


def local_cluster(settings: Settings) -> LocalCluster:
    return LocalCluster(settings.data_dir.resolve())


def connect(url: str) -> Connection:
    """Open a connection, with a message that says where it failed."""
    try:
        return psycopg2.connect(url, application_name="gridsvc")
    except psycopg2.OperationalError as exc:
        raise DatabaseError(
            f"cannot connect to {url}: {str(exc).strip()} (is it running? try `gridsvc db up`)"
        ) from exc


@contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """One transaction: commit when the block ends normally, roll back on any exception (and
    on a connection in autocommit, as the API lends them, open one for the block)."""
    was_autocommit = conn.autocommit
    if was_autocommit:
        conn.autocommit = False
    try:
        yield conn
        conn.commit()
    except BaseException:
        if not conn.closed:
            conn.rollback()
        raise
    finally:
        if was_autocommit and not conn.closed:
            conn.autocommit = True


def ensure_store(settings: Settings) -> str:
    """Start the private cluster if needed, create the database and migrate it; return its URL."""
    if settings.database_url:
        url = settings.database_url
    else:
        cluster = local_cluster(settings)
        cluster.up()
        create_database(cluster.url("postgres"), "gridsvc")
        url = cluster.url("gridsvc")
    with connect(url) as conn:
        apply_migrations(conn)
    conn.close()
    return url


def create_database(admin_url: str, name: str) -> None:
    """CREATE DATABASE `name` unless it exists."""
    conn = connect(admin_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def drop_database(admin_url: str, name: str) -> None:
    """DROP DATABASE `name` if it exists, closing other sessions on it."""
    conn = connect(admin_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    finally:
        conn.close()


def server_version(conn: Connection) -> str:
    with conn.cursor() as cur:
        cur.execute("SELECT postgis_full_version()")
        row = cur.fetchone()
    if row is None:
        raise DatabaseError("PostGIS is not installed in this database")
    return str(row[0])
