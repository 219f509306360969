"""Working days by the Chinese calendar: statutory holidays and make-up workdays (调休), from
the chinese-calendar package (2004–2026) or from a State Council schedule the office loads for
a later year; a year with neither falls back to Monday–Friday and says so."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import chinese_calendar

from gridsvc.errors import InputError

Day = dt.date


@dataclass(frozen=True)
class YearSchedule:
    """One year's exceptions to Monday–Friday: holidays (days off) and make-up workdays."""

    year: int
    holidays: frozenset[Day] = frozenset()
    workdays: frozenset[Day] = frozenset()


@dataclass
class Calendar:
    """Which days are working days. Loaded schedules win over the package's data; years that
    neither covers count Monday–Friday and are listed in `warnings`."""

    schedules: dict[int, YearSchedule] = field(default_factory=dict)
    warnings: set[int] = field(default_factory=set)

    def is_workday(self, day: Day) -> bool:
        schedule = self.schedules.get(day.year)
        if schedule is not None:
            if day in schedule.holidays:
                return False
            return day in schedule.workdays or day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self.warnings.add(day.year)
            return day.weekday() < 5

    def add_workdays(self, start: Day, days: int) -> Day:
        """The day `days` working days after `start` (0: `start` itself if a working day,
        else the next one)."""
        if days < 0:
            raise InputError(f"working days {days}: must be 0 or more")
        day = start
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        counted = 0
        while counted < days:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def next_workday(self, day: Day) -> Day:
        """`day` if it is a working day, else the first one after it."""
        return self.add_workdays(day, 0)

    def workdays_between(self, start: Day, end: Day) -> int:
        """Working days after `start` up to and including `end` (negative if `end` is
        earlier)."""
        sign, low, high = (1, start, end) if end >= start else (-1, end, start)
        count, day = 0, low
        while day < high:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return sign * count

    def covered(self, year: int) -> bool:
        """Whether the year's holidays are known (loaded, or in the package's data)."""
        if year in self.schedules:
            return True
        try:
            chinese_calendar.is_workday(dt.date(year, 1, 1))
            return True
        except NotImplementedError:
            return False


def load_schedule(path: Path) -> YearSchedule:
    """A year's schedule from JSON: {"year": 2027, "holidays": ["2027-01-01", ...],
    "workdays": ["2027-02-07", ...]} (the State Council's notice, typed in by the office)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        year = int(data["year"])
        holidays = frozenset(dt.date.fromisoformat(d) for d in data.get("holidays", []))
        workdays = frozenset(dt.date.fromisoformat(d) for d in data.get("workdays", []))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"holiday schedule {path.name}: {exc}") from None
    strays = sorted(d.isoformat() for d in holidays | workdays if d.year != year)
    if strays:
        raise InputError(f"holiday schedule {path.name}: dates outside {year}: {strays[:5]}")
    if holidays & workdays:
        raise InputError(
            f"holiday schedule {path.name}: a day cannot be both a holiday and a workday"
        )
    return YearSchedule(year, holidays, workdays)
