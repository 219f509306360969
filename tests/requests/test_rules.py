"""The state machine (every allowed and forbidden change) and deadlines in working days
across the 2026 Spring Festival and National Day with their make-up workdays."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from gridsvc.errors import Conflict, InputError
from gridsvc.services.request_rules import (
    STATUSES,
    TRANSITIONS,
    RequestRules,
    next_status,
    rules_from,
)
from gridsvc.settings import Settings

D = dt.date
# the whole table, written out by hand: (status, action) -> the status after it
ALLOWED = {
    ("received", "accept"): "accepted",
    ("received", "answer"): "answered",
    ("accepted", "transfer"): "transferred",
    ("accepted", "extend"): "accepted",
    ("accepted", "answer"): "answered",
    ("transferred", "transfer"): "transferred",
    ("transferred", "extend"): "transferred",
    ("transferred", "answer"): "answered",
    ("answered", "rate"): "answered",
    ("answered", "close"): "closed",
    ("answered", "reopen"): "accepted",
    ("closed", "rate"): "closed",
    ("closed", "reopen"): "accepted",
}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_change(status: str, action: str) -> None:
    if (status, action) in ALLOWED:
        assert next_status(status, action) == ALLOWED[status, action]
    else:
        with pytest.raises(Conflict, match=f"a request that is {status} cannot be"):
            next_status(status, action)


def test_unknown_action() -> None:
    with pytest.raises(InputError, match="action"):
        next_status("received", "delete")


def short() -> RequestRules:
    return RequestRules(days={"当场": 0, "一般": 5, "重大": 10})


def test_spring_festival_2026() -> None:
    rules = short()
    # Fri 13 Feb; Sat 14 Feb is a make-up workday; 15–23 Feb are the holiday
    assert rules.deadline(D(2026, 2, 13), "当场") == D(2026, 2, 13)
    assert rules.deadline(D(2026, 2, 15), "当场") == D(2026, 2, 24)  # on a holiday: next workday
    assert rules.calendar.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert rules.calendar.add_workdays(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert rules.deadline(D(2026, 2, 13), "一般") == D(2026, 2, 27)
    # Sat 28 Feb is the second make-up workday
    assert rules.calendar.add_workdays(D(2026, 2, 13), 6) == D(2026, 2, 28)
    assert rules.deadline(D(2026, 2, 13), "重大") == D(2026, 3, 5)
    assert rules.warning(D(2026, 2, 13)) is None


def test_national_day_2026() -> None:
    rules = short()
    assert rules.deadline(D(2026, 9, 19), "当场") == D(2026, 9, 20)  # Sunday make-up workday
    assert rules.calendar.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert rules.calendar.add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 10)  # make-up Saturday
    assert rules.deadline(D(2026, 9, 30), "一般") == D(2026, 10, 13)
    # Mid-autumn (25 Sep) and National Day both fall inside a 一般 request of 24 Sep
    assert rules.deadline(D(2026, 9, 24), "一般") == D(2026, 10, 9)


def test_extension_counts_working_days_from_the_deadline() -> None:
    rules = short()
    assert rules.extended(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert rules.extended(D(2026, 2, 13), 2) == D(2026, 2, 24)
    with pytest.raises(InputError, match="days"):
        rules.extended(D(2026, 9, 30), 0)


def test_a_year_without_data_warns_and_a_loaded_schedule_counts(tmp_path: Path) -> None:
    rules = short()
    assert rules.deadline(D(2027, 1, 30), "当场") == D(2027, 2, 1)  # Saturday: to Monday
    assert "2027" in (rules.warning(D(2027, 1, 30)) or "")
    (tmp_path / "2027.json").write_text(
        json.dumps(
            {"year": 2027, "holidays": ["2027-02-01", "2027-02-02"], "workdays": ["2027-01-31"]}
        )
    )
    loaded = rules_from(Settings(request_holidays_dir=tmp_path))
    assert loaded.deadline(D(2027, 1, 30), "当场") == D(2027, 1, 31)  # a make-up Sunday
    assert loaded.calendar.add_workdays(D(2027, 1, 30), 1) == D(2027, 2, 3)  # over 1–2 Feb
    assert loaded.warning(D(2027, 1, 30)) is None


def test_settings_set_the_limits() -> None:
    rules = rules_from(Settings(request_days_ordinary=10, request_warn_days=2))
    assert rules.days["一般"] == 10 and rules.warn_days == 2
    with pytest.raises(InputError, match="tier"):
        rules.deadline(D(2026, 3, 2), "特急")
