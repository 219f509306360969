"""Assignment runs against the real store: storing, stability, diffs, failures, exports."""

from __future__ import annotations

import json
from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg2
import pytest

from gridsvc.assign import Params
from gridsvc.db import changes as run_changes
from gridsvc.db import runs
from gridsvc.db.connection import Connection
from gridsvc.db.frames import read_frame
from gridsvc.errors import NotFound, RunInProgress
from gridsvc.services.exports import CONTACT_HEADERS, export_contacts
from tests.helpers import PLANNER, assign


def scalar(conn: Connection, sql: str, params: object = None) -> object:
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


@pytest.fixture(scope="module")
def first_run(sample_url: str) -> int:
    with psycopg2.connect(sample_url) as conn:
        run_id = assign(conn, Params(), fresh=True).run_id
    conn.close()
    return run_id


@pytest.fixture
def db(sample_url: str, first_run: int) -> Iterator[Connection]:
    connection = psycopg2.connect(sample_url)
    yield connection
    connection.rollback()
    connection.close()


def test_the_sample_street_is_fully_covered_within_limits(db: Connection) -> None:
    first_run = assign(db, Params(), fresh=True).run_id
    assert runs.run_in_force(db) == first_run
    households = scalar(db, "SELECT count(*) FROM household")
    assert (
        scalar(db, "SELECT count(*) FROM assignment WHERE run_id = %s", (first_run,)) == households
    )
    assert (
        scalar(
            db,
            "SELECT count(*) FROM assignment WHERE run_id = %s AND representative_id IS NULL",
            (first_run,),
        )
        == 0
    )
    loads = read_frame(
        db,
        """SELECT r.id, count(a.household_id) AS n FROM representative r
        LEFT JOIN assignment a ON a.representative_id = r.id AND a.run_id = %s
        GROUP BY r.id""",
        (first_run,),
    )
    assert loads["n"].between(5, 15).all()
    # a household's representative is of its own group (every sample group has room)
    assert (
        scalar(
            db,
            """SELECT count(*) FROM assignment a JOIN household h
        ON h.id = a.household_id JOIN representative r ON r.id = a.representative_id
        WHERE a.run_id = %s AND r.group_id <> h.group_id""",
            (first_run,),
        )
        == 0
    )
    metrics = runs.get_run(db, first_run)["metrics"]
    assert metrics["coverage"] == 1.0 and metrics["reps_above_max"] == 0
    assert set(metrics["distance_m"]) >= {"mean", "p50", "p95", "max"}
    assert metrics["key_distance_m"]["mean"] is not None


