"""Issue 17 items 5, 9 and 10 in ingest: a NUL in a cell is a row rejection naming the row and
the column, spreadsheet cells are written with formulas neutralised, reports are 0600."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from gridsvc.cells import neutralise, neutralise_frame
from gridsvc.db.connection import Connection
from gridsvc.errors import InputError
from gridsvc.ingest.columns import known_headers, map_columns
from gridsvc.ingest.registers import check_rows
from gridsvc.ingest.street import read_people
from gridsvc.ingest.tables import read_table
from gridsvc.services.imports import import_register
from tests.helpers import PLANNER

KNOWN = known_headers("households")
HEADER = "户编号,户主姓名,联系电话,经度,纬度\n"


@pytest.mark.parametrize(
    "formula",
    [
        '=HYPERLINK("http://x.example","点我")',
        "=cmd|' /C calc'!A0",
        "+SUM(1,2)",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_formula_leading_cells_get_a_quote(formula: str) -> None:
    assert neutralise(formula) == "'" + formula


@pytest.mark.parametrize("kept", ["张三", "113.15", "-12.5", "+86", "1e5", "", "a=b", "张-三"])
def test_ordinary_cells_and_plain_numbers_are_kept(kept: str) -> None:
    assert neutralise(kept) == kept


def test_other_values_and_control_characters() -> None:
    assert neutralise(5) == 5 and neutralise(None) is None and neutralise(-1.5) == -1.5
    assert neutralise("a\x00b\x07c\td") == "a\ufffdb\ufffdc\td"  # XLSX cannot hold NUL or BEL


def test_a_frame_is_neutralised_cell_by_cell_and_by_column_name() -> None:
    frame = pd.DataFrame({"=name": ["=1+1", "张三"], "load": [-5, 7]})
    out = neutralise_frame(frame)
    assert list(out.columns) == ["'=name", "load"]
    assert out["'=name"].tolist() == ["'=1+1", "张三"] and out["load"].tolist() == [-5, 7]
    assert frame.iloc[0, 0] == "=1+1"  # the caller's frame is left alone


def _register(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "登记表.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_nul_in_a_csv_cell_rejects_that_row_naming_row_and_column(tmp_path: Path) -> None:
    path = _register(
        tmp_path,
        HEADER + "H1,张三,13800001111,113.15,27.85\nH2,李\x00四,13800002222,113.16,27.86\n"
        "H3,王五,13800003333,113.17,27.8\x007\n",
    )
    table = read_table(path, KNOWN)
    prepared = check_rows(table, map_columns(list(table.frame.columns), "households"), "households")
    assert prepared.rows["code"].tolist() == ["H1"]
    found = {(i.row, i.reason, i.message) for i in prepared.rejected}
    assert found == {
        (3, "nul_byte", "column '户主姓名' (head_name) contains a NUL byte"),
        (4, "nul_byte", "column '纬度' (lat) contains a NUL byte"),
    }


def test_a_nul_in_an_xlsx_cell_is_a_clear_input_error(tmp_path: Path) -> None:
    # openpyxl cannot write a NUL: put the XML reference into the sheet by hand
    plain, spoiled = tmp_path / "plain.xlsx", tmp_path / "登记表.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["户编号", "户主姓名", "经度", "纬度"])
    book.active.append(["H1", "NULHERE", "113.15", "27.85"])
    book.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(spoiled, "w") as out:
        for item in src.infolist():
            out.writestr(item, src.read(item.filename).replace(b"NULHERE", b"A&#0;B"))
    with pytest.raises(InputError, match=r"登记表\.xlsx: cannot read as XLSX"):
        read_table(spoiled, KNOWN)


def test_a_nul_in_a_street_folder_names_file_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "households.csv"
    path.write_text("code,head_name,lon,lat,group_code\nH1,张\x00三,113.1,27.8,G1\n")
    with pytest.raises(InputError, match=r"households.csv row 2: field head_name contains a NUL"):
        read_people(path, ["code", "head_name", "lon", "lat", "group_code"], {"G1"})


def test_the_import_report_is_private_and_safe_to_open(
    sample_conn: Connection, tmp_path: Path
) -> None:
    path = _register(
        tmp_path,
        "户编号,户主姓名,联系电话,地址,经度,纬度\n"
        "HX0,张三,13800001111,一号,113.15,27.85\n"
        'HX1,=HYPERLINK("http://x.example"),0731-1,二号,113.16,27.86\n'
        "HX2,李\x00四,13800002222,三号,113.16,27.86\n",
    )
    report = import_register(
        sample_conn, PLANNER, "households", path, crs="cgcs2000", report_dir=tmp_path / "reports"
    )
    assert report.accepted + len(report.rejected) == report.rows_read == 3
    assert {i.reason for i in report.rejected} >= {"invalid_phone", "nul_byte"}
    written = Path(report.report_path or "")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    text = written.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text and "\x00" not in text
