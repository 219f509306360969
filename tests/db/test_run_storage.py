"""How runs are stored: binary COPY both ways, one partition per run, cheap retention."""

from __future__ import annotations

import numpy as np
import psycopg2
import pytest

from gridsvc.db import runs
from gridsvc.db.binary import copy_arrays, ewkb_points, read_arrays
from gridsvc.db.connection import Connection
from gridsvc.db.frames import read_frame
from tests.helpers import assign


def partitions(conn: Connection) -> set[int]:
    """The run ids that have a partition of `assignment`."""
    frame = read_frame(
        conn,
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'assignment'::regclass",
    )
    return {int(name.removeprefix("assignment_r")) for name in frame["relname"]}


def test_binary_copy_round_trips_values_and_nulls(small_street: Connection) -> None:
    with small_street.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE t (a int4, b int8, c float8, d boolean, g geometry(Point, 4490))"
        )
    n = 7
    a = np.arange(n, dtype=np.int32) - 3
    b = np.arange(n, dtype=np.int64) * 10**12
    c = np.linspace(-1.5, 2.5, n)
    d = np.arange(n) % 2 == 0
    lon, lat = 113.1 + np.arange(n) * 1e-3, 27.8 + np.arange(n) * 1e-3
    a_valid, c_valid = np.arange(n) % 3 != 0, np.arange(n) % 2 == 1
    copy_arrays(
        small_street,
        "t",
        {"a": a, "b": b, "c": c, "d": d, "g": ewkb_points(lon, lat, 4490)},
        {"a": "int4", "b": "int8", "c": "float8", "d": "bool", "g": "ewkb:25"},
        {"a": a_valid, "c": c_valid},
    )
    back = read_frame(
        small_street, "SELECT a, b, c, d, ST_X(g) AS x, ST_Y(g) AS y, ST_SRID(g) AS srid FROM t"
    ).sort_values("b")
    assert back["b"].tolist() == b.tolist()
    assert back["a"].isna().tolist() == (~a_valid).tolist()
    assert back["a"].dropna().astype(int).tolist() == a[a_valid].tolist()
    assert back["c"].isna().tolist() == (~c_valid).tolist()
    assert np.allclose(back["c"].dropna(), c[c_valid])
    assert back["d"].tolist() == d.tolist()
    assert np.allclose(back["x"], lon) and np.allclose(back["y"], lat)
    assert set(back["srid"]) == {4490}
    read = read_arrays(
        small_street,
        "SELECT b, coalesce(a, -1), d FROM t ORDER BY b",
        {"b": "int8", "a": "int4", "d": "bool"},
    )
    assert read["b"].tolist() == b.tolist()
    assert read["a"].tolist() == np.where(a_valid, a, -1).tolist()
    assert read["d"].dtype == bool and read["d"].tolist() == d.tolist()


def test_binary_read_refuses_a_null_or_a_wrong_type(small_street: Connection) -> None:
    with pytest.raises(ValueError, match="NULL"):
        read_arrays(small_street, "SELECT NULL::int4", {"a": "int4"})
    with pytest.raises(ValueError):
        read_arrays(small_street, "SELECT 1::int8", {"a": "int4"})


def test_each_kept_run_has_its_partition_and_pruned_ones_none(small_street: Connection) -> None:
    done = [assign(small_street, fresh=True).run_id for _ in range(13)]
    kept = set(read_frame(small_street, "SELECT id FROM assignment_run")["id"])
    assert partitions(small_street) == kept
    assert done[0] not in kept and done[-1] in kept
    households = read_frame(small_street, "SELECT count(*) AS n FROM household")["n"][0]
    for run in kept:
        n = read_frame(
            small_street, "SELECT count(*) AS n FROM assignment WHERE run_id = %s", (run,)
        )["n"][0]
        assert n == households


def test_pruning_gives_way_to_a_long_reader(small_street: Connection) -> None:
    first = assign(small_street, fresh=True).run_id
    for _ in range(10):
        assign(small_street, fresh=True)
    small_street.commit()
    reader = psycopg2.connect(small_street.dsn)
    try:
        with reader.cursor() as cur:  # a reader of `assignment` holds it in a transaction
            cur.execute("SELECT count(*) FROM assignment WHERE run_id = %s", (first + 1,))
        with small_street.cursor() as cur:
            cur.execute("SELECT id FROM assignment_run WHERE in_force")
        assert runs.prune(small_street, keep_last=1, wait_s=0.2) == 0  # nothing went, no error
        small_street.commit()
        assert first + 1 in partitions(small_street)
    finally:
        reader.rollback()
        reader.close()
    assert runs.prune(small_street, keep_last=1) > 0
    small_street.commit()
    assert first + 1 not in partitions(small_street)


def test_only_the_running_session_may_make_a_run_partition(small_street: Connection) -> None:
    done = assign(small_street, fresh=True).run_id
    with (
        pytest.raises(psycopg2.errors.RaiseException, match="running run"),
        small_street.cursor() as cur,
    ):
        cur.execute("SELECT assignment_rows_open(%s)", (done + 1000,))
    small_street.rollback()
    with small_street.cursor() as cur:  # the run in force is never dropped
        cur.execute("SELECT assignment_rows_drop(ARRAY[%s]::bigint[])", (done,))
        assert cur.fetchone()[0] == 0  # type: ignore[index]
    assert done in partitions(small_street)


def test_unit_keys_are_equal_within_a_unit_only() -> None:
    group = np.array([1, 1, 1, 2, 1, 1])
    address = np.array([0, 0, 0, 0, 77, 77], np.int64)  # the last two: one stairwell's address
    lon = np.array([113.1000001, 113.1000002, 113.2, 113.1000001, 113.3, 113.4])
    lat = np.array([27.8, 27.8, 27.8, 27.8, 27.9, 27.95])
    keys = runs.unit_keys(group, address, lon, lat)
    assert keys[0] == keys[1]  # one point to 1e-6 degrees
    assert keys[0] != keys[2]  # another point
    assert keys[0] != keys[3]  # same point, another group
    assert keys[4] == keys[5]  # same address, points apart
    assert len(set(keys.tolist())) == 4


def test_a_replaced_scenario_leaves_no_rows_behind(small_street: Connection) -> None:
    from gridsvc.assign import Params

    assign(small_street, fresh=True)
    first = assign(small_street, Params(max_load=12), scenario="what-if").run_id
    second = assign(small_street, Params(max_load=13), scenario="what-if").run_id
    kept = set(read_frame(small_street, "SELECT id FROM assignment_run")["id"])
    assert second in kept and first not in kept
    assert partitions(small_street) == kept
