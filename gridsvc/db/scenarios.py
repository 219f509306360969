"""Named what-if runs kept beside the run in force: prepare, compare, promote."""

from __future__ import annotations

import math

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.frames import read_frame, records
from gridsvc.db.runs import put_in_force
from gridsvc.errors import Conflict, InputError, NotFound

PROPOSED_ROLE = "拟增代表"


def prepare(conn: connection, name: str, proposed: pd.DataFrame | None, source: str = "") -> int:
    """Drop an earlier scenario of this name, then add the representatives it proposes
    (inactive, marked proposed_in = name). `proposed` holds checked register rows (code, name,
    phone, group_code, lon, lat). Returns how many were proposed."""
    with conn.cursor() as cur:
        # its rows go with the prune after this run (runs.prune): dropping a partition waits
        # for the readers of `assignment`, and the prune bounds that wait
        cur.execute(
            "DELETE FROM assignment_run WHERE scenario = %s AND NOT in_force"
            " AND status <> 'running'",
            (name,),
        )
        cur.execute("DELETE FROM representative WHERE proposed_in = %s AND NOT active", (name,))
    if proposed is None or proposed.empty:
        return 0
    with conn.cursor() as cur:
        for row_number, r in proposed.iterrows():
            cur.execute("SELECT id FROM resident_group WHERE code = %s", (r["group_code"],))
            group = cur.fetchone()
            if group is None:
                raise InputError(
                    f"{source} row {row_number}: group {r['group_code']!r} does not exist"
                )
            cur.execute("SELECT 1 FROM representative WHERE code = %s", (r["code"],))
            if cur.fetchone():
                raise InputError(
                    f"{source} row {row_number}: code {r['code']} is already a representative"
                )
            cur.execute(
                """INSERT INTO representative (code, name, phone, group_id, role,
                    party_member, active, geom, proposed_in)
                VALUES (%s, %s, NULLIF(%s, ''), %s, %s, false, false,
                        ST_SetSRID(ST_MakePoint(%s, %s), 4490), %s)""",
                (
                    r["code"],
                    r.get("name") or r["code"],
                    r.get("phone") or "",
                    group[0],
                    PROPOSED_ROLE,
                    float(r["lon"]),
                    float(r["lat"]),
                    name,
                ),
            )
    return len(proposed)


def scenario_run(conn: connection, name: str) -> dict:
    found = records(
        read_frame(
            conn,
            "SELECT * FROM assignment_run WHERE scenario = %s"
            " AND status = 'done' ORDER BY id DESC LIMIT 1",
            (name,),
        )
    )
    if not found:
        raise NotFound(f"scenario {name}: no such scenario (compute it first as a scenario run)")
    return found[0]


def _column(run: dict) -> dict[str, object]:
    m, params = run["metrics"], run["params"]
    short = sum(
        math.ceil(f["households"] / max(params.get("max_load", 15), 1))
        for f in run["diagnostics"]
        if f.get("kind") == "group_over_capacity"
    )
    loads = {int(k): v for k, v in m["load_histogram"].items()}
    return {
        "run": run["id"],
        "in force": bool(run["in_force"]),
        "max load": params.get("max_load"),
        "representatives": m["representatives"],
        "coverage": f"{m['coverage']:.2%}",
        "uncovered": m["uncovered"],
        "loads min/max": f"{min(loads) if loads else '—'}/{max(loads) if loads else '—'}",
        "below min": m["reps_below_min"],
        "cross-group": m["cross_group"],
        "distance mean m": m["distance_m"]["mean"],
        "distance p95 m": m["distance_m"]["p95"],
        "key mean m": m["key_distance_m"]["mean"],
        "key max m": m["key_distance_m"]["max"],
        "units split": m.get("units_split", "—"),
        "representatives short": short,
        "changed vs in force": m["changed_since_last"],
    }


def compare(conn: connection, names: list[str]) -> pd.DataFrame:
    """The run in force and each named scenario, side by side (one column each)."""
    columns = {}
    in_force = records(read_frame(conn, "SELECT * FROM assignment_run WHERE in_force"))
    if in_force:
        columns["(in force)"] = _column(in_force[0])
    for name in names:
        columns[name] = _column(scenario_run(conn, name))
    return pd.DataFrame(columns)


def listing(conn: connection) -> pd.DataFrame:
    return read_frame(
        conn,
        """SELECT scenario, id AS run, in_force, finished_at,
            (metrics->>'coverage')::float8 AS coverage,
            (metrics->'distance_m'->>'mean')::float8 AS mean_m,
            (SELECT count(*) FROM representative r WHERE r.proposed_in = a.scenario
                AND NOT r.active) AS proposed
        FROM assignment_run a WHERE scenario IS NOT NULL AND status = 'done'
        ORDER BY finished_at DESC""",
    )


def promote(conn: connection, name: str) -> int:
    """Put a scenario in force (and make its proposed representatives real), unless the
    households or representatives changed after it was computed."""
    run = scenario_run(conn, name)
    with conn.cursor() as cur:
        cur.execute(
            """SELECT (SELECT count(*) FROM household WHERE updated_at > %(t)s)
                            + (SELECT count(*) FROM representative WHERE updated_at > %(t)s
                               AND proposed_in IS DISTINCT FROM %(n)s)""",
            {"t": run["finished_at"], "n": name},
        )
        changed = cur.fetchone()[0]  # type: ignore[index]
        if changed:
            raise Conflict(
                f"scenario {name}: {changed} households or representatives changed "
                f"since it was computed; run it again before promoting"
            )
        cur.execute(
            "UPDATE representative SET active = true, proposed_in = NULL,"
            " role = CASE WHEN role = %s THEN '居民代表' ELSE role END,"
            " updated_at = now() WHERE proposed_in = %s",
            (PROPOSED_ROLE, name),
        )
    put_in_force(conn, int(run["id"]))
    return int(run["id"])
