"""The notice-board sheet's household list (联户名单): every household under the number of
the representative who contacts it, by door, with its head's name as the policy gave it
(surname + * on a notice board, in full for staff). Laid out in fixed columns so that the
page count is known before Chromium prints it."""

from __future__ import annotations

import re
from typing import Any

from gridsvc.maps.data import SectionData

BUILDING = re.compile(r"^(.*?)(\d+栋.*)$")  # 红旗公馆 | 4栋1单元101室
LINES_PER_COLUMN = 60  # 4.2 mm lines in the 262 mm under an A3 sheet's heading
COLUMNS_PER_PAGE = 5

Line = dict[str, Any]


def door(address: str | None, community: str) -> str:
    """The household's door as its neighbours say it: 红旗公馆1栋1单元102室 (no community)."""
    return (address or "").removeprefix(community).strip()


def doors(doors: list[str], heads: list[str]) -> dict[str, Any]:
    """Households of one representative: the place they share said once (红旗公馆), then
    each door (4栋1单元101室) with the head's name."""
    split = [BUILDING.match(d) for d in doors]
    places = {m.group(1) for m in split if m}
    shared = places.pop() if len(places) == 1 and all(split) else ""
    return {
        "place": shared,
        "households": [
            {"door": d.removeprefix(shared), "head": h} for d, h in zip(doors, heads, strict=True)
        ],
    }


def lines(data: SectionData, numbered: dict[str, int]) -> list[Line]:
    """A heading per representative (number, name, place, count), then their households; the
    households no one contacts last."""
    houses = data.households.sort_values("address")
    by_rep = {str(k): v for k, v in houses.groupby("rep_code")}
    reps = sorted(data.representatives.itertuples(), key=lambda r: numbered[str(r.code)])
    out: list[Line] = []
    heads: list[tuple[int | None, str, Any]] = [
        (numbered[str(r.code)], str(r.name or ""), by_rep.get(str(r.code))) for r in reps
    ]
    uncovered = houses[houses["rep_code"].isna()]
    if len(uncovered):
        heads.append((None, "未覆盖户", uncovered))
    for number, name, listed in heads:
        if listed is None or listed.empty:
            continue
        found = doors(
            [door(a, data.community) for a in listed["address"]],
            [str(n or "") for n in listed["head_name"]],
        )
        place = f" · {found['place']}" if found["place"] else ""
        if len(out) % LINES_PER_COLUMN == LINES_PER_COLUMN - 1:
            out.append({"rep": False, "text": ""})  # no heading alone at a column's foot
        out.append({"rep": True, "number": number, "text": f"{name}{place}（{len(listed)}户）"})
        out += [{"rep": False, "text": f"{h['door']} {h['head']}"} for h in found["households"]]
    return out


def pages(found: list[Line]) -> list[list[list[Line]]]:
    """Lines cut into columns, columns into pages."""
    columns = [found[i : i + LINES_PER_COLUMN] for i in range(0, len(found), LINES_PER_COLUMN)]
    return [columns[i : i + COLUMNS_PER_PAGE] for i in range(0, len(columns), COLUMNS_PER_PAGE)]
