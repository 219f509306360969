"""Loading a street folder into PostGIS: what lands, and what a bad folder does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gridsvc.db import queries
from gridsvc.db.connection import Connection
from gridsvc.errors import InputError
from tests.conftest import SAMPLE
from tests.helpers import load_street


def scalar(conn: Connection, sql: str) -> object:
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0]


def test_counts(sample_conn: Connection) -> None:
    counts = queries.counts(sample_conn)
    meta = json.loads((SAMPLE / "street.json").read_text(encoding="utf-8"))["counts"]
    assert counts["communities"] == 8 and counts["sections"] == 38 and counts["groups"] == 122
    assert counts["representatives"] == 1051
    assert counts["households"] == meta["households"]
    assert counts["key_households"] == meta["key_households"]


@pytest.mark.parametrize("table", ["community", "grid_section", "resident_group"])
def test_every_polygon_is_valid(sample_conn: Connection, table: str) -> None:
    assert scalar(sample_conn, f"SELECT count(*) FROM {table} WHERE NOT ST_IsValid(geom)") == 0


def test_groups_nest_in_sections_and_sections_in_communities(sample_conn: Connection) -> None:
    assert (
        scalar(
            sample_conn,
            """SELECT count(*) FROM resident_group g
        JOIN grid_section s ON s.id = g.section_id WHERE NOT ST_Covers(s.geom, g.geom)""",
        )
        == 0
    )
    assert (
        scalar(
            sample_conn,
            """SELECT count(*) FROM grid_section s
        JOIN community c ON c.id = s.community_id WHERE NOT ST_Covers(c.geom, s.geom)""",
        )
        == 0
    )
    # children fill their parent: no gap larger than 1 m²
    assert (
        scalar(
            sample_conn,
            """SELECT max(ST_Area(ST_Difference(s.geom, u.geom)::geography))
        FROM grid_section s JOIN (SELECT section_id, ST_Union(geom) AS geom
        FROM resident_group GROUP BY section_id) u ON u.section_id = s.id""",
        )
        < 1.0
    )


@pytest.mark.parametrize(
    ("table", "siblings"),
    [
        ("resident_group", "a.section_id = b.section_id"),
        ("grid_section", "a.community_id = b.community_id"),
        ("community", "true"),
    ],
)
def test_siblings_do_not_overlap(sample_conn: Connection, table: str, siblings: str) -> None:
    overlap = scalar(
        sample_conn,
        f"""
        SELECT coalesce(max(ST_Area(ST_Intersection(a.geom, b.geom)::geography)), 0)
        FROM {table} a JOIN {table} b ON a.id < b.id AND {siblings}
        AND ST_Intersects(a.geom, b.geom)""",
    )
    assert overlap <= 1.0


@pytest.mark.parametrize("table", ["household", "representative"])
def test_people_stand_inside_their_own_group(sample_conn: Connection, table: str) -> None:
    assert (
        scalar(
            sample_conn,
            f"""SELECT count(*) FROM {table} p
        JOIN resident_group g ON g.id = p.group_id WHERE NOT ST_Covers(g.geom, p.geom)""",
        )
        == 0
    )


def test_household_section_is_its_groups_section(sample_conn: Connection) -> None:
    assert (
        scalar(
            sample_conn,
            """SELECT count(*) FROM household h
        JOIN resident_group g ON g.id = h.group_id WHERE g.section_id <> h.section_id""",
        )
        == 0
    )


def test_loading_twice_does_not_duplicate(sample_conn: Connection) -> None:
    before = queries.counts(sample_conn)
    counts = load_street(sample_conn, SAMPLE)
    assert counts["households_changed"] == 0 and counts["representatives_changed"] == 0
    assert queries.counts(sample_conn) == before


@pytest.fixture
def broken_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "street"
    shutil.copytree(SAMPLE, folder)
    return folder


def _edit_feature(path: Path, index: int, edit) -> str:  # type: ignore[no-untyped-def]
    doc = json.loads(path.read_text(encoding="utf-8"))
    feature = doc["features"][index]
    edit(feature)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return feature["properties"]["code"]


def _assert_refused_and_unchanged(conn: Connection, folder: Path, *fragments: str) -> None:
    before = queries.counts(conn)
    batches = scalar(conn, "SELECT count(*) FROM import_batch")
    with pytest.raises(InputError) as caught:
        load_street(conn, folder)
    for fragment in fragments:
        assert fragment in str(caught.value)
    assert queries.counts(conn) == before
    assert scalar(conn, "SELECT count(*) FROM import_batch") == batches


def test_a_missing_file_is_named(sample_conn: Connection, broken_copy: Path) -> None:
    (broken_copy / "sections.geojson").unlink()
    _assert_refused_and_unchanged(sample_conn, broken_copy, "sections.geojson", "missing")


def test_an_unclosed_polygon_is_named(sample_conn: Connection, broken_copy: Path) -> None:
    def open_ring(feature: dict) -> None:
        feature["geometry"]["coordinates"][0][0].pop()

    code = _edit_feature(broken_copy / "groups.geojson", 4, open_ring)
    _assert_refused_and_unchanged(
        sample_conn, broken_copy, "groups.geojson", "feature 5", code, "not closed"
    )


def test_a_group_of_an_unknown_section_is_named(sample_conn: Connection, broken_copy: Path) -> None:
    def orphan(feature: dict) -> None:
        feature["properties"]["parent_code"] = "GH99-S01"

    code = _edit_feature(broken_copy / "groups.geojson", 9, orphan)
    _assert_refused_and_unchanged(
        sample_conn, broken_copy, "groups.geojson", "feature 10", code, "GH99-S01"
    )


def test_a_household_outside_its_group_rolls_back(
    sample_conn: Connection, broken_copy: Path
) -> None:
    path = broken_copy / "households.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # move the first household into a changed register: far outside its group
    lines[1] = ",".join([*lines[1].split(",")[:-2], "113.3", "27.95"])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _assert_refused_and_unchanged(sample_conn, broken_copy, "households.csv", "H000001")
