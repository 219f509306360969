"""SQL for points (积分): the task table, the append-only ledger, totals and ranks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.frames import one, read_frame, rows

TOTALS_SQL = """
    WITH t AS (
        SELECT representative_id, sum(points) AS points, count(*) AS entries
        FROM point_entry WHERE earned_on BETWEEN %(start)s AND %(end)s
        GROUP BY representative_id),
    r AS (
        SELECT r.code AS rep_code, r.name AS rep_name, g.code AS group_code,
               s.code AS section_code, c.code AS community_code,
               coalesce(t.points, 0) AS points, coalesce(t.entries, 0) AS entries
        FROM representative r JOIN resident_group g ON g.id = r.group_id
        JOIN grid_section s ON s.id = g.section_id JOIN community c ON c.id = s.community_id
        LEFT JOIN t ON t.representative_id = r.id
        WHERE r.active AND (%(community)s::text IS NULL OR c.code = %(community)s)
          AND (%(section)s::text IS NULL OR s.code = %(section)s))
    SELECT r.*,
           rank() OVER (PARTITION BY group_code ORDER BY points DESC) AS group_rank,
           rank() OVER (PARTITION BY section_code ORDER BY points DESC) AS section_rank,
           rank() OVER (PARTITION BY community_code ORDER BY points DESC) AS community_rank
    FROM r ORDER BY community_code, points DESC, rep_code"""

ENTRIES_SQL = """
    SELECT e.id, e.earned_on, e.task_code, t.name AS task, e.points, e.source, e.corrects,
           e.reason, e.actor
    FROM point_entry e JOIN point_task t ON t.code = e.task_code
    JOIN representative r ON r.id = e.representative_id
    WHERE r.code = %s AND e.earned_on BETWEEN %s AND %s ORDER BY e.earned_on, e.id"""


def tasks(conn: connection) -> pd.DataFrame:
    return read_frame(conn, "SELECT * FROM point_task ORDER BY code")


def task(conn: connection, *, code: str | None = None, event: str | None = None) -> dict | None:
    if event is not None:
        return one(conn, "SELECT * FROM point_task WHERE event = %s", (event,))
    return one(conn, "SELECT * FROM point_task WHERE code = %s", (code,))


def cap_window(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    """The month, quarter or year holding `day`, as first and last days."""
    if period == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    first_month = day.month if period == "month" else 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    span = 1 if period == "month" else 3
    nxt = dt.date(start.year + (first_month + span - 1) // 12, (first_month + span - 1) % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def award(
    conn: connection,
    rep_id: int,
    task_row: dict,
    day: dt.date,
    *,
    actor: str,
    source: str | None = None,
    reason: str = "",
) -> int | None:
    """Add an entry for the task's points, trimmed to what its cap leaves in the period; None
    when the source was counted already or the cap is reached. Locks the representative so
    two awards at once cannot both pass the cap."""
    rows(conn, "SELECT id FROM representative WHERE id = %s FOR UPDATE", (rep_id,))
    if source is not None and one(conn, "SELECT 1 FROM point_entry WHERE source = %s", (source,)):
        return None
    points = Decimal(task_row["points"])
    if task_row["cap"] is not None:
        start, end = cap_window(day, task_row["cap_period"])
        used = one(
            conn,
            """SELECT coalesce(sum(points), 0) AS used FROM point_entry
               WHERE representative_id = %s AND task_code = %s
                 AND earned_on BETWEEN %s AND %s""",
            (rep_id, task_row["code"], start, end),
        )
        points = min(points, Decimal(task_row["cap"]) - Decimal(used["used"] if used else 0))
    if points <= 0:
        return None
    found = one(
        conn,
        """INSERT INTO point_entry (representative_id, task_code, points, earned_on, source,
                                    reason, actor)
           VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id""",
        (rep_id, task_row["code"], points, day, source, reason, actor),
    )
    return int(found["id"]) if found else None


def entry(conn: connection, entry_id: int) -> dict | None:
    return one(
        conn,
        """SELECT e.*, r.code AS rep_code, s.code AS section_code, c.code AS community_code,
                  EXISTS (SELECT 1 FROM point_entry x WHERE x.corrects = e.id) AS corrected
           FROM point_entry e JOIN representative r ON r.id = e.representative_id
           JOIN resident_group g ON g.id = r.group_id JOIN grid_section s ON s.id = g.section_id
           JOIN community c ON c.id = s.community_id WHERE e.id = %s""",
        (entry_id,),
    )


def reverse(conn: connection, original: dict, day: dt.date, reason: str, actor: str) -> int:
    found = one(
        conn,
        """INSERT INTO point_entry (representative_id, task_code, points, earned_on, corrects,
                                    reason, actor)
           VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id""",
        (
            original["representative_id"],
            original["task_code"],
            -Decimal(original["points"]),
            day,
            original["id"],
            reason,
            actor,
        ),
    )
    assert found is not None
    return int(found["id"])


def totals(
    conn: connection,
    start: dt.date,
    end: dt.date,
    *,
    community: str | None = None,
    section: str | None = None,
) -> pd.DataFrame:
    params = {"start": start, "end": end, "community": community, "section": section}
    return read_frame(conn, TOTALS_SQL, params)


def entries(conn: connection, rep: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    return read_frame(conn, ENTRIES_SQL, (rep, start, end))


BOARD_SQL = """
    WITH p AS (SELECT representative_id, sum(points) AS points,
                      count(*) FILTER (WHERE task_code = (SELECT code FROM point_task
                                                          WHERE event = 'request_on_time')
                                         AND corrects IS NULL) AS requests_on_time
               FROM point_entry WHERE earned_on BETWEEN %(start)s AND %(end)s
               GROUP BY representative_id),
    v AS (SELECT representative_id, count(*) AS visits,
                 count(DISTINCT household_id) AS households_visited,
                 sum(cardinality(request_ids)) AS requests_raised
          FROM visit WHERE visited_on BETWEEN %(start)s AND %(end)s GROUP BY representative_id),
    d AS (SELECT d.representative_id, count(*) FILTER (WHERE d.attended) AS receptions,
                 coalesce(sum(d.residents), 0) AS residents,
                 sum(cardinality(d.request_ids)) AS requests_opened
          FROM rota_duty d JOIN reception rc ON rc.id = d.reception_id
          WHERE rc.day BETWEEN %(start)s AND %(end)s GROUP BY d.representative_id)
    SELECT r.code AS rep_code, r.name AS rep_name, g.name AS group_name, s.name AS section_name,
           coalesce(p.points, 0) AS points,
           rank() OVER (ORDER BY coalesce(p.points, 0) DESC) AS community_rank,
           coalesce(v.visits, 0) AS visits, coalesce(v.households_visited, 0) AS households_visited,
           coalesce(d.receptions, 0) AS receptions, coalesce(d.residents, 0) AS residents,
           coalesce(p.requests_on_time, 0) AS requests_on_time,
           coalesce(v.requests_raised, 0) + coalesce(d.requests_opened, 0) AS requests_raised
    FROM representative r JOIN resident_group g ON g.id = r.group_id
    JOIN grid_section s ON s.id = g.section_id JOIN community c ON c.id = s.community_id
    LEFT JOIN p ON p.representative_id = r.id LEFT JOIN v ON v.representative_id = r.id
    LEFT JOIN d ON d.representative_id = r.id
    WHERE r.active AND c.code = %(community)s
    ORDER BY community_rank, s.name, g.name, r.code"""


def board(conn: connection, community: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Per representative of a community: points, rank, visits, receptions and requests (no
    household data: what the notice board prints)."""
    return read_frame(conn, BOARD_SQL, {"community": community, "start": start, "end": end})


