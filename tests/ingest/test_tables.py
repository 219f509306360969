"""Reading registers: encodings detected, title rows skipped, headers mapped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gridsvc.errors import InputError
from gridsvc.ingest.columns import known_headers, load_overrides, map_columns
from gridsvc.ingest.registers import check_rows
from gridsvc.ingest.tables import read_table

KNOWN = known_headers("households")
TEXT = "户编号,户主姓名,经度,纬度\nH1,张三,113.15,27.85\n\n H2 ,李四㐀,113.16,27.86\n"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
def test_encodings_are_detected(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(TEXT.encode(encoding))
    table = read_table(path, KNOWN)
    assert table.encoding == expected
    assert table.frame["户主姓名"].tolist() == ["张三", "李四㐀"]
    assert table.blank_rows == 1 and list(table.frame.index) == [2, 4]


def test_gbk_is_named_gbk(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(TEXT.replace("㐀", "").encode("gbk"))
    assert read_table(path, KNOWN).encoding == "gbk"


def test_undecodable_bytes_are_refused_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xff\xfe\x80\x80 not text")
    with pytest.raises(InputError, match="neither UTF-8 nor GBK"):
        read_table(path, KNOWN)


def test_a_title_row_above_the_header_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    pd.DataFrame(
        [
            ["桂花社区居民户登记表", "", "", ""],
            ["户编号", "姓名", "经度", "纬度"],
            ["H1", "王五", "113.1", "27.8"],
        ]
    ).to_excel(path, header=False, index=False)
    table = read_table(path, KNOWN)
    assert table.header_row == 2 and table.frame.loc[3, "姓名"] == "王五"


def test_missing_columns_are_named_with_their_aliases(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        map_columns(["户编号", "户主姓名", "备注"], "households", source="r.csv")
    assert "lon (经度" in str(caught.value) and "mapping file" in str(caught.value)


def test_a_mapping_file_overrides_and_unknown_fields_are_named(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[households]\ncode = "门牌编码"\nlon = "东经"\nlat = "北纬"\n', encoding="utf-8"
    )
    cmap = map_columns(
        ["门牌编码", "东经", "北纬", "备注"], "households", load_overrides(mapping, "households")
    )
    assert cmap.used == {"code": "门牌编码", "lon": "东经", "lat": "北纬"}
    assert cmap.ignored == ["备注"]
    mapping.write_text('[households]\nhousehold = "x"\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown field"):
        load_overrides(mapping, "households")


def test_row_checks_normalise_and_name_each_fault(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "户编号,联系电话,经度,纬度,重点户类别\n"
        "H1, １３８ ００１３ ８０００ ,１１３.１５,２７.８５,低保户\n"  # full-width, spaces
        "H2,+86 139-0000-0000,27.85,113.15,残疾\n"  # swapped, +86
        "H3,12345,113.15,27.85,\n"  # bad phone
        "H4,,abc,27.85,\n"  # bad coordinate
        "H5,,,27.85,\n"  # missing coordinate
        "H6,,113.15,27.85,富裕\n"  # unknown category
        "H1,,113.15,27.85,\n"  # duplicate
        ",,113.15,27.85,\n",
        encoding="utf-8",
    )  # missing code
    table = read_table(path, KNOWN)
    prepared = check_rows(table, map_columns(list(table.frame.columns), "households"), "households")
    assert prepared.rows.loc[2, "phone"] == "13800138000"
    assert prepared.rows.loc[2, ["lon", "lat"]].tolist() == [113.15, 27.85]
    assert prepared.rows.loc[3, ["lon", "lat", "phone"]].tolist() == [113.15, 27.85, "13900000000"]
    assert prepared.rows.loc[2, "key_category"] == "低保"
    assert prepared.rows.loc[3, "key_category"] == "残障"
    reasons = {i.row: i.reason for i in prepared.rejected}
    assert reasons == {
        4: "invalid_phone",
        5: "bad_coordinates",
        6: "missing_coordinates",
        7: "unknown_key_category",
        8: "duplicate_code",
        9: "missing_code",
    }
    assert [w.reason for w in prepared.warnings] == ["swapped_coordinates"]
