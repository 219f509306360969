"""The sample's year of requests: the seed's figures, every category and tier, some late,
some reopened, reproducible; the committed file is what the generator makes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from gridsvc import sample_requests
from gridsvc.workdays import Calendar
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def year() -> pd.DataFrame:
    reps = pd.read_csv(SAMPLE / "representatives.csv")
    homes = pd.read_csv(SAMPLE / "households.csv")
    return sample_requests.generate(reps, homes)


def test_the_seed_figures(year: pd.DataFrame) -> None:
    assert len(year) == 1145 and (year["status"] == "closed").sum() == 1088
    assert set(year["category"]) == set(sample_requests.CATEGORIES)
    assert set(year["tier"]) == {"当场", "一般", "重大"}
    assert year["tracking_code"].is_unique
    assert 0 < year["reopened"].sum() < 60
    assert set(year["rating"].dropna()) == {"满意", "基本满意", "不满意"}


def test_some_are_late(year: pd.DataFrame) -> None:
    calendar, days = Calendar(), {"当场": 0, "一般": 22, "重大": 66}
    received = pd.to_datetime(year["received_at"])
    deadline = [
        calendar.add_workdays(r.date(), days[t])
        for r, t in zip(received, year["tier"], strict=True)
    ]
    answered = pd.to_datetime(year["answered_at"])
    late_answers = sum(a.date() > d for a, d in zip(answered, deadline, strict=True) if pd.notna(a))
    still_open_late = sum(
        pd.isna(a) and d < dt.date(2026, 11, 25) for a, d in zip(answered, deadline, strict=True)
    )
    assert 20 < late_answers < 150 and still_open_late > 0


def test_the_committed_file_is_reproduced(year: pd.DataFrame) -> None:
    committed = pd.read_csv(SAMPLE / "requests.csv", dtype=str, keep_default_na=False)
    made = year.astype(object).where(year.notna(), "").astype(str)
    pd.testing.assert_frame_equal(committed, made, check_dtype=False)
