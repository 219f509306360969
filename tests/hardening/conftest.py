"""A throw-away private cluster (its own folder, socket and log) that tests may stop and start."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from gridsvc.db.cluster import LocalCluster
from gridsvc.db.connection import create_database
from gridsvc.db.migrate import apply_migrations
from gridsvc.db.roles import APP_ROLE, OWNER_ROLE


@dataclass
class Throwaway:
    cluster: LocalCluster
    app_url: str  # as gridsvc connects
    owner_url: str  # as migrations run
    admin_url: str  # the superuser, on the `gridsvc` database


@pytest.fixture(scope="package")
def throwaway() -> Iterator[Throwaway]:
    # under /tmp, not pytest's 0700 tmp folder: the `postgres` user must reach the data folder
    folder = Path(tempfile.mkdtemp(prefix="gridsvc-throwaway-"))
    folder.chmod(0o755)
    cluster = LocalCluster(folder)
    try:
        cluster.up()
        create_database(cluster.url("postgres"), "gridsvc")
        owner_url = cluster.url("gridsvc", OWNER_ROLE)
        with psycopg2.connect(owner_url) as conn:
            apply_migrations(conn)
        conn.close()
        yield Throwaway(
            cluster, cluster.url("gridsvc", APP_ROLE), owner_url, cluster.url("gridsvc")
        )
    finally:
        cluster.down()
        shutil.rmtree(folder, ignore_errors=True)
