"""Working days across the Spring Festival and National Day, make-up days, loaded years."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from gridsvc.errors import InputError
from gridsvc.workdays import Calendar, load_schedule

D = dt.date


def test_spring_festival_and_national_day_2026() -> None:
    cal = Calendar()
    assert not cal.is_workday(D(2026, 2, 16)) and not cal.is_workday(D(2026, 10, 6))
    assert cal.next_workday(D(2026, 10, 1)) == D(2026, 10, 8)
    # a make-up Sunday works (调休): 2026-01-04
    assert cal.is_workday(D(2026, 1, 4))
    assert cal.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert cal.workdays_between(D(2026, 9, 30), D(2026, 10, 9)) == 2


def test_a_year_without_data_counts_weekdays_and_warns(tmp_path: Path) -> None:
    cal = Calendar()
    assert cal.is_workday(D(2027, 1, 4)) and not cal.is_workday(D(2027, 1, 9))
    assert cal.warnings == {2027} and not cal.covered(2027)
    schedule = tmp_path / "2027.json"
    schedule.write_text(
        json.dumps(
            {"year": 2027, "holidays": ["2027-01-01", "2027-01-04"], "workdays": ["2027-01-09"]}
        ),
        encoding="utf-8",
    )
    loaded = Calendar({2027: load_schedule(schedule)})
    assert not loaded.is_workday(D(2027, 1, 4)) and loaded.is_workday(D(2027, 1, 9))
    assert loaded.covered(2027) and not loaded.warnings


def test_a_broken_schedule_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"year": 2027, "holidays": ["2028-01-01"]}', encoding="utf-8")
    with pytest.raises(InputError, match="outside 2027"):
        load_schedule(bad)
