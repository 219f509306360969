"""A reproducible year of the sample street's work: visits, staff-entered points, dates off
the rota and how each reception went (files; `gridsvc work load` stores them)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

YEAR = 2026
AS_OF = dt.date(2026, 11, 20)  # the sample's "today": nothing after it is made up
KINDS = ("入户见面", "拉家常", "发放联系卡", "收集问题")
STAFF_TASKS = ("T05", "T06", "T07", "T12", "T13", "T18", "T20", "T21", "T24")
REASONS = {
    "T05": "社区政策宣传", "T06": "参加代表学习", "T07": "代表小组活动",
    "T12": "调解邻里纠纷", "T13": "消防安全排查", "T18": "更新民情台账",
    "T20": "志愿服务", "T21": "反映社情民意", "T24": "提出发展金点子",
}  # fmt: skip
FILES = ("visits", "points", "unavailable", "receptions")


def _days(rng: np.random.Generator, n: int) -> list[dt.date]:
    span = (AS_OF - dt.date(YEAR, 1, 1)).days
    return [dt.date(YEAR, 1, 1) + dt.timedelta(int(d)) for d in rng.integers(0, span + 1, n)]


def generate(
    households: pd.DataFrame, representatives: pd.DataFrame, seed: int = 20221228
) -> dict[str, pd.DataFrame]:
    """Visits (key households about monthly, others two or three times a year, the first
    visit all four kinds), staff points, unavailable dates and reception outcomes."""
    rng = np.random.default_rng(seed + 15)
    visits = []
    for code, key in zip(households["code"], households["key_category"].notna(), strict=True):
        n = int(rng.poisson(8 if key else 1.6))
        for i, day in enumerate(sorted(_days(rng, n))):
            # most first visits do all four; later ones chat and collect problems
            full = i == 0 and rng.random() < 0.85
            kinds = list(KINDS) if full else [k for k in KINDS if rng.random() < 0.5]
            visits.append((code, day, ",".join(kinds or ["拉家常"]), ""))
    points = []
    for rep in representatives["code"]:
        for task in rng.choice(STAFF_TASKS, int(rng.poisson(6))):
            points.append((rep, str(task), _days(rng, 1)[0], REASONS[str(task)]))
    unavailable = []
    for rep in representatives["code"]:
        if rng.random() < 0.15:  # away a while: travel, illness, a newborn grandchild
            start = _days(rng, 1)[0]
            unavailable += [(rep, start + dt.timedelta(d)) for d in range(int(rng.integers(7, 45)))]
    communities = sorted({g.split("-")[0] for g in representatives["group_code"]})
    receptions = [
        (c, dt.date(YEAR, m, d), int(rng.poisson(5)), int(rng.random() < 0.1))
        for c in communities
        for m in range(1, 13)
        for d in (6, 16, 26)
        if dt.date(YEAR, m, d) <= AS_OF
    ]
    return {
        "visits": pd.DataFrame(visits, columns=["household", "visited_on", "kinds", "notes"]),
        "points": pd.DataFrame(points, columns=["representative", "task", "day", "reason"]),
        "unavailable": pd.DataFrame(unavailable, columns=["representative", "day"]),
        "receptions": pd.DataFrame(
            receptions, columns=["community", "nominal", "residents", "no_shows"]
        ),
    }


def write(work: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    written = []
    for name in FILES:
        path = folder / f"work_{name}.csv"
        work[name].to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)
    return written


def read(folder: Path) -> dict[str, pd.DataFrame]:
    """The files back, with dates as dates (missing files: empty frames)."""
    out = {}
    for name in FILES:
        path = folder / f"work_{name}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None
        out[name] = frame if frame is not None else pd.DataFrame()
        for column in ("visited_on", "day", "nominal"):
            if column in out[name]:
                out[name][column] = out[name][column].map(dt.date.fromisoformat)
    return out
