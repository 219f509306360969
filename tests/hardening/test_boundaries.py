"""Issue 17 item 6: a boundary import is checked for the coverage it would make (real files
read as the importer reads them, the sample street in PostGIS): overlaps, areas outside their
parent or the street, and re-parenting that would move households."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, box, mapping, shape

from gridsvc.db.areas import households_moved_by
from gridsvc.db.connection import Connection
from gridsvc.db.street import upsert_areas
from gridsvc.errors import InputError
from gridsvc.ingest.boundaries import read_boundaries
from gridsvc.ingest.coverage import Area, check_coverage
from gridsvc.services.boundaries import check_boundaries
from tests.conftest import SAMPLE

Feature = tuple[str, str, str | None, shapely.Geometry]  # code, name, parent code, shape


def sample(level: str) -> list[Feature]:
    doc = json.loads((SAMPLE / f"{level}.geojson").read_text(encoding="utf-8"))
    return [
        (
            f["properties"]["code"],
            f["properties"]["name"],
            f["properties"].get("parent_code"),
            shape(f["geometry"]),
        )
        for f in doc["features"]
    ]


def write(tmp_path: Path, features: list[Feature], name: str = "groups.geojson") -> Path:
    path = tmp_path / name
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": code, "name": title, "parent_code": parent},
                "geometry": mapping(MultiPolygon(shapely.get_parts(geom))),
            }
            for code, title, parent, geom in features
        ],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def check(conn: Connection, path: Path, level: str, **flags: bool):  # type: ignore[no-untyped-def]
    areas, _ = read_boundaries(path, level)
    return check_boundaries(
        conn,
        areas,
        level,
        extend=flags.get("extend", False),
        move_households=flags.get("move_households", False),
    )


def test_the_sample_street_reimported_is_unchanged(sample_conn: Connection, tmp_path: Path) -> None:
    for level, file in (("community", "communities"), ("section", "sections"), ("group", "groups")):
        result = check(sample_conn, SAMPLE / f"{file}.geojson", level)
        assert not result.new and not result.changed and not result.findings
        assert len(result.unchanged) == {"community": 8, "section": 38, "group": 122}[level]


def _inner_square(geom: shapely.Geometry) -> shapely.Geometry:
    """A small square well inside `geom`."""
    point = geom.representative_point()
    return box(point.x - 0.0003, point.y - 0.0003, point.x + 0.0003, point.y + 0.0003)


def test_two_groups_with_the_same_square_are_refused(
    sample_conn: Connection, tmp_path: Path
) -> None:
    code, _, section, geom = sample("groups")[0]
    square = _inner_square(geom)
    path = write(tmp_path, [("NEW-A", "甲", section, square), ("NEW-B", "乙", section, square)])
    with pytest.raises(InputError) as refused:
        check(sample_conn, path, "group")
    said = str(refused.value)
    assert "groups NEW-A and NEW-B overlap on 100% of the smaller" in said
    assert f"NEW-A and {code}" in said or f"{code} and NEW-A" in said  # and the group beneath


def test_a_group_moved_to_beijing_is_refused(sample_conn: Connection, tmp_path: Path) -> None:
    groups = sample("groups")
    code, title, section, geom = groups[5]
    centre = geom.centroid
    moved = affinity.translate(geom, 116.397 - centre.x, 39.909 - centre.y)
    path = write(tmp_path, [*groups[:5], (code, title, section, moved), *groups[6:]])
    with pytest.raises(InputError) as refused:
        check(sample_conn, path, "group")
    said = str(refused.value)
    assert f"group {code} lies 100% outside its parent {section}" in said
    assert f"group {code} lies 100% outside the street's outline" in said


def test_a_new_group_outside_the_street_is_refused(sample_conn: Connection, tmp_path: Path) -> None:
    outline = shapely.union_all([g for *_, g in sample("communities")])
    east = outline.bounds[2]
    _, _, section, _ = sample("groups")[0]
    outside = box(east + 0.001, 27.85, east + 0.004, 27.853)
    path = write(tmp_path, [("NEW-OUT", "外", section, outside)])
    with pytest.raises(InputError, match="group NEW-OUT lies 100% outside the street's outline"):
        check(sample_conn, path, "group")


def test_a_new_community_beyond_the_street_needs_extend(
    sample_conn: Connection, tmp_path: Path
) -> None:
    outline = shapely.union_all([g for *_, g in sample("communities")])
    east = outline.bounds[2]
    beyond = box(east + 0.001, 27.85, east + 0.01, 27.86)
    path = write(tmp_path, [("GH99", "新社区", None, beyond)], "communities.geojson")
    with pytest.raises(InputError, match="community GH99 lies 100% outside the street's outline"):
        check(sample_conn, path, "community")
    result = check(sample_conn, path, "community", extend=True)
    assert result.new == ["GH99"] and [f.kind for f in result.findings] == ["outside_street"]


def test_reparenting_a_group_that_moves_households_needs_the_flag(
    sample_conn: Connection, tmp_path: Path
) -> None:
    sections = {code: (title, parent, geom) for code, title, parent, geom in sample("sections")}
    groups = sample("groups")
    # a group on the edge of its section, next to another section of the same community
    group, old, new = next(
        (code, parent, other)
        for code, _, parent, geom in groups
        for other, (_, community, shape_) in sections.items()
        if other != parent
        and community == sections[parent][1]
        and geom.intersection(shape_).length > 0.001
    )
    geom = next(g for code, _, _, g in groups if code == group)
    redrawn = [
        (
            code,
            title,
            parent,
            shape_.difference(geom)
            if code == old
            else shape_.union(geom)
            if code == new
            else shape_,
        )
        for code, (title, parent, shape_) in sections.items()
    ]
    # the sections first: the group then lies outside its old section (reported, not refused)
    areas, _ = read_boundaries(write(tmp_path, redrawn, "sections.geojson"), "section")
    drawn = check_boundaries(sample_conn, areas, "section", extend=False, move_households=False)
    assert sorted(drawn.changed) == sorted([old, new])
    assert [(f.kind, f.codes) for f in drawn.findings] == [("child_outside", (group, old))]
    upsert_areas(sample_conn, "sections", areas)  # in the test's transaction, rolled back
    moved = [(c, t, new if c == group else p, g) for c, t, p, g in groups]
    path = write(tmp_path, moved)
    with sample_conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM household h JOIN resident_group g ON g.id = h.group_id"
            " WHERE g.code = %s",
            (group,),
        )
        households = cur.fetchone()[0]  # type: ignore[index]
    assert households > 0
    with pytest.raises(InputError) as refused:
        check(sample_conn, path, "group")
    assert f"re-parenting moves {households} households to another section" in str(refused.value)
    assert f"{group} ({old} → {new}: {households})" in str(refused.value)
    result = check(sample_conn, path, "group", move_households=True)
    assert result.reparented == {group: (old, new)} and result.changed == [group]
    assert result.households_moving == {group: households}
    assert households_moved_by(sample_conn, {group: old}) == {}  # staying put moves no one


def test_the_pure_check_tolerates_slivers() -> None:
    left, right = box(0, 0, 1, 1), box(0.995, 0, 2, 1)  # 0.5 % of the smaller overlaps
    parent = box(0, 0, 2, 1)
    new = {"A": Area("P", left), "B": Area("P", right)}
    assert check_coverage(new, {}, {"P": parent}, parent) == []
    found = check_coverage(new, {}, {"P": parent}, parent, tolerance=0.001)
    assert [(f.kind, f.codes) for f in found] == [("overlap", ("A", "B"))]
