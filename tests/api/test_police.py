"""The look-ups' fast path of the policy (`police`) decides as `apply_record` does, for every
role, scope and kind of record: its decisions come from FIELD_POLICY, not a table of its own."""

from __future__ import annotations

import itertools

import pytest

from gridsvc.access import COLUMNS, REP_COLUMNS, Actor, Role, Scope, apply_record, police

HOUSEHOLD = {
    "code": "H1",
    "head_name": "张三丰",
    "phone": "13812345678",
    "address": "桂花路1号",
    "key_category": "低保",
    "lon": 113.1234567,
    "lat": 27.8456789,
    "rep_code": "R1",
    "rep_name": "李四",
    "rep_phone": "13900001111",
    "rep_publish_phone": False,
    "rep_lon": 113.12,
    "rep_lat": 27.84,
    "distance_m": 88.0,
    "community_code": "C1",
    "section_code": "C1-S1",
}
REPRESENTATIVE = {
    "code": "R1",
    "name": "李四",
    "phone": "13900001111",
    "publish_phone": True,
    "lon": 113.12,
    "lat": 27.84,
    "community_code": "C1",
    "section_code": "C1-S1",
}
SCOPES = [
    Scope(),
    Scope("community", "C1"),
    Scope("community", "C2"),
    Scope("section", "C1-S1"),
    Scope("representative", "R1"),
    Scope("representative", "R2"),
]


@pytest.mark.parametrize(("role", "scope"), list(itertools.product([r for r in Role], SCOPES)))
def test_police_equals_apply_record(role: Role, scope: Scope) -> None:
    actor = Actor("someone", role, scope)
    for record, columns in ((HOUSEHOLD, COLUMNS), (REPRESENTATIVE, REP_COLUMNS)):
        for variant in (record, {**record, "rep_publish_phone": True, "publish_phone": False}):
            expected = apply_record(actor, variant, columns)
            assert police(actor, dict(variant), columns) == expected
            assert police(actor, dict(variant), columns) == expected  # from the cached plan


def test_police_masks_a_viewer_as_the_table_says() -> None:
    seen = police(Actor("v", Role.viewer), dict(HOUSEHOLD))
    assert seen["head_name"] == "张**" and seen["phone"] == "138****5678"
    assert seen["key_category"] is None and seen["rep_phone"] is None  # not published
    assert seen["lon"] != HOUSEHOLD["lon"] and abs(seen["lon"] - HOUSEHOLD["lon"]) < 0.0005
