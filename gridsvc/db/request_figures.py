"""Roll-ups of residents' requests per place: one aggregate query at any of the five levels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from psycopg2.extensions import connection

from gridsvc.db.frames import rows
from gridsvc.db.requests import LEVEL_COLUMN

LOCAL_DAY = "AT TIME ZONE 'Asia/Shanghai')::date"
GROUP_BY = {
    "street": ("'street'", "'街道'"),
    "community": ("c.code", "c.name"),
    "section": ("s.code", "s.name"),
    "group": ("g.code", "g.name"),
    "representative": ("r.code", "r.name"),
}

ROLLUP_SQL = """
    SELECT {key} AS code, {name} AS name,
      count(*) AS collected,
      count(*) FILTER (WHERE q.status = 'closed') AS resolved,
      count(*) FILTER (WHERE q.status IN ('answered', 'closed')) AS answered,
      count(*) FILTER (WHERE q.status IN ('answered', 'closed')
                       AND (q.answered_at {local} <= q.deadline) AS on_time,
      count(*) FILTER (WHERE q.status NOT IN ('answered', 'closed') AND q.deadline < %(today)s)
          AS overdue,
      count(*) FILTER (WHERE q.status NOT IN ('answered', 'closed') AND q.deadline < %(today)s
                       AND q.tier = '当场') AS overdue_onsite,
      count(*) FILTER (WHERE q.status NOT IN ('answered', 'closed') AND q.deadline < %(today)s
                       AND q.tier = '一般') AS overdue_ordinary,
      count(*) FILTER (WHERE q.status NOT IN ('answered', 'closed') AND q.deadline < %(today)s
                       AND q.tier = '重大') AS overdue_major,
      count(q.rating) AS rated,
      count(*) FILTER (WHERE q.rating IN ('满意', '基本满意')) AS satisfied,
      count(*) FILTER (WHERE q.rating = '满意') AS very_satisfied,
      count(*) FILTER (WHERE q.reopened > 0) AS reopened,
      percentile_cont(0.5) WITHIN GROUP (
          ORDER BY extract(epoch FROM q.closed_at - q.received_at) / 86400.0)
          FILTER (WHERE q.status = 'closed') AS median_days_to_close
    FROM request q
    JOIN grid_section s ON s.id = q.section_id
    JOIN community c ON c.id = q.community_id
    {joins}
    WHERE {where}
    GROUP BY 1, 2 ORDER BY 1"""


def rollup(
    conn: connection,
    level: str,
    *,
    today: dt.date,
    within: tuple[str, str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Figures per place of `level` (inside `within`, a (level, code) place, if given), for
    requests received between `since` and `until` (inclusive, local days)."""
    key, name = GROUP_BY[level]
    needs = {level, within[0] if within else "street"}
    joins = []
    if needs & {"group"}:
        joins.append("LEFT JOIN resident_group g ON g.id = q.group_id")
    if needs & {"representative"}:
        joins.append("LEFT JOIN representative r ON r.id = q.representative_id")
    where = ["true"]
    params: dict[str, Any] = {"today": today}
    if within is not None and within[0] != "street":
        where.append(f"{LEVEL_COLUMN[within[0]]} = %(within)s")
        params["within"] = within[1]
    if since is not None:
        where.append(f"(q.received_at {LOCAL_DAY} >= %(since)s")
        params["since"] = since
    if until is not None:
        where.append(f"(q.received_at {LOCAL_DAY} <= %(until)s")
        params["until"] = until
    if level in ("group", "representative"):
        where.append(f"{key} IS NOT NULL")
    query = ROLLUP_SQL.format(
        key=key, name=name, local=LOCAL_DAY, joins="\n".join(joins), where=" AND ".join(where)
    )
    return rows(conn, query, params)
