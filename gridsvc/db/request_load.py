"""Bulk loading of requests (the sample's year, a benchmark's street) with their events."""

from __future__ import annotations

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.frames import copy_frame

STAGE = """
    CREATE TEMP TABLE request_in (
        tracking_code text, representative text, household text, phone text, category text,
        text text, tier text, status text, received_at timestamptz, answered_at timestamptz,
        closed_at timestamptz, rating text, reopened integer, department text, answer text,
        deadline date
    ) ON COMMIT DROP"""

INSERT = """
    WITH new AS (
        INSERT INTO request (tracking_code, household_id, phone, representative_id, group_id,
                             section_id, community_id, category, text, tier, status, deadline,
                             department, answer, rating, reopened, received_at, answered_at,
                             closed_at, source)
        SELECT i.tracking_code, h.id, i.phone, r.id, g.id, s.id, s.community_id, i.category,
               i.text, i.tier, i.status, i.deadline, i.department, i.answer, i.rating,
               i.reopened, i.received_at, i.answered_at, i.closed_at, 'sample'
        FROM request_in i
        JOIN representative r ON r.code = i.representative
        JOIN resident_group g ON g.id = r.group_id JOIN grid_section s ON s.id = g.section_id
        LEFT JOIN household h ON h.code = i.household
        ON CONFLICT (tracking_code) DO NOTHING
        RETURNING id, tracking_code
    ), events AS (
        INSERT INTO request_event (request_id, at, kind, actor, role, detail)
        SELECT new.id, e.at, e.kind, 'sample', e.role, e.detail
        FROM new JOIN request_in i USING (tracking_code)
        CROSS JOIN LATERAL (VALUES
            (i.received_at, 'received', 'public', '{}'::jsonb),
            (CASE WHEN i.status <> 'received' THEN i.received_at + interval '10 minutes' END,
             'accepted', 'representative', jsonb_build_object('tier', i.tier)),
            (CASE WHEN i.department IS NOT NULL THEN i.received_at + interval '1 day' END,
             'transferred', 'staff', jsonb_build_object('department', i.department)),
            (CASE WHEN i.reopened > 0 THEN i.received_at + (i.answered_at - i.received_at) / 2
             END, 'reopened', 'staff', '{"reason": "居民反映未解决"}'::jsonb),
            (i.answered_at, 'answered', 'representative', '{}'::jsonb),
            (i.closed_at, 'closed', 'staff', '{}'::jsonb),
            (CASE WHEN i.rating IS NOT NULL THEN coalesce(i.closed_at, i.answered_at)
                  + interval '1 hour' END,
             'rated', 'public', jsonb_build_object('rating', i.rating))
        ) AS e(at, kind, role, detail)
        WHERE e.at IS NOT NULL
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM new) AS requests, (SELECT count(*) FROM events) AS events"""


def load(conn: connection, frame: pd.DataFrame) -> tuple[int, int]:
    """Insert the frame's requests (representatives by code; a tracking code already stored
    is skipped) and their events; returns (requests, events) inserted."""
    with conn.cursor() as cur:
        cur.execute(STAGE)
    copy_frame(conn, "request_in", frame)
    with conn.cursor() as cur:
        cur.execute(INSERT)
        found = cur.fetchone()
    assert found is not None
    return int(found[0]), int(found[1])


def unknown_representatives(conn: connection, codes: list[str]) -> list[str]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT c FROM unnest(%s::text[]) AS c"
            " WHERE NOT EXISTS (SELECT 1 FROM representative WHERE code = c)",
            (codes,),
        )
        return [str(r[0]) for r in cur.fetchall()]
