"""Assignment runs in the store: inputs, the run lock, storing a run, the run in force."""

from __future__ import annotations

import json

import pandas as pd
import psycopg2.errors
from psycopg2.extensions import connection

from gridsvc.db.frames import copy_frame, read_frame, records
from gridsvc.errors import NotFound, RunInProgress

RUN_LOCK_KEY = 4_201_776
IN_FORCE = "(SELECT id FROM assignment_run WHERE in_force)"  # the run in force, in SQL

HOUSEHOLDS_SQL = """
    SELECT h.id, h.code, h.group_id, h.section_id, s.community_id,
           h.key_category IS NOT NULL AS key, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat,
           h.group_id || ':' || coalesce(substring(h.address from '^(.*?单元)'),
                                         ST_AsText(ST_SnapToGrid(h.geom, 1e-6))) AS unit_key
    FROM household h JOIN grid_section s ON s.id = h.section_id ORDER BY h.id"""

REPS_SQL = """
    SELECT r.id, r.code, r.group_id, g.section_id, s.community_id, r.min_load, r.max_load,
           ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat
    FROM representative r JOIN resident_group g ON g.id = r.group_id
    JOIN grid_section s ON s.id = g.section_id
    WHERE r.active OR r.proposed_in = %(scenario)s ORDER BY r.id"""


# a run still marked running whose server session is gone died with its process
STATUS = """CASE WHEN status = 'running' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity s
                 WHERE s.pid = assignment_run.backend_pid) THEN 'failed' ELSE status END"""


def take_run_lock(conn: connection, wait_s: float = 3.0) -> None:
    """One run at a time across every process: a transaction-level advisory lock, so that it
    goes with the transaction on commit, rollback, error or a dropped connection. It waits a
    moment (a killed run's server session may still be closing) before saying no."""
    with conn.cursor() as cur:
        cur.execute("SELECT set_config('lock_timeout', %s, true)", (f"{int(wait_s * 1000)}ms",))
        try:
            cur.execute("SAVEPOINT run_lock")
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (RUN_LOCK_KEY,))
        except psycopg2.errors.LockNotAvailable:
            cur.execute("ROLLBACK TO SAVEPOINT run_lock")
            raise RunInProgress(
                "another assignment run is in progress; try again when it ends"
            ) from None
        cur.execute("RELEASE SAVEPOINT run_lock")
        cur.execute("SELECT set_config('lock_timeout', '0', true)")


def allow_long_run(conn: connection, seconds: int) -> None:
    """A run's transaction waits while the optimiser works: let it, for this transaction."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT set_config('idle_in_transaction_session_timeout', %s, true),"
            " set_config('statement_timeout', %s, true)",
            (f"{seconds}s", f"{seconds}s"),
        )


def inputs(conn: connection, scenario: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every household and active representative (with a scenario, also the
    representatives proposed in it)."""
    params = {"scenario": scenario}
    return read_frame(conn, HOUSEHOLDS_SQL, params), read_frame(conn, REPS_SQL, params)


def labels(conn: connection, table: str) -> dict[int, str]:
    """id -> code for groups or representatives, to word the findings."""
    if table not in ("resident_group", "representative", "grid_section"):
        raise ValueError(table)
    with conn.cursor() as cur:
        cur.execute(f"SELECT id, code FROM {table}")
        return dict(cur.fetchall())


def section_id(conn: connection, code: str) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM grid_section WHERE code = %s", (code,))
        row = cur.fetchone()
    if row is None:
        raise NotFound(f"section {code!r}: no such section")
    return int(row[0])


def run_in_force(conn: connection) -> int | None:
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM assignment_run WHERE in_force")
        row = cur.fetchone()
    return int(row[0]) if row else None


def assignment_of(conn: connection, run_id: int) -> pd.Series:
    """Representative id (or NA: uncovered) by household id, for every household of a run."""
    frame = read_frame(
        conn,
        "SELECT household_id, representative_id FROM assignment WHERE run_id = %s",
        (run_id,),
    )
    return pd.Series(
        frame["representative_id"].astype("Int64").to_numpy(), index=frame["household_id"]
    )


def block_hashes(conn: connection, run_id: int) -> dict[str, str]:
    """What each block of a run was computed from (empty for runs older than this record)."""
    with conn.cursor() as cur:
        cur.execute("SELECT block, input_hash FROM run_block WHERE run_id = %s", (run_id,))
        return dict(cur.fetchall())


