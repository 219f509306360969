"""Test set-up: a real PostGIS (the private cluster, or GRIDSVC_TEST_ADMIN_URL) and a fresh
database for the session. Nothing is mocked; if the server cannot start, the tests fail."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from gridsvc.actions import load_street
from gridsvc.db.cluster import LocalCluster
from gridsvc.db.connection import Connection, create_database, drop_database
from gridsvc.db.migrate import apply_migrations
from gridsvc.db.roles import APP_ROLE, OWNER_ROLE

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "geodata" / "guihua"
TEST_DB = f"gridsvc_test_{os.getpid()}"
DATA_TABLES = (
    "assignment",
    "assignment_run",
    "household",
    "representative",
    "resident_group",
    "grid_section",
    "community",
    "import_batch",
)


def _admin_url() -> tuple[str, str, str]:
    """The maintenance URL and templates for the test database's URLs: the schema owner's
    (migrations, TRUNCATE) and gridsvc's own (everything else, as the service runs)."""
    given = os.environ.get("GRIDSVC_TEST_ADMIN_URL")
    if given:
        template = given.rsplit("/", 1)[0] + "/{db}"
        return given, template, template
    cluster = LocalCluster((ROOT / ".gridsvc").resolve())
    cluster.up()
    return cluster.url("postgres"), cluster.url("{db}", OWNER_ROLE), cluster.url("{db}", APP_ROLE)


@pytest.fixture(scope="session")
def pg_owner_url() -> Iterator[str]:
    """The test database, migrated; its owner's URL."""
    admin, owner_template, _ = _admin_url()
    drop_database(admin, TEST_DB)
    create_database(admin, TEST_DB)
    url = owner_template.replace("{db}", TEST_DB)
    with psycopg2.connect(url) as conn:
        apply_migrations(conn)
    conn.close()
    yield url
    drop_database(admin, TEST_DB)


@pytest.fixture(scope="session")
def pg_url(pg_owner_url: str) -> str:
    """The test database as gridsvc connects to it."""
    return _admin_url()[2].replace("{db}", TEST_DB)


@pytest.fixture
def conn(pg_url: str) -> Iterator[Connection]:
    connection = psycopg2.connect(pg_url)
    yield connection
    connection.rollback()
    connection.close()


def truncate_all(owner_url: str) -> None:
    with psycopg2.connect(owner_url) as owner, owner.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE")
    owner.close()


@pytest.fixture
def empty_db(conn: Connection, pg_owner_url: str) -> Connection:
    """A connection to a store with the schema and no data."""
    truncate_all(pg_owner_url)
    return conn


@pytest.fixture(scope="module")
def sample_url(pg_url: str, pg_owner_url: str) -> str:
    """The test store holding the sample street (loaded once per test module)."""
    truncate_all(pg_owner_url)
    with psycopg2.connect(pg_url) as connection:
        load_street(connection, SAMPLE)
    connection.close()
    return pg_url


@pytest.fixture
def sample_conn(sample_url: str) -> Iterator[Connection]:
    connection = psycopg2.connect(sample_url)
    yield connection
    connection.rollback()
    connection.close()
