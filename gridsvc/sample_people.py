"""The sample street's roster: a director per community (总网格长), a chief per section
(片区网格长), 244 grid workers (网格员, the first of each section also its petition agent
信访代理员), and a leader and vice-leader per group chosen among its representatives."""

from __future__ import annotations

import numpy as np
import pandas as pd

GRID_WORKERS = 244
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
    "许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅志玲春燕海波"


def _people(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    names = [
        SURNAMES[rng.integers(len(SURNAMES))]
        + "".join(GIVEN[g] for g in rng.integers(len(GIVEN), size=rng.integers(1, 3)))
        for _ in range(n)
    ]
    prefixes = np.array(["139", "138", "137", "158", "159", "186", "187", "199", "177", "152"])
    phones = [
        f"{prefixes[rng.integers(len(prefixes))]}{rng.integers(0, 10**8):08d}" for _ in range(n)
    ]
    return names, phones


def generate_roster(
    communities: pd.DataFrame,
    sections: pd.DataFrame,
    groups: pd.DataFrame,
    representatives: pd.DataFrame,
    seed: int,
) -> pd.DataFrame:
    """Rows with the roster's Chinese headers: 姓名, 联系电话, 职务, 所属网格编码, 任职日期."""
    rng = np.random.default_rng(seed + 19)
    rows: list[dict[str, str]] = []

    def add(name: str, phone: str, role: str, area: str, start: str) -> None:
        rows.append(
            {"姓名": name, "联系电话": phone, "职务": role, "所属网格编码": area, "任职日期": start}
        )

    names, phones = _people(rng, len(communities) + len(sections))
    for i, code in enumerate(communities["code"]):
        add(names[i], phones[i], "总网格长", code, "2023-01-01")
    offset = len(communities)
    for i, code in enumerate(sections["code"]):
        add(names[offset + i], phones[offset + i], "片区网格长", code, "2023-01-01")
    per_section = np.full(len(sections), GRID_WORKERS // len(sections))
    per_section[: GRID_WORKERS - per_section.sum()] += 1
    workers, worker_phones = _people(rng, GRID_WORKERS)
    k = 0
    for code, count in zip(sections["code"], per_section, strict=True):
        for j in range(count):
            add(workers[k], worker_phones[k], "网格员", code, "2023-03-01")
            if j == 0:
                add(workers[k], worker_phones[k], "信访代理员", code, "2023-03-01")
            k += 1
    by_group = representatives.groupby("group_code")
    for code in groups["code"]:
        if code not in by_group.groups:
            continue
        members = by_group.get_group(code).sort_values("code")
        for role, (_, rep) in zip(("小组长", "副组长"), members.head(2).iterrows(), strict=False):
            add(str(rep["name"]), str(rep["phone"] or ""), role, code, "2023-01-01")
    return pd.DataFrame(rows)
