"""Test set-up: a real PostGIS (the private cluster, or GRIDSVC_TEST_ADMIN_URL) and a fresh
database for the session. Nothing is mocked; if the server cannot start, the tests fail."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from gridsvc.db.cluster import LocalCluster
from gridsvc.db.connection import Connection, create_database, drop_database
from gridsvc.db.migrate import apply_migrations
from tests.factories import fresh_db, street_db, write_street
from tests.helpers import load_street

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
    "pin",
    "audit_log",
    "api_key",
)


def _admin_url() -> tuple[str, str]:
    """The maintenance URL and a template for the test database's URL."""
    given = os.environ.get("GRIDSVC_TEST_ADMIN_URL")
    if given:
        return given, given.rsplit("/", 1)[0] + "/{db}"
    cluster = LocalCluster((ROOT / ".gridsvc").resolve())
    cluster.up()
    return cluster.url("postgres"), cluster.url("{db}")


@pytest.fixture(scope="session")
def pg_admin() -> tuple[str, str]:
    """The maintenance URL and the template of a database's URL ('{db}' for its name)."""
    return _admin_url()


@pytest.fixture(scope="session")
def pg_url(pg_admin: tuple[str, str]) -> Iterator[str]:
    admin, template = pg_admin
    drop_database(admin, TEST_DB)
    create_database(admin, TEST_DB)
    url = template.replace("{db}", TEST_DB)
    with psycopg2.connect(url) as conn:
        apply_migrations(conn)
    conn.close()
    yield url
    drop_database(admin, TEST_DB)


@pytest.fixture
def conn(pg_url: str) -> Iterator[Connection]:
    connection = psycopg2.connect(pg_url)
    yield connection
    connection.rollback()
    connection.close()


def truncate_all(conn: Connection) -> None:
    with conn.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE")
    conn.commit()


@pytest.fixture
def empty_db(pg_admin: tuple[str, str]) -> Iterator[Connection]:
    """A store of its own with the schema and no data (the module's sample stays as it is)."""
    with fresh_db(*pg_admin) as conn:
        yield conn


@pytest.fixture(scope="module")
def sample_url(pg_url: str) -> str:
    """The test store holding the sample street (loaded once per test module)."""
    with psycopg2.connect(pg_url) as connection:
        truncate_all(connection)
        load_street(connection, SAMPLE)
    connection.close()
    return pg_url


@pytest.fixture
def sample_conn(sample_url: str) -> Iterator[Connection]:
    connection = psycopg2.connect(sample_url)
    yield connection
    connection.rollback()
    connection.close()


@pytest.fixture(scope="session")
def small_street_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small street (2 communities, 4 sections, 8 groups, 48 representatives) on disk."""
    return write_street(tmp_path_factory.mktemp("small-street"))


@pytest.fixture
def small_street(pg_admin: tuple[str, str], small_street_folder: Path) -> Iterator[Connection]:
    """A database of its own holding the small street, for one test."""
    with street_db(*pg_admin, small_street_folder) as conn:
        yield conn
