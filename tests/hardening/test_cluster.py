"""Issue 17 item 3: the private cluster is closed to other OS users, runs gridsvc as a role
without superpowers, and keeps personal data out of its log."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess

import psycopg2
import psycopg2.errors
import pytest

from gridsvc.db.cluster import LocalCluster
from gridsvc.db.connection import create_database
from gridsvc.db.migrate import apply_migrations
from gridsvc.db.roles import APP_ROLE, OWNER_ROLE
from gridsvc.errors import DatabaseError
from tests.conftest import ROOT
from tests.hardening.conftest import Throwaway

AS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="switching OS users needs root")


def _clusters(throwaway: Throwaway) -> list[LocalCluster]:
    found = [throwaway.cluster]
    if not os.environ.get("GRIDSVC_TEST_ADMIN_URL"):  # the project's own cluster, as tests use it
        found.append(LocalCluster((ROOT / ".gridsvc").resolve()))
    return found


def test_socket_folder_and_log_are_the_service_users_only(throwaway: Throwaway) -> None:
    service = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    for cluster in _clusters(throwaway):
        for path, mode in ((cluster.socket_dir, 0o700), (cluster.log_file, 0o600)):
            info = path.stat()
            assert stat.S_IMODE(info.st_mode) == mode, path
            assert pwd.getpwuid(info.st_uid).pw_name == service, path
        hba = (cluster.pgdata / "pg_hba.conf").read_text()
        rules = [line.split() for line in hba.splitlines() if line and not line.startswith("#")]
        assert rules == [["local", "all", "all", "peer", "map=gridsvc"]], hba


@AS_ROOT
def test_another_os_user_cannot_reach_the_socket(throwaway: Throwaway) -> None:
    psql = shutil.which("psql")
    assert psql, "psql is installed with PostgreSQL"
    for cluster in _clusters(throwaway):
        # the folder above the socket's is open to `nobody`: the socket folder itself stops it
        assert _as("nobody", "ls", str(cluster.data_dir)).returncode == 0
        tried = _as("nobody", psql, cluster.url("postgres"), "-Atc", "SELECT 1")
        assert tried.returncode != 0
        assert "Permission denied" in tried.stderr, tried.stderr


@AS_ROOT
def test_the_operator_reaches_psql_as_postgres_by_peer(throwaway: Throwaway) -> None:
    url = throwaway.cluster.url("gridsvc")
    done = _as(
        "postgres",
        "psql",
        url,
        "-Atc",
        "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "postgres|t"


def test_gridsvc_is_no_superuser_and_cannot_change_the_schema(throwaway: Throwaway) -> None:
    conn = psycopg2.connect(throwaway.app_url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT current_user, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles"
                " WHERE rolname = current_user"
            )
            assert cur.fetchone() == (APP_ROLE, False, False, False)
            cur.execute("INSERT INTO api_key (name, role, key_hash) VALUES ('t', 'viewer', 'x')")
            cur.execute("DELETE FROM api_key WHERE key_hash = 'x'")
            for ddl in (
                "CREATE TABLE stolen (x int)",
                "DROP TABLE household",
                "ALTER TABLE household ADD COLUMN x int",
                "TRUNCATE household",
            ):
                cur.execute("SAVEPOINT s")
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    cur.execute(ddl)
                cur.execute("ROLLBACK TO SAVEPOINT s")
    finally:
        conn.rollback()
        conn.close()


def test_tables_of_later_migrations_are_open_to_gridsvc(throwaway: Throwaway) -> None:
    owner = psycopg2.connect(throwaway.owner_url)
    try:
        with owner, owner.cursor() as cur:
            cur.execute("CREATE TABLE later_thing (id serial PRIMARY KEY, note text)")
        app = psycopg2.connect(throwaway.app_url)
        with app, app.cursor() as cur:
            cur.execute("INSERT INTO later_thing (note) VALUES ('a') RETURNING id")
            assert cur.fetchone() == (1,)
        app.close()
    finally:
        with owner, owner.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS later_thing")
        owner.close()


def test_the_log_keeps_no_statement_and_no_value(throwaway: Throwaway) -> None:
    marker = "张秘密13987654321"
    conn = psycopg2.connect(throwaway.app_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        with pytest.raises(psycopg2.errors.CheckViolation):
            cur.execute(
                "INSERT INTO community (code, name, geom) VALUES (%s, '', "
                "ST_Multi(ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))', 4490)))",
                (marker,),
            )
        with pytest.raises(psycopg2.errors.SyntaxError):
            cur.execute(f"SELEC '{marker}'")
    conn.close()
    log = throwaway.cluster.log_file.read_text(errors="replace")
    assert "violates check constraint" in log  # errors are logged ...
    assert marker not in log and "13987654321" not in log  # ... without what they carried


def test_an_old_trust_cluster_is_closed_and_its_tables_adopted(throwaway: Throwaway) -> None:
    cluster = throwaway.cluster
    admin = psycopg2.connect(throwaway.admin_url)
    with admin, admin.cursor() as cur:  # as an older gridsvc left it: tables of the superuser
        cur.execute("CREATE TABLE legacy (id serial PRIMARY KEY, note text)")
    admin.close()
    (cluster.pgdata / "pg_hba.conf").write_text("local all all trust\n")
    cluster.socket_dir.chmod(0o777)
    try:
        cluster.up()
        create_database(cluster.url("postgres"), "gridsvc")
        assert stat.S_IMODE(cluster.socket_dir.stat().st_mode) == 0o700
        assert "trust" not in (cluster.pgdata / "pg_hba.conf").read_text()
        app = psycopg2.connect(throwaway.app_url)
        with app, app.cursor() as cur:
            cur.execute("INSERT INTO legacy (note) VALUES ('kept') RETURNING id")
            cur.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'legacy'")
            assert cur.fetchone() == (OWNER_ROLE,)
        app.close()
    finally:
        owner = psycopg2.connect(throwaway.owner_url)
        with owner, owner.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS legacy")
        owner.close()


def _as(user: str, *cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runuser", "-u", user, "--", *cmd],
        capture_output=True,
        text=True,
        timeout=30,
        cwd="/",
    )


def test_gridsvc_may_check_migrations_but_only_the_owner_applies_them(
    throwaway: Throwaway,
) -> None:
    app = psycopg2.connect(throwaway.app_url)
    assert apply_migrations(app) == []  # nothing pending: no CREATE needed
    owner = psycopg2.connect(throwaway.owner_url)
    with owner, owner.cursor() as cur:
        cur.execute("DELETE FROM schema_migration WHERE version = 3 RETURNING name")
        name = cur.fetchone()[0]  # type: ignore[index]
    try:
        with pytest.raises(DatabaseError, match="migrating needs the schema's owner"):
            apply_migrations(app)
    finally:
        app.close()
        with owner, owner.cursor() as cur:
            cur.execute("INSERT INTO schema_migration (version, name) VALUES (3, %s)", (name,))
        owner.close()
