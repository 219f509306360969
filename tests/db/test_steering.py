"""Planners steer: pins, building units, deactivation notices, scenarios, the roll-up audit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psycopg2
import pytest

from gridsvc.assign import Params
from gridsvc.db import changes, pins, runs, scenarios
from gridsvc.db.connection import Connection, transaction
from gridsvc.db.frames import read_frame
from gridsvc.errors import Conflict, InputError
from gridsvc.services import structure
from tests.helpers import PLANNER, assign


@pytest.fixture
def db(sample_url: str) -> Iterator[Connection]:
    conn = psycopg2.connect(sample_url)
    with conn.cursor() as cur:
        cur.execute(
            "DELETE FROM pin; DELETE FROM representative WHERE proposed_in IS NOT NULL;"
            " UPDATE representative SET active = true, max_load = NULL"
        )
    conn.commit()
    if runs.run_in_force(conn) is None:
        assign(conn, Params(), fresh=True)
    yield conn
    conn.rollback()
    conn.close()


def q(conn: Connection, sql: str, params: object = None) -> pd.DataFrame:
    return read_frame(conn, sql, params)


def rep_of(conn: Connection, household: str) -> str | None:
    return q(
        conn,
        """SELECT r.code FROM assignment a JOIN household h ON h.id = a.household_id
        JOIN representative r ON r.id = a.representative_id
        WHERE h.code = %s AND a.run_id = (SELECT id FROM assignment_run WHERE in_force)""",
        (household,),
    )["code"].iloc[0]


def another_rep_of_the_group(conn: Connection, household: str, current: str) -> str:
    return q(
        conn,
        """SELECT r.code FROM representative r JOIN household h
        ON h.group_id = r.group_id WHERE h.code = %s AND r.code <> %s AND r.active
        ORDER BY r.code DESC LIMIT 1""",
        (household, current),
    )["code"].iloc[0]


def test_pins_are_honoured_run_after_run(db: Connection) -> None:
    fixed, forbidden = "H000101", "H000202"
    target = another_rep_of_the_group(db, fixed, rep_of(db, fixed))
    banned = rep_of(db, forbidden)
    with transaction(db):
        pins.add(db, fixed, target, "fix", note="老邻居")
        pins.add(db, forbidden, banned, "forbid")
    for _ in range(2):
        result = assign(db, Params())
        assert rep_of(db, fixed) == target and rep_of(db, forbidden) != banned
        assert result.metrics["pins"] == {"fixed": 1, "forbidden": 1, "ignored": 0}


def test_impossible_pins_are_refused_with_the_reason(db: Connection) -> None:
    other_section = q(
        db,
        """SELECT r.code FROM representative r JOIN resident_group g
        ON g.id = r.group_id JOIN household h ON h.code = 'H000001'
        WHERE g.section_id <> h.section_id LIMIT 1""",
    )["code"].iloc[0]
    with pytest.raises(InputError, match="another section"):
        pins.add(db, "H000001", other_section, "fix")
    rep = rep_of(db, "H000001")
    houses = q(
        db,
        """SELECT h.code FROM household h JOIN representative r
        ON r.group_id = h.group_id WHERE r.code = %s ORDER BY h.code LIMIT 3""",
        (rep,),
    )["code"]
    with db.cursor() as cur:
        cur.execute("UPDATE representative SET max_load = 2 WHERE code = %s", (rep,))
    pins.add(db, houses[0], rep, "fix")
    pins.add(db, houses[1], rep, "fix")
    with pytest.raises(InputError, match="exceed the maximum load of 2"):
        pins.add(db, houses[2], rep, "fix")
    with pytest.raises(InputError, match="already pinned"):
        pins.add(db, houses[0], rep, "forbid")
    with db.cursor() as cur:
        cur.execute("UPDATE representative SET active = false WHERE code = %s", (rep,))
    with pytest.raises(InputError, match="not active"):
        pins.add(db, houses[2], rep, "fix")
    db.rollback()


def test_building_units_are_found_and_mostly_kept_whole(db: Connection) -> None:
    result = assign(db, Params(), fresh=True)  # every block solved: the totals compare
    units = q(
        db,
        """SELECT count(*) AS n FROM (SELECT group_id, substring(address from
        '^(.*?单元)') AS unit FROM household WHERE address LIKE '%%单元%%'
        GROUP BY 1, 2 HAVING count(*) > 1) u""",
    )["n"][0]
    village_points = q(
        db,
        """SELECT count(*) AS n FROM (SELECT 1 FROM household
        WHERE address NOT LIKE '%%单元%%' GROUP BY group_id, ST_SnapToGrid(geom, 1e-6)
        HAVING count(*) > 1) p""",
    )["n"][0]
    m = result.metrics
    assert m["building_units"] == units + village_points
    assert m["units_split"] < 0.5 * m["building_units"]
    assert m["distance_m"]["total"] == pytest.approx(
        m["flow_optimum_m"] + m["units_gathered_extra_m"], abs=1.0
    )
    splits = [f for f in result.findings if f.kind == "unit_split"]
    assert len(splits) == min(m["units_split"], 200)


def test_deactivation_moves_their_households_and_few_others(db: Connection, tmp_path: Path) -> None:
    assign(db, Params(), fresh=True)
    before = assign(db, Params()).run_id  # settled: a re-run of it changes nothing
    rep = q(
        db,
        """SELECT r.code, r.group_id FROM representative r JOIN assignment a
        ON a.representative_id = r.id AND a.run_id = %s GROUP BY r.id
        HAVING count(*) BETWEEN 5 AND 8 ORDER BY r.code LIMIT 1""",
        (before,),
    ).iloc[0]
    with db.cursor() as cur:
        cur.execute("UPDATE representative SET active = false WHERE code = %s", (rep["code"],))
    db.commit()
    after = assign(db, Params()).run_id
    notices = changes.notifications(db, before, after)
    theirs = notices[notices["old_representative"] == rep["code"]]
    assert (theirs["reason"] == "representative inactive").all() and len(theirs) >= 5
    others = notices[notices["old_representative"] != rep["code"]]
    assert set(others["reason"]) <= {"rebalanced"}
    groups = q(db, "SELECT code, group_id FROM household").set_index("code")["group_id"]
    assert set(groups.loc[notices["household_code"]]) == {rep["group_id"]}
    assert len(others) <= 2 * len(theirs)
    assert {"address", "head_name", "new_name", "new_phone"} <= set(notices.columns)
    with db.cursor() as cur:
        cur.execute("UPDATE representative SET active = true WHERE code = %s", (rep["code"],))
    db.commit()


def test_a_scenario_waits_beside_the_run_in_force_until_promoted(
    db: Connection, tmp_path: Path
) -> None:
    in_force = assign(db, Params()).run_id
    snapshot = q(
        db,
        "SELECT household_id, representative_id FROM assignment WHERE run_id = %s"
        " ORDER BY household_id",
        (in_force,),
    )
    group = q(db, "SELECT code FROM resident_group ORDER BY code LIMIT 1")["code"][0]
    proposed = tmp_path / "new.csv"
    proposed.write_text(
        f"代表编号,姓名,所属小组编码,经度,纬度\nP001,新代表,{group},113.1565,27.8613\n",
        encoding="utf-8",
    )
    scenario = assign(db, Params(max_load=12), scenario="max12", add_representatives=proposed)
    assert runs.run_in_force(db) == in_force
    assert q(
        db,
        "SELECT household_id, representative_id FROM assignment WHERE run_id = %s"
        " ORDER BY household_id",
        (in_force,),
    ).equals(snapshot)
    assert scenario.metrics["representatives"] == 1051 + 1
    table = scenarios.compare(db, ["max12"])
    assert list(table.columns) == ["(in force)", "max12"]
    assert table.loc["max load", "max12"] == 12 and table.loc["in force", "(in force)"]
    with transaction(db):
        assert scenarios.promote(db, "max12") == scenario.run_id
    assert runs.run_in_force(db) == scenario.run_id
    assert q(db, "SELECT active FROM representative WHERE code = 'P001'")["active"][0]


def test_a_stale_scenario_is_not_promoted(db: Connection) -> None:
    assign(db, Params(), scenario="stale")
    with db.cursor() as cur:
        cur.execute(
            "UPDATE household SET phone = '13900000000', updated_at = clock_timestamp()"
            " WHERE code = 'H000003'"
        )
    db.commit()
    with pytest.raises(Conflict, match="changed since it was computed"):
        scenarios.promote(db, "stale")


@pytest.mark.parametrize("level", ["section", "group"])
def test_audit_figures_match_a_count_in_sql(db: Connection, level: str) -> None:
    run = assign(db, Params(max_load=10)).run_id  # a strained street: something to find
    found = structure.audit(db, PLANNER, level)
    table = pd.DataFrame([vars(p) for p in found]).set_index("code")
    code = {"section": "s.code", "group": "g.code"}[level]
    direct = q(
        db,
        f"""SELECT {code} AS place, count(*) AS households,
            count(*) FILTER (WHERE a.representative_id IS NULL) AS uncovered,
            count(*) FILTER (WHERE a.cross_group) AS cross_group,
            count(*) FILTER (WHERE h.key_category IS NOT NULL) AS key_households
        FROM household h JOIN resident_group g ON g.id = h.group_id
        JOIN grid_section s ON s.id = h.section_id
        LEFT JOIN assignment a ON a.household_id = h.id AND a.run_id = %s
        GROUP BY 1""",
        (run,),
    ).set_index("place")
    for column in direct.columns:
        assert (table.loc[direct.index, column] == direct[column]).all(), column
    assert table["uncovered"].is_monotonic_decreasing
    street = structure.audit(db, PLANNER, "street")[0]
    assert street.households == q(db, "SELECT count(*) AS n FROM household")["n"][0]


def test_loads_are_judged_by_the_rules_of_the_run_in_force(db: Connection) -> None:
    """A run with max 10 judges loads against 10, not the default 15 (and min 0 stays 0)."""
    assign(db, Params(min_load=0, max_load=10))
    reps = structure.representative_audit(db, PLANNER)
    assert {(r.min_load, r.max_load) for r in reps} == {(0, 10)}
    loads = q(
        db,
        """SELECT count(*) AS n FROM assignment a WHERE a.run_id =
        (SELECT id FROM assignment_run WHERE in_force) AND a.representative_id IS NOT NULL
        GROUP BY a.representative_id""",
    )["n"]
    assert loads.max() <= 10
    assert sum(r.out_of_range for r in reps) == 0
