"""An import's dry run reports what the import would do and keeps nothing."""

from __future__ import annotations

import csv
from pathlib import Path

from gridsvc.db.connection import Connection
from gridsvc.services.imports import import_register
from tests.helpers import PLANNER


def _count(conn: Connection, sql: str) -> int:
    with conn.cursor() as cur:
        cur.execute(sql)
        return int(cur.fetchone()[0])


def test_a_dry_run_reports_like_the_import_and_keeps_nothing(
    small_street: Connection, small_street_folder: Path, tmp_path: Path
) -> None:
    small_street.autocommit = True
    with (small_street_folder / "households.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[:20]
    rows[0]["head_name"] = "新户主"  # an update
    rows[1]["code"] = "H999999"  # a new household
    rows[2]["lat"] = ""  # a rejected row
    path = tmp_path / "register.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    state = "SELECT count(*) FROM household WHERE code = 'H999999' OR head_name = '新户主'"
    batches = _count(small_street, "SELECT count(*) FROM import_batch")
    dry = import_register(small_street, PLANNER, "households", path, report_dir=None, dry_run=True)
    assert dry.batch_id is None
    assert _count(small_street, state) == 0
    assert _count(small_street, "SELECT count(*) FROM import_batch") == batches
    real = import_register(small_street, PLANNER, "households", path, report_dir=None)
    assert real.batch_id is not None and _count(small_street, state) == 2
    for field in ("rows_read", "accepted", "new", "updated", "unchanged"):
        assert getattr(dry, field) == getattr(real, field), field
    assert [i.row for i in dry.rejected] == [i.row for i in real.rejected] and dry.rejected
