"""The generated sample street: counts, shapes and people as the issue asks, reproducibly."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import shapely

from gridsvc import sample
from tests.conftest import SAMPLE

PHONE = re.compile(r"^1[3-9]\d{9}$")


@pytest.fixture(scope="module")
def street() -> dict:
    return sample.generate()


def test_counts_are_guihua_streets(street: dict) -> None:
    counts = street["meta"]["counts"]
    assert (counts["communities"], counts["sections"], counts["groups"]) == (8, 38, 122)
    assert counts["representatives"] == 1051
    assert 10_000 <= counts["households"] <= 11_000
    assert 0.07 <= counts["key_households"] / counts["households"] <= 0.09


def test_levels_tile_without_gaps_or_overlaps(street: dict) -> None:
    for level in ("groups", "sections", "communities"):
        geoms = street[level].geometry.values
        assert all(g.is_valid for g in geoms)
        assert shapely.coverage_is_valid(geoms), level
    street_area = street["communities"].union_all()
    assert len(shapely.get_parts(street_area)) == 1
    assert not list(shapely.get_parts(street_area)[0].interiors)


def test_every_group_is_servable(street: dict) -> None:
    houses = street["households"].groupby("group_code").size()
    reps = street["representatives"].groupby("group_code").size()
    assert set(houses.index) == set(reps.index) == set(street["groups"]["code"])
    assert ((houses >= 5 * reps) & (houses <= 15 * reps)).all()


def test_people_look_real(street: dict) -> None:
    houses, reps = street["households"], street["representatives"]
    assert houses["phone"].str.match(PHONE).all() and reps["phone"].str.match(PHONE).all()
    assert houses["head_name"].str.len().between(2, 3).all()
    compound = houses["address"].str.contains(r"\d+栋\d+单元\d+室")
    village = houses["address"].str.contains(r"村\d+组\d+号")
    assert (compound | village).all() and compound.any() and village.any()
    assert set(houses["key_category"].dropna()) <= {"低保", "残障", "独居老人", "孤儿"}
    assert 0.45 < reps["party_member"].mean() < 0.65
    assert houses["code"].is_unique and reps["code"].is_unique


def test_same_seed_same_street_and_committed_copy_is_current(street: dict) -> None:
    again = sample.generate()
    pd.testing.assert_frame_equal(street["households"], again["households"])
    committed = pd.read_csv(SAMPLE / "households.csv", dtype={"phone": str})
    assert list(committed["code"]) == list(street["households"]["code"])
    assert (committed["lon"] - street["households"]["lon"]).abs().max() < 1e-6
    assert (committed["phone"] == street["households"]["phone"]).all()


def test_a_small_street_can_be_generated() -> None:
    spec = sample.StreetSpec(
        communities=2, sections=3, groups=6, representatives=30, villages=1, radius_m=600
    )
    small = sample.generate(seed=7, spec=spec)
    assert small["meta"]["counts"]["groups"] == 6
    assert len(small["representatives"]) == 30
