"""The `gridsvc` command as a planner types it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def gridsvc(*args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if url:
        env["GRIDSVC_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "gridsvc", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_db_status_prints_a_url_psql_accepts(pg_url: str) -> None:
    result = gridsvc("db", "status", url=pg_url)
    assert result.returncode == 0, result.stderr
    assert pg_url in result.stdout and "POSTGIS" in result.stdout


def test_load_of_a_missing_folder_is_one_clear_line(pg_url: str, tmp_path: Path) -> None:
    result = gridsvc("load", str(tmp_path / "nowhere"), url=pg_url)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "nowhere" in result.stderr and "no such street folder" in result.stderr
