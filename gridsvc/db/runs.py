"""Assignment runs in the store: inputs, atomic storing, the run in force, diffs, contact lists."""

from __future__ import annotations

import io
import json

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.errors import NotFound, RunInProgress

RUN_LOCK_KEY = 4_201_776
IN_FORCE = "(SELECT id FROM assignment_run WHERE in_force)"  # the run in force, in SQL

HOUSEHOLDS_SQL = """
    SELECT h.id, h.code, h.group_id, h.section_id, s.community_id,
           h.key_category IS NOT NULL AS key, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat,
           h.group_id || ':' || coalesce(substring(h.address from '^(.*?单元)'),
                                         ST_AsText(ST_SnapToGrid(h.geom, 1e-6))) AS unit_key
    FROM household h JOIN grid_section s ON s.id = h.section_id
    {where} ORDER BY h.id"""

REPS_SQL = """
    SELECT r.id, r.code, r.group_id, g.section_id, s.community_id, r.min_load, r.max_load,
           ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat
    FROM representative r JOIN resident_group g ON g.id = r.group_id
    JOIN grid_section s ON s.id = g.section_id
    WHERE (r.active OR r.proposed_in = %(scenario)s) {and_where} ORDER BY r.id"""

DIFF_SQL = """
    SELECT h.code AS household_code, ra.code AS old_representative,
           rb.code AS new_representative,
           CASE WHEN a.household_id IS NULL THEN 'new'
                WHEN b.household_id IS NULL THEN 'removed'
                WHEN ST_DistanceSphere(a.household_geom, b.household_geom) > 1 THEN 'moved'
                WHEN ra.id IS NOT NULL AND NOT ra.active THEN 'representative inactive'
                WHEN a.representative_id IS NULL THEN 'newly covered'
                ELSE 'rebalanced' END AS reason
    FROM (SELECT * FROM assignment WHERE run_id = %(a)s) a
    FULL JOIN (SELECT * FROM assignment WHERE run_id = %(b)s) b
         ON a.household_id = b.household_id
    JOIN household h ON h.id = coalesce(a.household_id, b.household_id)
    LEFT JOIN representative ra ON ra.id = a.representative_id
    LEFT JOIN representative rb ON rb.id = b.representative_id
    WHERE a.representative_id IS DISTINCT FROM b.representative_id
    ORDER BY reason, h.code"""

CONTACTS_SQL = """
    SELECT h.code AS household_code, r.code AS representative_code, g.code AS group_code,
           s.code AS section_code, round(a.distance_m::numeric, 1)::float8 AS distance_m,
           h.key_category, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat,
           ST_X(r.geom) AS rep_lon, ST_Y(r.geom) AS rep_lat
    FROM assignment a JOIN household h ON h.id = a.household_id
    JOIN resident_group g ON g.id = h.group_id JOIN grid_section s ON s.id = h.section_id
    LEFT JOIN representative r ON r.id = a.representative_id
    WHERE a.run_id = %s ORDER BY s.code, g.code, r.code NULLS LAST, h.code"""


def take_run_lock(conn: connection) -> None:
    """One run at a time across every process: a session-level advisory lock."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", (RUN_LOCK_KEY,))
        if not cur.fetchone()[0]:  # type: ignore[index]
            raise RunInProgress("another assignment run is in progress; try again when it ends")


def release_run_lock(conn: connection) -> None:
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_unlock(%s)", (RUN_LOCK_KEY,))


def read_frame(conn: connection, query: str, params: object = None) -> pd.DataFrame:
    with conn.cursor() as cur:
        cur.execute(query, params)
        columns = [c.name for c in cur.description]  # type: ignore[union-attr]
        return pd.DataFrame(cur.fetchall(), columns=columns)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None for SQL NULL (pandas would give NaN)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def inputs(
    conn: connection, section_id: int | None = None, scenario: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Households and active representatives (optionally of one section; with a scenario,
    also the representatives proposed in it) for a run."""
    params = {"section": section_id, "scenario": scenario}
    where = "WHERE h.section_id = %(section)s" if section_id is not None else ""
    and_where = "AND g.section_id = %(section)s" if section_id is not None else ""
    return (
        read_frame(conn, HOUSEHOLDS_SQL.format(where=where), params),
        read_frame(conn, REPS_SQL.format(and_where=and_where), params),
    )