def test_a_failed_run_leaves_the_previous_in_force(
    db: Connection, first_run: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_force = runs.run_in_force(db)
    rows_before = scalar(db, "SELECT count(*) FROM assignment")

    def crash(*_: object) -> None:
        raise RuntimeError("disk full (injected)")

    monkeypatch.setattr(runs, "copy_assignments", crash)
    with pytest.raises(RuntimeError):
        assign(db, Params())
    assert runs.run_in_force(db) == in_force
    assert scalar(db, "SELECT count(*) FROM assignment") == rows_before
    last = runs.list_runs(db, 1).iloc[0]
    assert last["status"] == "failed" and not last["in_force"]


def test_one_run_at_a_time(db: Connection, sample_url: str) -> None:
    holder = psycopg2.connect(sample_url)
    try:
        runs.take_run_lock(holder)
        with pytest.raises(RunInProgress):
            assign(db, Params())
    finally:
        holder.close()


def _move_households(conn: Connection, share: float, seed: int) -> list[str]:
    """Move a share of households to another home in their own group (a neighbour's point)."""
    frame = read_frame(conn, "SELECT id, code, group_id FROM household ORDER BY id")
    rng = np.random.default_rng(seed)
    movers = frame.sample(frac=share, random_state=rng)
    with conn.cursor() as cur:
        for row in movers.itertuples():
            cur.execute(
                """UPDATE household SET geom = (SELECT geom FROM household
                WHERE group_id = %s AND id <> %s ORDER BY md5(id::text || %s) LIMIT 1)
                WHERE id = %s""",
                (row.group_id, row.id, str(seed), row.id),
            )
    conn.commit()
    return movers["code"].tolist()


def test_a_rerun_after_two_percent_move_changes_little_and_near_them(db: Connection) -> None:
    before = runs.run_in_force(db)
    moved = _move_households(db, 0.02, seed=1)
    result = assign(db, Params())
    changes = run_changes.diff(db, before, result.run_id)
    assert result.metrics["changed_since_last"] == len(changes)
    assert len(changes) <= 3 * len(moved)
    groups_of = read_frame(db, "SELECT code, group_id FROM household").set_index("code")
    moved_groups = set(groups_of.loc[moved, "group_id"])
    assert set(groups_of.loc[changes["household_code"], "group_id"]) <= moved_groups
    assert (changes["reason"] == "moved").sum() >= 1
    assert set(changes["reason"]) <= {"moved", "rebalanced"}


def test_a_fresh_run_ignores_the_current_assignment(db: Connection) -> None:
    before = runs.run_in_force(db)
    result = assign(db, Params(), fresh=True)
    assert result.metrics["had_previous"] == 0
    changed = run_changes.diff(db, before, result.run_id)
    assert result.metrics["changed_since_last"] == len(changed)


def test_deactivating_a_representative_moves_their_households(db: Connection) -> None:
    before = runs.run_in_force(db)
    rep_id, rep_code = read_frame(
        db,
        """SELECT r.id, r.code FROM representative r
        JOIN assignment a ON a.representative_id = r.id AND a.run_id = %s
        GROUP BY r.id HAVING count(*) BETWEEN 5 AND 8 LIMIT 1""",
        (before,),
    ).iloc[0]
    theirs = scalar(
        db,
        "SELECT count(*) FROM assignment WHERE run_id = %s AND representative_id = %s",
        (before, int(rep_id)),
    )
    with db.cursor() as cur:
        cur.execute("UPDATE representative SET active = false WHERE id = %s", (int(rep_id),))
    db.commit()
    try:
        after = assign(db, Params()).run_id
        changes = run_changes.diff(db, before, after)
        inactive = changes[changes["reason"] == "representative inactive"]
        assert len(inactive) == theirs
        assert (inactive["old_representative"] == rep_code).all()
        assert (
            scalar(
                db,
                "SELECT count(*) FROM assignment WHERE run_id = %s AND representative_id = %s",
                (after, int(rep_id)),
            )
            == 0
        )
    finally:
        with db.cursor() as cur:
            cur.execute("UPDATE representative SET active = true WHERE id = %s", (int(rep_id),))
        db.commit()


def test_a_section_rerun_keeps_the_other_sections(db: Connection) -> None:
    before = runs.run_in_force(db)
    code = scalar(db, "SELECT code FROM grid_section ORDER BY code LIMIT 1")
    after = assign(db, Params(), section=str(code)).run_id
    assert scalar(db, "SELECT count(*) FROM assignment WHERE run_id = %s", (after,)) == scalar(
        db, "SELECT count(*) FROM household"
    )
    assert (
        scalar(
            db,
            """SELECT count(*) FROM assignment a JOIN assignment b
        ON b.household_id = a.household_id AND b.run_id = %s JOIN household h
        ON h.id = a.household_id JOIN grid_section s ON s.id = h.section_id
        WHERE a.run_id = %s AND s.code <> %s
        AND a.representative_id IS DISTINCT FROM b.representative_id""",
            (after, before, code),
        )
        == 0
    )
    with pytest.raises(NotFound):
        assign(db, Params(), section="NO-SUCH")


def test_findings_of_a_strained_group_are_stored(db: Connection) -> None:
    """Deactivate all but one representative of a group: it lacks room, the run says where."""
    group_id = scalar(
        db, "SELECT group_id FROM representative GROUP BY group_id ORDER BY group_id LIMIT 1"
    )
    with db.cursor() as cur:
        cur.execute(
            """UPDATE representative SET active = false WHERE group_id = %s AND id <>
            (SELECT min(id) FROM representative WHERE group_id = %s)""",
            (group_id, group_id),
        )
    db.commit()
    try:
        result = assign(db, Params())
        over = [f for f in result.findings if f.kind == "group_over_capacity"]
        assert len(over) == 1 and over[0].point is not None and len(over[0].point) == 2
        stored = runs.get_run(db, result.run_id)["diagnostics"]
        assert stored[0]["kind"] == "group_over_capacity"
        assert result.metrics["cross_group"] + result.metrics["uncovered"] == over[0].households
    finally:
        with db.cursor() as cur:
            cur.execute("UPDATE representative SET active = true WHERE group_id = %s", (group_id,))
        db.commit()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
def test_contact_list_exports(db: Connection, tmp_path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    path = export_contacts(db, PLANNER, tmp_path / f"contacts.{fmt}", fmt).path
    if fmt == "csv":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        back = pd.read_csv(path, encoding="utf-8-sig")
    elif fmt == "xlsx":
        back = pd.read_excel(path)
    else:
        back = gpd.read_file(path)
        assert (
            json.loads(path.read_text(encoding="utf-8"))["features"][0]["geometry"]["type"]
            == "Point"
        )
    assert len(back) == scalar(db, "SELECT count(*) FROM household")
    if fmt == "geojson":
        assert {"household_code", "representative_code", "head_name"} <= set(back.columns)
    else:
        assert list(back.columns) == list(CONTACT_HEADERS.values())
