"""Roll-ups of residents' requests per place: one aggregate query at any of the five levels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from psycopg2.extensions import connection

from gridsvc.db.frames import rows

LOCAL_DAY = "AT TIME ZONE 'Asia/Shanghai')::date"
# level -> the request's column holding the place's id, and the place's table
PLACE = {
    "street": ("0", None),
    "community": ("q.community_id", "community"),
    "section": ("q.section_id", "grid_section"),
    "group": ("q.group_id", "resident_group"),
    "representative": ("q.representative_id", "representative"),
}

# aggregated by integer ids first (a sort on text in a Chinese collation costs more than the
# whole aggregate), named afterwards
ROLLUP_SQL = """
    WITH figures AS (
    SELECT {key} AS place_id,
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
      count(*) FILTER (WHERE q.reopened > 0) AS reopened
    FROM request q
    WHERE {where}
    GROUP BY 1),
    -- apart from the counts (a hash aggregate), ordered by the interval itself: extract()
    -- gives numeric, ten times slower to sort
    medians AS (
    SELECT {key} AS place_id,
      extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (
          ORDER BY q.closed_at - q.received_at))::float8 / 86400.0 AS median_days_to_close
    FROM request q
    WHERE {where} AND q.status = 'closed'
    GROUP BY 1)
    SELECT {code} AS code, {name} AS name, f.*, m.median_days_to_close
    FROM figures f LEFT JOIN medians m USING (place_id) {join} ORDER BY 1"""


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
    key, table = PLACE[level]
    where = ["true"]
    params: dict[str, Any] = {"today": today}
    if within is not None and within[0] != "street":
        column, place_table = PLACE[within[0]]
        where.append(f"{column} = (SELECT id FROM {place_table} WHERE code = %(within)s)")
        params["within"] = within[1]
    if since is not None:
        where.append(f"(q.received_at {LOCAL_DAY} >= %(since)s")
        params["since"] = since
    if until is not None:
        where.append(f"(q.received_at {LOCAL_DAY} <= %(until)s")
        params["until"] = until
    if table is None:
        code, name, join = "'street'", "'街道'", ""
    else:
        code, name, join = "p.code", "p.name", f"JOIN {table} p ON p.id = f.place_id"
    query = ROLLUP_SQL.format(
        key=key, local=LOCAL_DAY, where=" AND ".join(where), code=code, name=name, join=join
    )
    return rows(conn, query, params)
