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


def test_assign_runs_diff_and_export_from_the_command_line(sample_url: str, tmp_path: Path) -> None:
    first = gridsvc("assign", "--fresh", url=sample_url)
    assert first.returncode == 0, first.stderr
    assert "households covered" in first.stdout and "in force" in first.stdout
    second = gridsvc("assign", "--max", "14", url=sample_url)
    assert second.returncode == 0, second.stderr
    listed = gridsvc("runs", "list", url=sample_url)
    ids = [int(line.split()[0]) for line in listed.stdout.splitlines()[1:3]]
    diff = gridsvc(
        "runs",
        "diff",
        str(ids[1]),
        str(ids[0]),
        "--out",
        str(tmp_path / "changes.csv"),
        url=sample_url,
    )
    assert diff.returncode == 0, diff.stderr
    assert (tmp_path / "changes.csv").exists()
    out = tmp_path / "contacts.csv"
    export = gridsvc("export", "contacts", str(out), url=sample_url)
    assert export.returncode == 0 and out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_bad_assignment_parameters_are_named(sample_url: str) -> None:
    result = gridsvc("assign", "--min", "9", "--max", "4", url=sample_url)
    assert result.returncode == 2 and "--min 9 / --max 4" in result.stderr


def test_import_prints_counts_and_keeps_a_report(sample_url: str, tmp_path: Path) -> None:
    register = tmp_path / "reg.csv"
    register.write_text("户编号,户主姓名,经度,纬度\nCLI1,张三,113.5,27.9\n", encoding="utf-8")
    result = gridsvc(
        "import",
        "households",
        str(register),
        "--crs",
        "wgs84",
        "--report-dir",
        str(tmp_path),
        url=sample_url,
    )
    assert result.returncode == 0, result.stderr
    assert "read 1 rows" in result.stdout and "rejected 1: outside_street" in result.stdout
    assert list(tmp_path.glob("import-*-reg-report.csv"))
    missing = gridsvc("import", "households", str(tmp_path / "none.csv"), url=sample_url)
    assert missing.returncode == 2 and "none.csv: file is missing" in missing.stderr
