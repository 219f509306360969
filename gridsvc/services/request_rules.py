"""The rules of a request's life: statuses, allowed changes, tiers and their deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from gridsvc.errors import Conflict, InputError
from gridsvc.settings import Settings
from gridsvc.workdays import Calendar, load_schedule

STATUSES = ("received", "accepted", "transferred", "answered", "closed")
STATUS_TEXT = {
    "received": "已受理登记",
    "accepted": "办理中",
    "transferred": "已转办",
    "answered": "已答复",
    "closed": "已办结",
}
TIERS = ("当场", "一般", "重大")
RATINGS = ("满意", "基本满意", "不满意")
OPEN = ("received", "accepted", "transferred")  # still waiting for an answer
DONE = ("answered", "closed")

# action -> the statuses it may start from and the status it leads to (None: unchanged)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "accept": (frozenset({"received"}), "accepted"),
    "transfer": (frozenset({"accepted", "transferred"}), "transferred"),
    "extend": (frozenset({"accepted", "transferred"}), None),
    "answer": (frozenset({"received", "accepted", "transferred"}), "answered"),
    "rate": (frozenset({"answered", "closed"}), None),
    "close": (frozenset({"answered"}), "closed"),
    "reopen": (frozenset({"answered", "closed"}), "accepted"),
}
EVENT = {
    "accept": "accepted",
    "transfer": "transferred",
    "extend": "extended",
    "answer": "answered",
    "rate": "rated",
    "close": "closed",
    "reopen": "reopened",
}


def next_status(status: str, action: str) -> str:
    """The status after `action`, or Conflict (409) naming what is allowed from `status`."""
    if action not in TRANSITIONS:
        raise InputError(f"action {action!r}: choose {', '.join(TRANSITIONS)}")
    starts, goes_to = TRANSITIONS[action]
    if status not in starts:
        allowed = [a for a, (s, _) in TRANSITIONS.items() if status in s]
        raise Conflict(
            f"a request that is {status} cannot be {EVENT[action]}; "
            f"allowed now: {', '.join(allowed) or 'nothing'}"
        )
    return goes_to or status


def check_tier(tier: str) -> str:
    if tier not in TIERS:
        raise InputError(f"tier {tier!r}: choose {', '.join(TIERS)}")
    return tier


@dataclass
class RequestRules:
    """The office's settings for requests: limits per tier in working days, the warning,
    abuse limits and photo size, with the calendar that counts the days."""

    days: dict[str, int] = field(default_factory=lambda: {"当场": 0, "一般": 22, "重大": 66})
    warn_days: int = 3
    limit_ip_hour: int = 10
    limit_phone_day: int = 5
    limit_rep_hour: int = 60
    photo_bytes: int = 8 * 2**20
    calendar: Calendar = field(default_factory=Calendar)

    def deadline(self, start: dt.date, tier: str) -> dt.date:
        """The last working day to settle a `tier` request started on `start`."""
        return self.calendar.add_workdays(start, self.days[check_tier(tier)])

    def extended(self, deadline: dt.date, days: int) -> dt.date:
        if not 1 <= days <= 66:
            raise InputError(f"days {days}: extend by 1 to 66 working days")
        return self.calendar.add_workdays(deadline, days)

    def warning(self, *days: dt.date) -> str | None:
        """A visible warning when a date's year has no holiday data (weekdays counted)."""
        years = sorted({d.year for d in days if not self.calendar.covered(d.year)})
        if not years:
            return None
        listed = ", ".join(map(str, years))
        return f"{listed}: no holiday schedule loaded; deadlines count Monday–Friday only"


def rules_from(settings: Settings) -> RequestRules:
    """The rules as the settings give them, with any schedules in request_holidays_dir."""
    calendar = Calendar()
    folder: Path | None = settings.request_holidays_dir
    if folder is not None and folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            schedule = load_schedule(path)
            calendar.schedules[schedule.year] = schedule
    return RequestRules(
        days={
            "当场": settings.request_days_onsite,
            "一般": settings.request_days_ordinary,
            "重大": settings.request_days_major,
        },
        warn_days=settings.request_warn_days,
        limit_ip_hour=settings.request_limit_ip_hour,
        limit_phone_day=settings.request_limit_phone_day,
        limit_rep_hour=settings.request_limit_rep_hour,
        photo_bytes=int(settings.request_photo_mb * 2**20),
        calendar=calendar,
    )
