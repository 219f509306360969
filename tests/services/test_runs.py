"""Runs through the services, on a small street of their own: scenarios never touch the run
in force, --split-units is the exact optimum, a run changes only what changed, failures are
recorded as such and never hold the lock."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from gridsvc.assign import Params
from gridsvc.coords import metric_epsg_for, to_metric
from gridsvc.db import changes, runs
from gridsvc.db.connection import Connection
from gridsvc.db.frames import read_frame
from gridsvc.errors import InputError, NotFound, RunInProgress
from tests.helpers import assign


def assignments(conn: Connection, run_id: int) -> pd.DataFrame:
    return read_frame(
        conn,
        "SELECT household_id, representative_id, distance_m FROM assignment"
        " WHERE run_id = %s ORDER BY household_id",
        (run_id,),
    )


def test_a_scenario_never_touches_the_run_in_force(small_street: Connection) -> None:
    first = assign(small_street, fresh=True)
    before = assignments(small_street, first.run_id)
    what_if = assign(small_street, Params(max_load=12), scenario="max 12")
    assert not what_if.in_force and what_if.scenario == "max 12"
    assert runs.run_in_force(small_street) == first.run_id
    assert assignments(small_street, first.run_id).equals(before)
    assert what_if.metrics["changed_since_last"] == len(
        changes.diff(small_street, first.run_id, what_if.run_id)
    )


def lp_optimum(conn: Connection, params: Params) -> float:
    """The transportation problem solved independently with HiGHS: every household once, to
    a representative of its own group, loads in [min, max], at most K key households each;
    cost = metres, key households weighted."""
    houses = read_frame(
        conn,
        "SELECT group_id, key_category IS NOT NULL AS key, ST_X(geom) AS lon, ST_Y(geom) AS lat"
        " FROM household ORDER BY id",
    )
    reps = read_frame(
        conn,
        "SELECT group_id, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM representative"
        " WHERE active ORDER BY id",
    )
    epsg = metric_epsg_for(houses["lon"].to_numpy())
    hx, hy = to_metric(houses["lon"], houses["lat"], epsg)
    rx, ry = to_metric(reps["lon"], reps["lat"], epsg)
    pairs = [
        (h, r)
        for h, g in enumerate(houses["group_id"])
        for r in np.flatnonzero(reps["group_id"].to_numpy() == g)
    ]
    h_idx = np.array([p[0] for p in pairs])
    r_idx = np.array([p[1] for p in pairs])
    metres = np.hypot(hx[h_idx] - rx[r_idx], hy[h_idx] - ry[r_idx])
    key = houses["key"].to_numpy()[h_idx]
    cost = metres * np.where(key, params.key_weight, 1.0)
    n, m, k = len(houses), len(reps), len(pairs)
    cols = np.arange(k)
    each = sp.csr_matrix((np.ones(k), (h_idx, cols)), shape=(n, k))
    load = sp.csr_matrix((np.ones(k), (r_idx, cols)), shape=(m, k))
    keys = sp.csr_matrix((key.astype(float), (r_idx, cols)), shape=(m, k))
    result = linprog(
        cost,
        A_ub=sp.vstack([load, -load, keys]),
        b_ub=np.concatenate(
            [np.full(m, params.max_load), np.full(m, -params.min_load), np.full(m, params.key_max)]
        ),
        A_eq=each,
        b_eq=np.ones(n),
        bounds=(0, 1),
        method="highs",
    )
    assert result.status == 0, result.message
    return float(result.fun)


def weighted_total(conn: Connection, run_id: int, params: Params) -> float:
    frame = read_frame(
        conn,
        "SELECT a.distance_m, h.key_category IS NOT NULL AS key FROM assignment a"
        " JOIN household h ON h.id = a.household_id WHERE a.run_id = %s",
        (run_id,),
    )
    return float((frame["distance_m"] * np.where(frame["key"], params.key_weight, 1.0)).sum())


def test_split_units_is_the_transportation_optimum_and_the_default_stays_close(
    small_street: Connection,
) -> None:
    rules = Params()
    exact = assign(small_street, Params(keep_units=False), fresh=True)
    assert exact.metrics["coverage"] == 1.0 and exact.metrics["cross_group"] == 0
    optimum = lp_optimum(small_street, rules)
    assert weighted_total(small_street, exact.run_id, rules) == pytest.approx(optimum, rel=1e-4)
    default = assign(small_street, fresh=True)
    m = default.metrics
    assert m["coverage"] == 1.0 and m["reps_below_min"] == m["reps_above_max"] == 0
    assert m["reps_over_key_max"] == 0
    plain = exact.metrics["distance_m"]["total"]
    assert m["distance_m"]["total"] <= plain * 1.003


def move_households(conn: Connection, section: str, count: int) -> list[str]:
    """Move `count` households of one section onto a neighbour's point in their group."""
    moved = read_frame(
        conn,
        "SELECT h.id, h.code, h.group_id FROM household h JOIN grid_section s"
        " ON s.id = h.section_id WHERE s.code = %s ORDER BY h.code LIMIT %s",
        (section, count),
    )
    with conn.cursor() as cur:
        for row in moved.itertuples():
            cur.execute(
                "UPDATE household SET geom = (SELECT geom FROM household WHERE group_id = %s"
                " AND id <> %s ORDER BY id DESC LIMIT 1), updated_at = now() WHERE id = %s",
                (row.group_id, row.id, row.id),
            )
    conn.commit()
    return moved["code"].tolist()