def community_name(conn: connection, code: str) -> str | None:
    found = one(conn, "SELECT name FROM community WHERE code = %s", (code,))
    return str(found["name"]) if found else None


def award_visits_bulk(conn: connection, visit_ids: list[int], actor: str) -> int:
    """The visit task's points for many visits at once, in date order, as far as each month's
    cap allows (whole awards only: a bulk load has no partial trims). Entries added."""
    with conn.cursor() as cur:
        cur.execute(
            """WITH t AS (SELECT * FROM point_task WHERE event = 'visit'),
               v AS (SELECT v.id, v.representative_id, v.visited_on,
                            sum(t.points) OVER (
                                PARTITION BY v.representative_id,
                                             date_trunc(t.cap_period, v.visited_on)
                                ORDER BY v.visited_on, v.id) AS running
                     FROM visit v, t WHERE v.id = ANY(%(ids)s)
                       AND NOT EXISTS (SELECT 1 FROM point_entry e
                                       WHERE e.source = 'visit:' || v.id))
               INSERT INTO point_entry (representative_id, task_code, points, earned_on, source,
                                        actor)
               SELECT v.representative_id, t.code, t.points, v.visited_on, 'visit:' || v.id,
                      %(actor)s
               FROM v, t WHERE t.cap IS NULL OR v.running <= t.cap - coalesce((
                   SELECT sum(e.points) FROM point_entry e
                   WHERE e.representative_id = v.representative_id AND e.task_code = t.code
                     AND date_trunc(t.cap_period, e.earned_on)
                         = date_trunc(t.cap_period, v.visited_on)), 0)""",
            {"ids": visit_ids, "actor": actor},
        )
        return int(cur.rowcount)
