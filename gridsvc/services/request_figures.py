"""Roll-ups of residents' requests at the five levels, and the home page's few figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gridsvc.access import Actor
from gridsvc.db import request_figures
from gridsvc.db.connection import Connection
from gridsvc.errors import InputError
from gridsvc.services.request_queues import LEVELS
from gridsvc.services.requests import local_today


@dataclass(frozen=True)
class RequestFigures:
    """One place's figures; rates are shares (0–1), None when there is nothing to divide."""

    level: str
    code: str
    name: str | None
    collected: int
    resolved: int
    resolution_rate: float | None
    answered: int
    on_time: int
    on_time_rate: float | None
    overdue: int
    overdue_by_tier: dict[str, int]
    rated: int
    satisfied: int
    satisfaction_rate: float | None
    reopened: int
    median_days_to_close: float | None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def rollup(
    conn: Connection,
    actor: Actor,
    level: str = "street",
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    today: dt.date | None = None,
) -> list[RequestFigures]:
    """Figures per place of `level` inside the caller's scope (counts only: no personal data,
    so any caller may read them)."""
    if level not in LEVELS:
        raise InputError(f"level {level!r}: choose {', '.join(LEVELS)}")
    scope = actor.scope
    within = None if scope.level == "street" else (scope.level, str(scope.code))
    found = request_figures.rollup(
        conn, level, today=today or local_today(), within=within, since=since, until=until
    )
    return [
        RequestFigures(
            level=level,
            code=str(r["code"]),
            name=r["name"],
            collected=int(r["collected"]),
            resolved=int(r["resolved"]),
            resolution_rate=_share(int(r["resolved"]), int(r["collected"])),
            answered=int(r["answered"]),
            on_time=int(r["on_time"]),
            on_time_rate=_share(int(r["on_time"]), int(r["answered"])),
            overdue=int(r["overdue"]),
            overdue_by_tier={
                "当场": int(r["overdue_onsite"]),
                "一般": int(r["overdue_ordinary"]),
                "重大": int(r["overdue_major"]),
            },
            rated=int(r["rated"]),
            satisfied=int(r["satisfied"]),
            satisfaction_rate=_share(int(r["satisfied"]), int(r["rated"])),
            reopened=int(r["reopened"]),
            median_days_to_close=(
                None
                if r["median_days_to_close"] is None
                else round(float(r["median_days_to_close"]), 2)
            ),
        )
        for r in found
    ]


def home_figures(conn: Connection, actor: Actor, today: dt.date | None = None) -> dict[str, object]:
    """The few figures the home page (and the workbench) shows: the caller's whole scope over
    the last 365 days."""
    day = today or local_today()
    found = rollup(conn, actor, "street", since=day - dt.timedelta(days=365), until=day, today=day)
    f = found[0] if found else None
    return {
        "collected": f.collected if f else 0,
        "resolved": f.resolved if f else 0,
        "resolution_rate": f.resolution_rate if f else None,
        "on_time_rate": f.on_time_rate if f else None,
        "overdue": f.overdue if f else 0,
        "satisfaction_rate": f.satisfaction_rate if f else None,
        "median_days_to_close": f.median_days_to_close if f else None,
    }
