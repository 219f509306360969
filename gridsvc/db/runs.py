"""Assignment runs in the store: the run lock, storing a run (a partition per run), the run in
force, retention. What a run reads is in run_inputs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import psycopg2.errors
from psycopg2.extensions import connection

from gridsvc.db.binary import EWKB_POINT, copy_arrays, ewkb_points
from gridsvc.db.frames import copy_frame, read_frame, records
from gridsvc.db.run_inputs import (  # noqa: F401 (what a run reads, importable here)
    assignment_of,
    inputs,
    labels,
    unit_keys,
    unit_names,
)
from gridsvc.errors import NotFound, RunInProgress

RUN_LOCK_KEY = 4_201_776
SRID = 4490  # CGCS2000: the store's coordinates
IN_FORCE = "(SELECT id FROM assignment_run WHERE in_force)"  # the run in force, in SQL

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
            " set_config('statement_timeout', %s, true),"
            # its queries are whole-table scans whose JIT compilation costs more than it saves
            # (0.5 s of a 1.4 s read of a million households)
            " set_config('jit', 'off', true)",
            (f"{seconds}s", f"{seconds}s"),
        )


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
    copy_assignments(conn, run_id, rows)
    record_run(conn, run_id, metrics, findings, blocks, in_force=in_force)


def record_run(
    conn: connection,
    run_id: int,
    metrics: dict,
    findings: list[dict],
    blocks: pd.DataFrame,
    *,
    in_force: bool,
) -> None:
    """What `finish_run` stores besides the assignment rows (written before, by
    `copy_assignments`, in the same transaction)."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE assignment_run SET status = 'done', metrics = %s, diagnostics = %s,"
            " finished_at = clock_timestamp() WHERE id = %s",
            (json.dumps(metrics), json.dumps(findings, ensure_ascii=False), run_id),
        )
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
    """COPY the assignment rows of a run (the caller's session's running run) into a table of
    their own, in binary (points as EWKB: no text formatted here or parsed by the server),
    then index it and attach it as the run's partition of `assignment` (migration 090)."""
    rep = rows["representative_id"]
    distance = rows["distance_m"].to_numpy(np.float64)
    with conn.cursor() as cur:
        cur.execute("SELECT assignment_rows_open(%s)", (run_id,))
        table = str(cur.fetchone()[0])  # type: ignore[index]
    copy_arrays(
        conn,
        table,
        {
            "run_id": np.full(len(rows), run_id, np.int64),
            "household_id": rows["household_id"].to_numpy(np.int32),
            "representative_id": rep.fillna(0).to_numpy(np.int32),
            "distance_m": distance,
            "cross_group": rows["cross_group"].to_numpy(bool),
            "household_geom": ewkb_points(
                rows["lon"].to_numpy(np.float64), rows["lat"].to_numpy(np.float64), SRID
            ),
        },
        {
            "run_id": "int8",
            "household_id": "int4",
            "representative_id": "int4",
            "distance_m": "float8",
            "cross_group": "bool",
            "household_geom": f"ewkb:{EWKB_POINT.itemsize}",
        },
        {"representative_id": rep.notna().to_numpy(), "distance_m": ~np.isnan(distance)},
    )
    with conn.cursor() as cur:
        cur.execute("SELECT assignment_rows_attach(%s)", (run_id,))


def drop_assignments(conn: connection, run_ids: list[int]) -> int:
    """Drop the assignment rows (the partitions) of runs that are gone or no longer kept; the
    run in force and running runs are never touched. Returns how many went."""
    if not run_ids:
        return 0
    with conn.cursor() as cur:
        cur.execute("SELECT assignment_rows_drop(%s::bigint[])", (run_ids,))
        return int(cur.fetchone()[0])  # type: ignore[index]


# partitions whose run is gone (a scenario replaced by one of the same name)
ORPHAN_PARTITIONS = """
    SELECT substring(c.relname from '^assignment_r([0-9]+)$')::bigint AS run
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'assignment'::regclass
      AND NOT EXISTS (SELECT 1 FROM assignment_run r
                      WHERE r.id = substring(c.relname from '^assignment_r([0-9]+)$')::bigint)"""


def prune(conn: connection, keep_last: int, wait_s: float = 2.0) -> int:
    """Remove the runs no rule keeps: the run in force, every scenario, the last `keep_last`,
    runs still running, and runs an access-log row names ("run N"); and the rows of runs
    already gone. Rows go by dropping their tables, which waits for readers of `assignment`
    for at most `wait_s` (meanwhile new readers queue behind it): if they hold it longer,
    nothing goes now and the next run prunes. Returns how many runs went."""
    with conn.cursor() as cur:
        cur.execute(
            """WITH named AS (
                   SELECT DISTINCT (regexp_matches(subject, '([0-9]+)', 'g'))[1]::bigint AS id
                   FROM audit_log WHERE subject LIKE 'run%%')
               SELECT id FROM assignment_run
               WHERE NOT in_force AND scenario IS NULL AND status <> 'running'
                 AND id NOT IN (SELECT id FROM assignment_run ORDER BY id DESC LIMIT %s)
                 AND id NOT IN (SELECT id FROM named WHERE id IS NOT NULL)""",
            (keep_last,),
        )
        gone = [int(row[0]) for row in cur.fetchall()]
        cur.execute(ORPHAN_PARTITIONS)
        orphans = [int(row[0]) for row in cur.fetchall()]
        if not gone and not orphans:
            return 0
        cur.execute("SAVEPOINT prune")
        cur.execute("SELECT set_config('lock_timeout', %s, true)", (f"{int(wait_s * 1000)}ms",))
        try:
            drop_assignments(conn, gone + orphans)
        except psycopg2.errors.LockNotAvailable:
            cur.execute("ROLLBACK TO SAVEPOINT prune")
            return 0
        finally:
            cur.execute("SELECT set_config('lock_timeout', '0', true)")
        cur.execute("RELEASE SAVEPOINT prune")
        cur.execute("DELETE FROM assignment_run WHERE id = ANY(%s)", (gone,))
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
