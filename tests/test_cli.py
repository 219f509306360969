"""The `gridsvc` command as a planner types it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd


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
    assert "min_load" not in result.stderr


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


def test_every_command_on_a_small_street(small_street, small_street_folder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each command as a planner types it, scenarios included; a what-if run never touches
    the run in force, and files come out in the format their name asks for."""
    import openpyxl

    url = small_street.dsn

    def ok(*args: str) -> str:
        result = gridsvc(*args, url=url)
        assert result.returncode == 0, (args, result.stderr)
        return result.stdout

    assert "households" in ok("load", str(small_street_folder))
    first = ok("assign", "--fresh")
    assert "in force" in first and "blocks solved 4" in first
    in_force = int(first.split()[1])
    what_if = ok("assign", "--scenario", "max12", "--max", "12")
    assert "kept as scenario 'max12'" in what_if and "run in force is unchanged" in what_if
    listed = ok("runs", "list")
    assert listed.splitlines()[1].split()[0] != str(in_force)
    shown = ok("runs", "show", str(in_force))
    assert '"in_force": true' in shown
    assert "max12" in ok("scenarios", "list")
    assert "max12" in ok("scenarios", "compare", "max12")
    exact = ok("assign", "--fresh", "--split-units")
    assert "in force" in exact
    xlsx = tmp_path / "contacts.xlsx"
    ok("export", "contacts", str(xlsx))
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet["A1"].value == "社区" and (xlsx.stat().st_mode & 0o777) == 0o600
    diff = ok("runs", "diff", str(in_force), exact.split()[1], "--out", str(tmp_path / "n.xlsx"))
    assert "households changed representative" in diff and (tmp_path / "n.xlsx").exists()
    household, rep = (
        pd.read_csv(small_street_folder / "households.csv")["code"][0],
        pd.read_csv(small_street_folder / "representatives.csv")["code"][0],
    )
    ok("pins", "add", household, rep, "--note", "老邻居")
    assert household in ok("pins", "list")
    ok("pins", "remove", household, rep)
    promoted = ok("scenarios", "promote", "max12")
    assert "now in force" in promoted
    assert "== section" in ok("audit", "--limit", "2")
    key = ok("keys", "create", "--role", "staff", "--scope", "community:GH01", "--name", "社区")
    assert key.startswith("gs_")
    assert "community:GH01" in ok("keys", "list")
    ok("keys", "revoke", "--id", "1")
    rendered = ok("render", "--out", str(tmp_path / "maps"), "--section", "GH01-S01")
    # the maps and the print pages as HTML, no browser: no PDF unless asked
    assert "wrote 6 files" in rendered and not list((tmp_path / "maps").rglob("*.pdf"))
    bad = gridsvc("assign", "--section", "NO-SUCH", url=url)
    assert bad.returncode == 2 and "NO-SUCH" in bad.stderr and "Traceback" not in bad.stderr
    assert "failed" not in ok("runs", "list")  # a mistyped section is not a run
