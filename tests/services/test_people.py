"""The organisation's people: a roster imported with faults named, history kept when a chief
changes, whom a household can call, and the places without their head."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from gridsvc.access import PUBLIC, Actor, Role
from gridsvc.db.connection import Connection
from gridsvc.sample_people import generate_roster
from gridsvc.services import people
from tests.helpers import PLANNER, assign

HEADER = "姓名,联系电话,职务,所属网格编码,任职日期\n"


def street_roster(folder: Path) -> pd.DataFrame:
    areas = {
        level: gpd.read_file(folder / f"{level}.geojson")
        for level in ("communities", "sections", "groups")
    }
    reps = pd.read_csv(folder / "representatives.csv", dtype=str)
    return generate_roster(areas["communities"], areas["sections"], areas["groups"], reps, 1)


def test_a_roster_with_faulty_rows_names_each(
    small_street: Connection, small_street_folder: Path, tmp_path: Path
) -> None:
    section = pd.read_csv(small_street_folder / "households.csv")["group_code"][0][:8]
    path = tmp_path / "roster.csv"
    path.write_text(
        HEADER
        + f"王芳,13900000001,片区网格长,{section},2024-01-01\n"
        + "李强,13900000002,网格员,NO-SUCH,2024-01-01\n"
        + f"张伟,12345,网格员,{section},2024-01-01\n"
        + f"王芳,13900000001,片区网格长,{section},2024-01-01\n"
        + f"赵敏,13900000003,大队长,{section},\n"
        + f"刘洋,13900000004,网格员,{section},昨天\n",
        encoding="gbk",
    )
    report = people.import_roster(small_street, PLANNER, path)
    assert report.rows_read == 6 and report.accepted == 1
    reasons = {i.row: i.reason for i in report.rejected}
    assert reasons == {
        3: "unknown_area",
        4: "invalid_phone",
        5: "duplicate_person",
        6: "unknown_role",
        7: "invalid_date",
    }


def test_history_is_kept_when_a_chief_changes(
    small_street: Connection, small_street_folder: Path, tmp_path: Path
) -> None:
    section = pd.read_csv(small_street_folder / "households.csv")["group_code"][0][:8]
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(HEADER + f"王芳,13900000001,片区网格长,{section},2024-01-01\n", "utf-8")
    second.write_text(HEADER + f"陈静,13900000009,片区网格长,{section},2026-03-01\n", "utf-8")
    people.import_roster(small_street, PLANNER, first)
    changed = people.import_roster(small_street, PLANNER, second)
    assert changed.roles_ended == 1
    now = [
        p for p in people.section_people(small_street, PLANNER, section) if p.role == "片区网格长"
    ]
    assert [p.name for p in now] == ["陈静"]
    history = people.section_people(small_street, PLANNER, section, history=True)
    ended = [p for p in history if p.name == "王芳"]
    assert ended and ended[0].end_date == "2026-03-01"


def test_a_household_reaches_its_representative_leader_and_chief(
    small_street: Connection, small_street_folder: Path, tmp_path: Path
) -> None:
    path = tmp_path / "roster.csv"
    roster = street_roster(small_street_folder)
    roster.to_csv(path, index=False)
    report = people.import_roster(small_street, PLANNER, path)
    assert report.accepted == len(roster) and not report.rejected
    assign(small_street, fresh=True)
    household = pd.read_csv(small_street_folder / "households.csv")["code"][0]
    viewer = Actor("community system", Role.viewer)
    contacts = people.household_contacts(small_street, viewer, household)
    assert contacts.representative is not None and contacts.section_chief is not None
    assert contacts.group_leader is not None
    assert "*" not in (contacts.section_chief.phone or "*")  # to be reached: in full
    workers = [
        p
        for p in people.section_people(small_street, PUBLIC, contacts.section_chief.area_code)
        if p.role == "网格员"
    ]
    assert workers and all("****" in (w.phone or "") for w in workers)
    assert people.gaps(small_street, PLANNER).empty


def test_the_gaps_name_places_without_their_head(small_street: Connection) -> None:
    missing = people.gaps(small_street, PLANNER)
    assert set(missing["missing"]) == {"总网格长", "片区网格长", "小组长"}
    assert (missing["level"] == "section").sum() == 4 and (missing["level"] == "group").sum() == 8


def test_the_card_and_the_org_chart_name_the_chief(
    small_street: Connection, small_street_folder: Path, tmp_path: Path
) -> None:
    """Printed (PDF, read back): the section chief's name and phone on every card and on the
    organisation chart, with the director and group leaders."""
    import subprocess

    from gridsvc.services.maps import render_files

    path = tmp_path / "roster.csv"
    roster = street_roster(small_street_folder)
    roster.to_csv(path, index=False)
    people.import_roster(small_street, PLANNER, path)
    assign(small_street, fresh=True)
    chief = roster[roster["职务"] == "片区网格长"].iloc[0]
    section = str(chief["所属网格编码"])
    render_files(
        small_street, PLANNER, tmp_path / "out", sections=[section], formats=("html", "pdf"),
        draft=True, with_overview=False, atlas=False,
    )  # fmt: skip

    def text(kind: str) -> str:
        pdf = tmp_path / "out" / kind / f"{section}.pdf"
        out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
        return out.stdout.replace(" ", "").replace("\n", "")

    cards, chart = text("cards"), text("orgcharts")
    assert f"片区网格长{chief['姓名']}{chief['联系电话']}" in cards
    assert chief["姓名"] in chart and chief["联系电话"] in chart
    leaders = roster[(roster["职务"] == "小组长") & roster["所属网格编码"].str.startswith(section)]
    assert all(name in chart for name in leaders["姓名"])