def labels(conn: connection, table: str) -> dict[int, str]:
    """id -> code for groups or representatives, to word the findings."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT id, code FROM {table}")
        return dict(cur.fetchall())


def section_id(conn: connection, code: str) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM grid_section WHERE code = %s", (code,))
        row = cur.fetchone()
    if row is None:
        raise NotFound(f"--section {code}: no such section")
    return int(row[0])


def run_in_force(conn: connection) -> int | None:
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM assignment_run WHERE in_force")
        row = cur.fetchone()
    return int(row[0]) if row else None


def current_representatives(conn: connection, run_id: int) -> pd.Series:
    """Representative id by household id in a run (covered households only)."""
    frame = read_frame(
        conn,
        "SELECT household_id, representative_id FROM assignment"
        " WHERE run_id = %s AND representative_id IS NOT NULL",
        (run_id,),
    )
    return pd.Series(frame["representative_id"].to_numpy(), index=frame["household_id"])


def store_run(
    conn: connection,
    params: dict,
    metrics: dict,
    findings: list[dict],
    rows: pd.DataFrame,
    keep_from: int | None = None,
    keep_except_section: int | None = None,
    scenario: str | None = None,
) -> int:
    """Insert a done run and its assignments and put it in force (a scenario stays beside the
    run in force); the caller commits.

    rows: household_id, representative_id (or NA), distance_m, cross_group, lon, lat.
    With `keep_from`, households outside `keep_except_section` keep that run's assignment.
    """
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO assignment_run (status, params, metrics, diagnostics, scenario,"
            " finished_at) VALUES ('done', %s, %s, %s, %s, clock_timestamp()) RETURNING id",
            (
                json.dumps(params),
                json.dumps(metrics),
                json.dumps(findings, ensure_ascii=False),
                scenario,
            ),
        )
        run_id = int(cur.fetchone()[0])  # type: ignore[index]
        copy_assignments(conn, run_id, rows)
        if keep_from is not None:
            cur.execute(
                """INSERT INTO assignment SELECT %s, a.household_id,
                    a.representative_id, a.distance_m, a.cross_group, a.household_geom
                FROM assignment a JOIN household h ON h.id = a.household_id
                WHERE a.run_id = %s AND h.section_id <> %s""",
                (run_id, keep_from, keep_except_section),
            )
        if scenario is None:
            put_in_force(conn, run_id)
    return run_id


def put_in_force(conn: connection, run_id: int) -> None:
    with conn.cursor() as cur:
        cur.execute("UPDATE assignment_run SET in_force = false WHERE in_force")
        cur.execute("UPDATE assignment_run SET in_force = true WHERE id = %s", (run_id,))


def copy_assignments(conn: connection, run_id: int, rows: pd.DataFrame) -> None:
    """COPY the assignment rows of a run."""
    frame = rows.assign(run_id=run_id)
    frame["geom"] = "SRID=4490;POINT(" + frame["lon"].map(repr) + " " + frame["lat"].map(repr) + ")"
    frame["representative_id"] = frame["representative_id"].astype("Int64")
    buffer = io.StringIO()
    frame[
        ["run_id", "household_id", "representative_id", "distance_m", "cross_group", "geom"]
    ].to_csv(buffer, index=False, header=False)
    buffer.seek(0)
    with conn.cursor() as cur:
        cur.copy_expert(
            "COPY assignment (run_id, household_id, representative_id, distance_m,"
            " cross_group, household_geom) FROM STDIN WITH (FORMAT csv)",
            buffer,
        )


def record_failed_run(conn: connection, params: dict, error: str) -> int:
    """Keep a trace of a run that did not land (in its own transaction)."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO assignment_run (status, params, diagnostics, finished_at)"
            " VALUES ('failed', %s, %s, clock_timestamp()) RETURNING id",
            (json.dumps(params), json.dumps([{"kind": "error", "message": error}])),
        )
        run_id = int(cur.fetchone()[0])  # type: ignore[index]
    conn.commit()
    return run_id


def list_runs(conn: connection, limit: int = 20) -> pd.DataFrame:
    return read_frame(
        conn,
        """SELECT id, status, in_force, started_at, finished_at,
            (metrics->>'coverage')::float8 AS coverage,
            (metrics->'distance_m'->>'mean')::float8 AS mean_m,
            (metrics->>'changed_since_last')::int AS changed, params->>'section' AS section
        FROM assignment_run ORDER BY id DESC LIMIT %s""",
        (limit,),
    )


def get_run(conn: connection, run_id: int) -> dict[str, object]:
    rows = records(read_frame(conn, "SELECT * FROM assignment_run WHERE id = %s", (run_id,)))
    if not rows:
        raise NotFound(f"run {run_id}: no such run")
    return rows[0]


def diff(conn: connection, run_a: int, run_b: int) -> pd.DataFrame:
    """Households whose representative differs between two runs, with the reason."""
    for run in (run_a, run_b):
        get_run(conn, run)
    return read_frame(conn, DIFF_SQL, {"a": run_a, "b": run_b})


NOTIFICATIONS_SQL = """
    SELECT d.household_code, h.address, h.head_name, h.phone, d.reason,
           d.old_representative, ro.name AS old_name, ro.phone AS old_phone,
           d.new_representative, rn.name AS new_name, rn.phone AS new_phone
    FROM ({diff}) d JOIN household h ON h.code = d.household_code
    LEFT JOIN representative ro ON ro.code = d.old_representative
    LEFT JOIN representative rn ON rn.code = d.new_representative
    ORDER BY d.reason, d.household_code"""


def notifications(conn: connection, run_a: int, run_b: int) -> pd.DataFrame:
    """The notification list for the community office: who gets a new representative."""
    for run in (run_a, run_b):
        get_run(conn, run)
    diff_sql = DIFF_SQL.rsplit("ORDER BY", 1)[0]
    return read_frame(conn, NOTIFICATIONS_SQL.format(diff=diff_sql), {"a": run_a, "b": run_b})


def contacts(conn: connection, run_id: int | None = None) -> pd.DataFrame:
    """The contact list (代表联户清单) of a run, by default the one in force."""
    run_id = run_id or run_in_force(conn)
    if run_id is None:
        raise NotFound("no assignment run is in force yet: run `gridsvc assign` first")
    return read_frame(conn, CONTACTS_SQL, (run_id,))