def test_a_run_changes_only_the_sections_whose_input_changed(small_street: Connection) -> None:
    first = assign(small_street, fresh=True)
    again = assign(small_street)
    assert again.blocks_solved == 0 and again.metrics["changed_since_last"] == 0
    assert assignments(small_street, again.run_id).equals(assignments(small_street, first.run_id))
    section = read_frame(small_street, "SELECT code FROM grid_section ORDER BY code")["code"][0]
    move_households(small_street, section, 3)
    after = assign(small_street)
    assert after.blocks_solved == 1 and after.blocks_kept == 3
    listed = changes.diff(small_street, again.run_id, after.run_id)
    assert after.metrics["changed_since_last"] == len(listed)
    assert set(listed["section_code"]) <= {section}


def test_a_mistyped_section_is_not_a_run(small_street: Connection) -> None:
    assign(small_street, fresh=True)
    count = len(runs.list_runs(small_street))
    with pytest.raises(NotFound, match="NO-SUCH"):
        assign(small_street, section="NO-SUCH")
    with pytest.raises(InputError):
        assign(small_street, scenario="\x00")
    assert len(runs.list_runs(small_street)) == count


def test_a_failed_run_is_recorded_and_releases_the_lock(
    small_street: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = assign(small_street, fresh=True)

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("disk full \x00 (injected)")

    monkeypatch.setattr(runs, "copy_assignments", broken)
    with pytest.raises(RuntimeError):
        assign(small_street, fresh=True)
    monkeypatch.undo()
    last = runs.list_runs(small_street, 1).iloc[0]
    assert last["status"] == "failed" and last["error"] == "RuntimeError"
    assert runs.run_in_force(small_street) == first.run_id
    assert assign(small_street, fresh=True).in_force  # nothing held the lock


def test_a_run_whose_process_died_shows_as_failed(small_street: Connection) -> None:
    import psycopg2

    url = small_street.dsn
    dead = psycopg2.connect(url)
    dead.autocommit = True
    run_id = runs.open_run(dead, {}, "test", None)
    dead.close()  # the process that opened it is gone
    result = assign(small_street, fresh=True)
    crashed = runs.get_run(small_street, run_id)
    assert crashed["status"] == "failed" and "process ended" in str(crashed["error"])
    assert result.in_force


def test_one_run_at_a_time(small_street: Connection) -> None:
    import psycopg2

    holder = psycopg2.connect(small_street.dsn)
    try:
        runs.take_run_lock(holder)
        with pytest.raises(RunInProgress):
            assign(small_street, fresh=True)
    finally:
        holder.close()
    assert assign(small_street, fresh=True).in_force


def test_a_run_below_the_coverage_floor_needs_force(small_street: Connection) -> None:
    first = assign(small_street, fresh=True)
    with pytest.raises(InputError, match="force"):
        assign(small_street, Params(max_load=2, min_load=0), fresh=True)
    assert runs.run_in_force(small_street) == first.run_id
    forced = assign(small_street, Params(max_load=2, min_load=0), fresh=True, force=True)
    assert forced.in_force and forced.metrics["coverage"] < 0.95


def test_old_runs_go_by_the_retention_rule(small_street: Connection) -> None:
    from gridsvc.services.runs import KEEP_LAST_RUNS

    first = assign(small_street, fresh=True).run_id
    named = assign(small_street, fresh=True).run_id
    with small_street.cursor() as cur:  # someone exported run `named`: it stays
        cur.execute(
            "INSERT INTO audit_log (role, method, path, subject) VALUES"
            " ('staff', 'GET', '/exports/contacts', %s)",
            (f"run {named}",),
        )
    small_street.commit()
    scenario = assign(small_street, Params(max_load=12), scenario="what-if").run_id
    for _ in range(KEEP_LAST_RUNS + 2):
        last = assign(small_street, fresh=True).run_id
    kept = set(read_frame(small_street, "SELECT id FROM assignment_run")["id"])
    assert {named, scenario, last} <= kept and first not in kept
    assert len(kept) == KEEP_LAST_RUNS + 2
    orphans = read_frame(
        small_street,
        "SELECT count(*) AS n FROM assignment a LEFT JOIN assignment_run r ON r.id = a.run_id"
        " WHERE r.id IS NULL",
    )["n"][0]
    assert orphans == 0
