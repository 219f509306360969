"""Test set-up: a real PostGIS (the private cluster, or GRIDSVC_TEST_ADMIN_URL) and fresh
databases: one for the session (the sample street, loaded per module) and one per test that
needs a store of its own. Nothing is mocked; if the server cannot start, the tests fail."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from gridsvc.db.cluster import LocalCluster
from gridsvc.db.connection import Connection, create_database, drop_database
from gridsvc.db.migrate import apply_migrations
from gridsvc.db.roles import APP_ROLE, OWNER_ROLE
from tests.factories import Server, fresh_db, street_db, write_street
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


def _server() -> Server:
    """The maintenance URL and templates for a database's URLs: the schema owner's
    (migrations, TRUNCATE) and gridsvc's own (everything else, as the service runs)."""
    given = os.environ.get("GRIDSVC_TEST_ADMIN_URL")
    if given:
        template = given.rsplit("/", 1)[0] + "/{db}"
        return Server(given, template, template)
    cluster = LocalCluster((ROOT / ".gridsvc").resolve())
    cluster.up()
    return Server(
        cluster.url("postgres"), cluster.url("{db}", OWNER_ROLE), cluster.url("{db}", APP_ROLE)
    )


@pytest.fixture(scope="session")
def pg_server() -> Server:
    return _server()


@pytest.fixture(scope="session")
def pg_owner_url(pg_server: Server) -> Iterator[str]:
    """The session's test database, migrated; its owner's URL."""
    drop_database(pg_server.admin, TEST_DB)
    create_database(pg_server.admin, TEST_DB)
    url = pg_server.owner.replace("{db}", TEST_DB)
    with psycopg2.connect(url) as conn:
        apply_migrations(conn)
    conn.close()
    yield url
    drop_database(pg_server.admin, TEST_DB)


@pytest.fixture(scope="session")
def pg_url(pg_server: Server, pg_owner_url: str) -> str:
    """The session's test database as gridsvc connects to it."""
    return pg_server.app.replace("{db}", TEST_DB)


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
def empty_db(pg_server: Server) -> Iterator[Connection]:
    """A store of its own with the schema and no data (the module's sample stays as it is)."""
    with fresh_db(pg_server) as connection:
        yield connection


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


@pytest.fixture(scope="session")
def small_street_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small street (2 communities, 4 sections, 8 groups, 48 representatives) on disk."""
    return write_street(tmp_path_factory.mktemp("small-street"))


@pytest.fixture
def small_street(pg_server: Server, small_street_folder: Path) -> Iterator[Connection]:
    """A database of its own holding the small street, for one test."""
    with street_db(pg_server, small_street_folder) as connection:
        yield connection
