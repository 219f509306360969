"""A run killed with SIGKILL at any moment never blocks the next: its workers die with it,
its server session ends, the lock goes with it, and the run shows as failed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from gridsvc import sample
from gridsvc.db import runs
from gridsvc.db.connection import Connection
from tests.factories import Server, street_db
from tests.helpers import assign

KILLS = 10


@pytest.fixture(scope="module")
def city_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A street of ~100,000 households: large enough that a run uses worker processes."""
    spec = sample.StreetSpec(
        communities=8, sections=80, groups=400, representatives=10_000, radius_m=6000.0
    )
    return sample.write(sample.generate(seed=3, spec=spec), tmp_path_factory.mktemp("city"))[
        0
    ].parent


@pytest.fixture
def city(pg_server: Server, city_folder: Path) -> Iterator[Connection]:
    with street_db(pg_server, city_folder) as conn:
        yield conn


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_ten_runs_killed_at_random_moments_never_block_the_next(city: Connection) -> None:
    first = assign(city, fresh=True)
    assert first.in_force
    env = {**os.environ, "GRIDSVC_DATABASE_URL": city.dsn}
    rng = random.Random(20261126)
    for attempt in range(KILLS):
        run = subprocess.Popen(
            [sys.executable, "-m", "gridsvc", "assign", "--fresh"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.5, 4.0))  # reading, solving in workers, or storing
        workers = children_of(run.pid)
        run.send_signal(signal.SIGKILL)
        run.wait()
        deadline = time.monotonic() + 5
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(alive(w) for w in workers), f"attempt {attempt}: orphaned workers"
        after = assign(city, fresh=True)  # at once: nothing may hold the lock
        assert after.in_force, f"attempt {attempt}"
    listed = runs.list_runs(city, 100)
    counts = listed["status"].value_counts().to_dict()
    assert counts.get("running", 0) == 0 and listed["in_force"].sum() == 1
    assert (listed.loc[listed["status"] == "failed", "error"].str.contains("stopped")).all()
    with psycopg2.connect(city.dsn) as check, check.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'"
            " AND datname = current_database() AND pid <> pg_backend_pid() AND pid <> %s",
            (city.get_backend_pid(),),
        )
        assert cur.fetchone()[0] == 0
    check.close()
