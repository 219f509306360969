"""Loading a year of requests from a file (the sample street's requests.csv) in one
transaction, deadlines counted by the office's calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from gridsvc.access import Actor, Role
from gridsvc.db import request_load
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import InputError
from gridsvc.services.guard import require_role, require_street_scope
from gridsvc.services.request_rules import TIERS, RequestRules
from gridsvc.services.requests import CODE_ALPHABET

COLUMNS = [
    "tracking_code", "representative", "household", "phone", "category", "text", "tier",
    "status", "received_at", "answered_at", "closed_at", "rating", "reopened", "department",
    "answer",
]  # fmt: skip


def read(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path.name}: {exc}") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{path.name}: missing columns {', '.join(missing)}")
    return frame[COLUMNS]


def load(
    conn: Connection, actor: Actor, rules: RequestRules, frame: pd.DataFrame
) -> tuple[int, int]:
    """Store the requests of `frame` (columns COLUMNS; times ISO 8601 with their offset) with
    their events; already stored tracking codes are skipped. Returns (requests, events)."""
    require_role(actor, Role.planner, "load requests")
    require_street_scope(actor, "load requests")
    frame = frame.replace({"": None}).copy()
    bad_tier = frame.loc[~frame["tier"].isin(TIERS), "tier"]
    if len(bad_tier):
        raise InputError(f"tier {bad_tier.iloc[0]!r}: choose {', '.join(TIERS)}")
    codes = frame["tracking_code"].fillna("")
    if not codes.map(lambda c: len(c) == 10 and set(c) <= set(CODE_ALPHABET)).all():
        raise InputError("tracking_code: 10 letters and digits each")
    try:
        received = pd.to_datetime(frame["received_at"], utc=True)
    except (ValueError, TypeError) as exc:
        raise InputError(f"received_at: {exc}") from None
    local_days = (received + pd.Timedelta(hours=8)).dt.date
    cache: dict[tuple[dt.date, str], dt.date] = {}

    def deadline(day: dt.date, tier: str) -> dt.date:
        if (day, tier) not in cache:
            cache[day, tier] = rules.deadline(day, tier)
        return cache[day, tier]

    frame["deadline"] = [deadline(d, t) for d, t in zip(local_days, frame["tier"], strict=True)]
    frame["reopened"] = frame["reopened"].fillna(0).astype(int)
    with transaction(conn):
        unknown = request_load.unknown_representatives(
            conn, sorted(set(frame["representative"].dropna()))
        )
        if unknown:
            raise InputError(f"representative: unknown codes {', '.join(unknown[:5])}")
        return request_load.load(conn, frame)