def open_run(conn: connection, params: dict, actor: str, scenario: str | None) -> int:
    """A 'running' record, committed at once, so that a run that dies is seen as such."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO assignment_run (status, params, scenario, actor, backend_pid)"
            " VALUES ('running', %s, %s, %s, pg_backend_pid()) RETURNING id",
            (json.dumps(params, ensure_ascii=False), scenario, actor),
        )
        run_id = int(cur.fetchone()[0])  # type: ignore[index]
    return run_id


def close_crashed_runs(conn: connection) -> int:
    """Runs left 'running' by a server session that is gone (its process was killed):
    marked failed, so that they show as such."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE assignment_run SET status = 'failed', finished_at = clock_timestamp(),"
            " error = 'the run stopped before it finished (its process ended)'"
            " WHERE status = 'running' AND backend_pid IS DISTINCT FROM pg_backend_pid()"
            " AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a"
            "                 WHERE a.pid = assignment_run.backend_pid)"
        )
        return cur.rowcount


def fail_run(conn: connection, run_id: int, error: str) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE assignment_run SET status = 'failed', finished_at = clock_timestamp(),"
            " error = %s WHERE id = %s AND status = 'running'",
            (error, run_id),
        )


def finish_run(
    conn: connection,
    run_id: int,
    metrics: dict,
    findings: list[dict],
    rows: pd.DataFrame,
    blocks: pd.DataFrame,
    *,
    in_force: bool,
) -> None:
    """Store a run's figures, findings, assignments (one COPY) and block hashes, and put it in
    force unless it is a scenario; the caller's transaction makes it all or nothing.

    rows: household_id, representative_id (or NA), distance_m, cross_group, lon, lat.
    blocks: block, input_hash, solved.
    """
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE assignment_run SET status = 'done', metrics = %s, diagnostics = %s,"
            " finished_at = clock_timestamp() WHERE id = %s",
            (json.dumps(metrics), json.dumps(findings, ensure_ascii=False), run_id),
        )
    copy_assignments(conn, run_id, rows)
    copy_frame(
        conn, "run_block", blocks.assign(run_id=run_id)[["run_id", "block", "input_hash", "solved"]]
    )
    if in_force:
        put_in_force(conn, run_id)


def put_in_force(conn: connection, run_id: int) -> None:
    with conn.cursor() as cur:
        cur.execute("UPDATE assignment_run SET in_force = false WHERE in_force")
        cur.execute("UPDATE assignment_run SET in_force = true WHERE id = %s", (run_id,))


def copy_assignments(conn: connection, run_id: int, rows: pd.DataFrame) -> None:
    """COPY the assignment rows of a run."""
    frame = pd.DataFrame(
        {
            "run_id": run_id,
            "household_id": rows["household_id"].to_numpy(),
            "representative_id": pd.Series(rows["representative_id"].to_numpy(), dtype="Int64"),
            "distance_m": rows["distance_m"].to_numpy(),
            "cross_group": rows["cross_group"].to_numpy(),
            "household_geom": "SRID=4490;POINT("
            + rows["lon"].map(repr).to_numpy()
            + " "
            + rows["lat"].map(repr).to_numpy()
            + ")",
        }
    )
    copy_frame(conn, "assignment", frame, list(frame.columns))


def prune(conn: connection, keep_last: int) -> int:
    """Remove the runs no rule keeps: the run in force, every scenario, the last `keep_last`,
    runs still running, and runs an access-log row names ("run N"). Returns how many went."""
    with conn.cursor() as cur:
        cur.execute(
            """WITH named AS (
                   SELECT DISTINCT (regexp_matches(subject, '([0-9]+)', 'g'))[1]::bigint AS id
                   FROM audit_log WHERE subject LIKE 'run%%'),
               gone AS (
                   SELECT id FROM assignment_run
                   WHERE NOT in_force AND scenario IS NULL AND status <> 'running'
                     AND id NOT IN (SELECT id FROM assignment_run ORDER BY id DESC LIMIT %s)
                     AND id NOT IN (SELECT id FROM named WHERE id IS NOT NULL))
               DELETE FROM assignment_run r USING gone WHERE r.id = gone.id RETURNING r.id""",
            (keep_last,),
        )
        gone = [int(row[0]) for row in cur.fetchall()]
        if gone:
            cur.execute("DELETE FROM assignment WHERE run_id = ANY(%s)", (gone,))
    return len(gone)


def list_runs(conn: connection, limit: int = 20) -> pd.DataFrame:
    return read_frame(
        conn,
        f"""SELECT id, {STATUS} AS status, in_force, scenario, actor, started_at, finished_at,
            (metrics->>'coverage')::float8 AS coverage,
            (metrics->'distance_m'->>'mean')::float8 AS mean_m,
            (metrics->>'changed_since_last')::int AS changed, params->>'section' AS section,
            coalesce(error, CASE WHEN {STATUS} = 'failed' AND status = 'running'
                            THEN 'the run stopped before it finished (its process ended)' END)
                AS error
        FROM assignment_run ORDER BY id DESC LIMIT %s""",
        (limit,),
    )


def get_run(conn: connection, run_id: int) -> dict[str, object]:
    found = records(read_frame(conn, "SELECT * FROM assignment_run WHERE id = %s", (run_id,)))
    if not found:
        raise NotFound(f"run {run_id}: no such run")
    return found[0]
