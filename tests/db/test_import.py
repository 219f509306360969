"""Importing registers and boundaries as street offices bring them, into the real store."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from gridsvc.coords import from_cgcs2000, gauss_kruger_epsg, to_metric
from gridsvc.db import imports, queries
from gridsvc.db.connection import Connection
from gridsvc.db.frames import read_frame
from gridsvc.errors import InputError
from gridsvc.services.imports import import_boundaries, import_register
from tests.conftest import SAMPLE
from tests.helpers import PLANNER

FAULTS = {  # reason -> how a row is spoiled
    "missing_coordinates": lambda r: r.update(经度=""),
    "bad_coordinates": lambda r: r.update(纬度="二十七"),
    "outside_street": lambda r: r.update(经度="113.60"),
    "invalid_phone": lambda r: r.update(联系电话="0731-1234"),
    "unknown_key_category": lambda r: r.update(重点户类别="富裕户"),
    "missing_code": lambda r: r.update(户编号=""),
}


@pytest.fixture(scope="module")
def originals() -> pd.DataFrame:
    """Sample households spread over the whole street, under new codes."""
    frame = pd.read_csv(SAMPLE / "households.csv", dtype={"phone": str})
    picked = frame.sample(n=1200, random_state=5).reset_index(drop=True)
    return picked.assign(code=[f"N{i:05d}" for i in range(len(picked))])


def register(originals: pd.DataFrame, system: str, *, faults: bool) -> pd.DataFrame:
    """A register as an app exports it: Chinese headers, coordinates in `system`."""
    lon, lat = from_cgcs2000(originals["lon"], originals["lat"], system)
    rows = [
        {
            "户编号": r.code,
            "户主姓名": f" {r.head_name} ",
            "联系电话": r.phone,
            "家庭住址": r.address,
            "经度": f"{x:.7f}",
            "纬度": f"{y:.7f}",
            "重点户类别": r.key_category if isinstance(r.key_category, str) else "",
            "备注": "",
        }
        for r, x, y in zip(originals.itertuples(), lon, lat, strict=True)
    ]
    if faults:
        rows[0]["联系电话"] = rows[0]["联系电话"].translate(
            str.maketrans("0123456789", "０１２３４５６７８９")
        )
        rows[1]["经度"], rows[1]["纬度"] = rows[1]["纬度"], rows[1]["经度"]
        for i, spoil in enumerate(FAULTS.values(), start=10):
            spoil(rows[i])
        rows.append(dict(rows[20]))  # the same code again
    return pd.DataFrame(rows)


def write_gbk_csv(frame: pd.DataFrame, path: Path) -> Path:
    """GBK CSV with a title row above the header and blank lines, as community systems do."""
    body = frame.to_csv(index=False, lineterminator="\n")
    lines = body.splitlines()
    text = "桂花街道居民户登记表\n" + "\n".join([*lines[:400], "", *lines[400:], "", ""])
    path.write_bytes(text.encode("gbk"))
    return path


@pytest.fixture
def store(sample_conn: Connection) -> Connection:
    with sample_conn.cursor() as cur:
        cur.execute("DELETE FROM assignment; DELETE FROM household WHERE code LIKE 'N%%'")
    sample_conn.commit()
    return sample_conn


def stored_points(conn: Connection, codes: list[str]) -> pd.DataFrame:
    return read_frame(
        conn,
        """SELECT h.code, g.code AS group_code, ST_X(h.geom) AS lon,
        ST_Y(h.geom) AS lat, h.phone FROM household h JOIN resident_group g ON g.id = h.group_id
        WHERE h.code = ANY(%s)""",
        (codes,),
    ).set_index("code")


def test_gbk_csv_with_gcj02_lands_in_the_right_groups(
    store: Connection, originals, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = write_gbk_csv(register(originals, "gcj02", faults=True), tmp_path / "登记表.csv")
    report = import_register(store, PLANNER, "households", path, report_dir=tmp_path)
    assert report.encoding == "gbk" and report.crs == "gcj02"
    assert report.crs_fractions["gcj02"]["inside"] > report.crs_fractions["wgs84"]["inside"]
    assert report.rows_read == 1201 and report.blank_rows == 2
    assert report.accepted + len(report.rejected) == report.rows_read
    assert report.rejected_by_reason() == {**dict.fromkeys(FAULTS, 1), "duplicate_code": 1}
    assert report.new == 1201 - 7 and report.warnings_by_reason()["swapped_coordinates"] == 1
    good = originals.drop(index=range(10, 16))
    stored = stored_points(store, good["code"].tolist()).loc[good["code"]]
    assert (stored["group_code"].to_numpy() == good["group_code"].to_numpy()).all()
    epsg = gauss_kruger_epsg(113.15)
    x0, y0 = to_metric(good["lon"], good["lat"], epsg)
    x1, y1 = to_metric(stored["lon"], stored["lat"], epsg)
    assert np.hypot(x1 - x0, y1 - y0).max() < 0.5
    assert stored.loc[originals.loc[0, "code"], "phone"] == originals.loc[0, "phone"]
    issues = pd.read_csv(report.report_path, encoding="utf-8-sig", dtype=str)
    assert Path(report.report_path).read_bytes().startswith(b"\xef\xbb\xbf")
    rejected = issues[issues["status"] == "rejected"]
    assert len(rejected) == 7 and set(rejected.columns) >= {"row", "reason", "户编号", "经度"}
    assert "0731-1234" in issues.loc[issues["reason"] == "invalid_phone", "联系电话"].iloc[0]


def test_bd09_xlsx_is_recognised_and_converted(
    store: Connection, originals, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "baidu.xlsx"
    register(originals, "bd09", faults=False).to_excel(path, index=False)
    report = import_register(store, PLANNER, "households", path, report_dir=tmp_path)
    assert report.crs == "bd09" and report.new == len(originals) and not report.rejected
    stored = stored_points(store, originals["code"].tolist()).loc[originals["code"]]
    epsg = gauss_kruger_epsg(113.15)
    x0, y0 = to_metric(originals["lon"], originals["lat"], epsg)
    x1, y1 = to_metric(stored["lon"], stored["lat"], epsg)
    assert np.hypot(x1 - x0, y1 - y0).max() < 0.5


def test_reimport_changes_nothing_and_an_update_reports_who_moved(
    store: Connection, originals, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    frame = register(originals, "gcj02", faults=False)
    first = import_register(store, PLANNER, "households", write_gbk_csv(frame, tmp_path / "a.csv"))
    before = queries.counts(store)
    again = import_register(store, PLANNER, "households", write_gbk_csv(frame, tmp_path / "b.csv"))
    assert (again.new, again.updated, again.unchanged) == (0, 0, first.accepted)
    assert queries.counts(store) == before
    changed = frame.copy()
    for i in (3, 4, 5):  # three households move to another register's home
        changed.loc[i, ["经度", "纬度"]] = frame.loc[i + 100, ["经度", "纬度"]].to_numpy()
    changed.loc[7, "联系电话"] = "13900001111"
    update = import_register(
        store, PLANNER, "households", write_gbk_csv(changed, tmp_path / "c.csv"), crs="gcj02"
    )
    assert (update.updated, update.new) == (4, 0)
    assert sorted(update.moved) == sorted(frame.loc[[3, 4, 5], "户编号"])


def test_an_import_killed_halfway_leaves_the_store_unchanged(
    store: Connection, originals, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    before = queries.counts(store)
    batches = read_frame(store, "SELECT count(*) AS n FROM import_batch")["n"][0]

    def crash(*_: object) -> None:
        raise RuntimeError("power cut (injected)")

    monkeypatch.setattr(imports, "record_batch", crash)  # after the upsert, before commit
    path = write_gbk_csv(register(originals, "gcj02", faults=False), tmp_path / "r.csv")
    with pytest.raises(RuntimeError):
        import_register(store, PLANNER, "households", path)
    assert queries.counts(store) == before
    assert read_frame(store, "SELECT count(*) AS n FROM import_batch")["n"][0] == batches


def test_english_headers_utf8_bom_representatives(store: Connection, tmp_path: Path) -> None:
    reps = pd.read_csv(SAMPLE / "representatives.csv", dtype={"phone": str}).head(50)
    reps = reps.assign(code=[f"NR{i:03d}" for i in range(50)], party_member="是")
    reps.loc[5, "group_code"] = "GH99-S09-G09"
    path = tmp_path / "reps.csv"
    reps.to_csv(path, index=False, encoding="utf-8-sig")
    report = import_register(store, PLANNER, "representatives", path, crs="wgs84")
    assert report.encoding == "utf-8-sig" and report.new == 49
    assert report.rejected_by_reason() == {"unknown_group": 1}
    assert "GH99-S09-G09" in report.rejected[0].message
    with store.cursor() as cur:
        cur.execute("DELETE FROM representative WHERE code LIKE 'NR%%'")
    store.commit()


def test_new_only_rejects_codes_already_in_the_store(
    store: Connection, originals, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    frame = register(originals.head(20), "wgs84", faults=False)
    frame.loc[0, "户编号"] = "H000001"
    path = tmp_path / "n.xlsx"
    frame.to_excel(path, index=False)
    report = import_register(store, PLANNER, "households", path, crs="wgs84", new_only=True)
    assert report.rejected_by_reason() == {"duplicate_code_in_store": 1} and report.new == 19


def test_auto_refuses_to_guess_on_a_tiny_local_register(
    store: Connection, originals, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    one_group = originals[originals["group_code"] == originals["group_code"].iloc[0]].head(3)
    path = tmp_path / "tiny.xlsx"
    register(one_group, "gcj02", faults=False).to_excel(path, index=False)
    with pytest.raises(InputError, match="cannot tell"):
        import_register(store, PLANNER, "households", path)


@pytest.mark.parametrize("driver", ["GPKG", "ESRI Shapefile"])
def test_boundaries_from_geopackage_and_shapefile(
    store: Connection, tmp_path: Path, driver: str
) -> None:
    groups = gpd.read_file(SAMPLE / "groups.geojson")
    renamed = groups.assign(name=groups["name"] + "(新)")
    if driver == "GPKG":
        renamed = renamed.rename(
            columns={"code": "编码", "name": "名称", "parent_code": "上级编码"}
        )
    path = tmp_path / ("groups.gpkg" if driver == "GPKG" else "groups.shp")
    renamed.to_crs(4547).to_file(path, driver=driver, engine="pyogrio", encoding="utf-8")
    counts = import_boundaries(store, PLANNER, path, "group")
    assert counts["features"] == 122
    back = read_frame(
        store,
        """SELECT g.code, g.name,
        ST_Area(ST_SymDifference(g.geom, ST_GeomFromText(%s, 4490))::geography) AS diff
        FROM resident_group g WHERE g.code = %s""",
        (groups.geometry.iloc[0].wkt, groups["code"].iloc[0]),
    )
    assert back["name"][0].endswith("(新)") and back["diff"][0] < 1.0
    orphan = groups.head(1).assign(parent_code="GH99-S99")
    orphan.to_file(tmp_path / "orphan.gpkg", driver="GPKG", engine="pyogrio")
    with pytest.raises(InputError, match="GH99-S99"):
        import_boundaries(store, PLANNER, tmp_path / "orphan.gpkg", "group")


def test_a_register_without_addresses_or_names_imports(store: Connection, tmp_path: Path) -> None:
    """Columns a register may lack are empty, not a database error."""
    path = tmp_path / "bare.csv"
    path.write_text("户编号,经度,纬度\nBARE1,113.15,27.85\n", encoding="utf-8")
    report = import_register(store, PLANNER, "households", path, crs="cgcs2000")
    assert report.accepted + len(report.rejected) == 1
