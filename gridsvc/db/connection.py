"""Connections and transactions: the one place a transaction is opened."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import connection as Connection

from gridsvc.db import roles
from gridsvc.db.cluster import LocalCluster
from gridsvc.db.migrate import apply_migrations
from gridsvc.errors import DatabaseError, StoreUnavailable
from gridsvc.settings import Settings


def database_url(settings: Settings) -> str:
    """The URL of the store for gridsvc itself: `GRIDSVC_DATABASE_URL`, or the private
    cluster's, as the service role (no superuser, no DDL)."""
    if settings.database_url:
        return settings.database_url
    return local_cluster(settings).url("gridsvc", roles.APP_ROLE)


def local_cluster(settings: Settings) -> LocalCluster:
    return LocalCluster(settings.data_dir.resolve())


def session_options(settings: Settings | None = None) -> str:
    """libpq `options` for gridsvc's sessions: a statement timeout, and an idle-in-transaction
    timeout so that a killed client (or its orphaned workers) never holds locks for long."""
    # model_construct: the defaults, without reading the environment behind the caller's back
    s = settings or Settings.model_construct()
    return (
        f"-c statement_timeout={int(s.statement_timeout_s * 1000)}"
        f" -c idle_in_transaction_session_timeout={int(s.idle_in_transaction_timeout_s * 1000)}"
    )


def connect_kwargs(url: str, settings: Settings | None = None) -> dict[str, str]:
    """psycopg2.connect keyword arguments beside `url`: the session options, with any
    `options` the URL already carries placed after them (so that they win)."""
    given = psycopg2.extensions.parse_dsn(url).get("options", "")
    return {"options": f"{session_options(settings)} {given}".strip()}


def connect(url: str, settings: Settings | None = None) -> Connection:
    """Open a connection with gridsvc's session timeouts (`settings`' or the defaults), with a
    message that says where it failed."""
    try:
        options = connect_kwargs(url, settings)["options"]
        conn: Connection = psycopg2.connect(url, application_name="gridsvc", options=options)
        return conn
    except psycopg2.OperationalError as exc:
        raise StoreUnavailable(
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
    """Start the private cluster if needed, create the database and migrate it (as the
    owner); return the URL gridsvc uses."""
    if settings.database_url:
        migrator = settings.database_url
    else:
        cluster = local_cluster(settings)
        cluster.up()
        create_database(cluster.url("postgres"), "gridsvc")
        migrator = cluster.url("gridsvc", roles.OWNER_ROLE)
    conn = connect(migrator)
    try:
        apply_migrations(conn)
    finally:
        conn.close()
    return database_url(settings)


def create_database(admin_url: str, name: str) -> None:
    """CREATE DATABASE `name` unless it exists. On a server with gridsvc's roles (the private
    cluster) the database is then made the owner's and opened to the service role."""
    conn = connect(admin_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    if roles.has_roles(admin_url):
        roles.prepare_database(admin_url, name)


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
