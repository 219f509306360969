"""A year of plausible residents' requests for the sample street (seed 000's figures: 1,145
collected, 1,088 resolved), reproducible from a seed; no real person is in it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from gridsvc.workdays import Calendar

CHINA = dt.timezone(dt.timedelta(hours=8))
CATEGORIES = {  # code: (share, texts)
    "policy": (0.16, ["咨询医保缴费政策", "询问高龄津贴如何申领", "咨询公租房申请条件"]),
    "dispute": (0.10, ["邻里因漏水发生纠纷", "楼上装修噪音扰民", "停车位争执"]),
    "sanitation": (0.17, ["小区垃圾清运不及时", "绿化带有建筑垃圾", "下水道堵塞有异味"]),
    "property": (0.12, ["物业收费不明", "电梯经常停运", "门禁损坏无人修"]),
    "assistance": (0.10, ["独居老人需要上门探望", "困难家庭申请临时救助", "残疾人出行需帮助"]),
    "safety": (0.09, ["楼道堆放杂物有火灾隐患", "电动车在楼道充电", "井盖松动"]),
    "repair": (0.20, ["路灯不亮", "人行道地砖破损", "健身器材损坏"]),
    "other": (0.06, ["建议增设休息座椅", "希望开展老年人智能手机培训"]),
}
TIERS = (("当场", 0.46, 0), ("一般", 0.44, 22), ("重大", 0.10, 66))
DEPARTMENTS = ("城管执法中队", "社区物业办", "市政维护所", "民政办", "派出所")
COLUMNS = [
    "tracking_code", "representative", "household", "phone", "category", "text", "tier",
    "status", "received_at", "answered_at", "closed_at", "rating", "reopened", "department",
    "answer",
]  # fmt: skip
ALPHABET = list("ABCDEFGHJKMNPQRSTUVWXYZ23456789")


def generate(
    representatives: pd.DataFrame,
    households: pd.DataFrame,
    *,
    count: int = 1145,
    resolved: int = 1088,
    end: dt.date = dt.date(2026, 11, 25),
    seed: int = 20221228,
) -> pd.DataFrame:
    """`count` requests received over the year ending `end`, `resolved` of them closed (the
    oldest first, as a real office closes them); the rest open, some overdue, a few
    reopened. Times are local (UTC+8), deadlines follow the calendar's working days."""
    rng = np.random.default_rng(seed)
    calendar = Calendar()
    deadlines: dict[tuple[dt.date, int], dt.date] = {}  # the calendar walks day by day: cache
    reps = representatives[representatives.get("active", True) != False]  # noqa: E712
    start = end - dt.timedelta(days=364)
    offsets = np.sort(rng.uniform(0, 365, count))
    by_group = households.groupby("group_code")["code"].apply(list).to_dict()
    codes: set[str] = set()
    rows = []
    for i, offset in enumerate(offsets):
        received = dt.datetime.combine(start, dt.time(8), CHINA) + dt.timedelta(
            days=float(offset) // 1, hours=float(rng.uniform(0, 11))
        )
        rep = reps.iloc[int(rng.integers(len(reps)))]
        category = str(rng.choice(list(CATEGORIES), p=[v[0] for v in CATEGORIES.values()]))
        tier, _, days = TIERS[int(rng.choice(3, p=[t[1] for t in TIERS]))]
        if category in ("policy",) and tier == "重大":
            tier, days = "一般", 22
        if (received.date(), days) not in deadlines:
            deadlines[received.date(), days] = calendar.add_workdays(received.date(), days)
        deadline = deadlines[received.date(), days]
        closes = i < resolved  # the oldest are settled first
        late = rng.random() < 0.07
        if tier == "当场":
            spent = dt.timedelta(hours=float(rng.uniform(0.2, 6)))
            answered = received + spent if not late else received + dt.timedelta(days=2)
        else:
            span = (deadline - received.date()).days
            share = rng.uniform(1.05, 1.4) if late else rng.beta(2, 3)
            answered = received + dt.timedelta(days=float(span * share) + 0.2)
        status, closed, rating = "accepted", None, None
        if closes or answered.date() < end - dt.timedelta(days=30):
            status = "closed" if closes else "answered"
            closed = answered + dt.timedelta(days=float(rng.uniform(0.5, 5))) if closes else None
            roll = rng.random()
            rating = "满意" if roll < 0.78 else "基本满意" if roll < 0.93 else "不满意"
            rating = rating if rng.random() < 0.85 else None
        elif rng.random() < 0.2:
            status = "received"
        answered_text = (
            answered.isoformat(timespec="seconds") if status in ("closed", "answered") else None
        )
        members = by_group.get(rep["group_code"], [])
        household = str(rng.choice(members)) if members and rng.random() < 0.4 else None
        while True:
            code = "".join(rng.choice(ALPHABET, 10))
            if code not in codes:
                codes.add(code)
                break
        text = str(rng.choice(CATEGORIES[category][1]))
        rows.append(
            {
                "tracking_code": code,
                "representative": rep["code"],
                "household": household,
                "phone": f"1{rng.choice([3, 5, 8, 9])}{rng.integers(0, 10**9):09d}",
                "category": category,
                "text": text,
                "tier": tier,
                "status": status,
                "received_at": received.isoformat(timespec="seconds"),
                "answered_at": answered_text,
                "closed_at": closed.isoformat(timespec="seconds") if closed else None,
                "rating": rating,
                "reopened": int(status == "closed" and rng.random() < 0.03),
                "department": str(rng.choice(DEPARTMENTS)) if tier == "重大" else None,
                "answer": f"已处理：{text}" if answered_text else None,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def write(frame: pd.DataFrame, folder: Path) -> Path:
    path = folder / "requests.csv"
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path
