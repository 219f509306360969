"""Read a register as people export it: CSV (UTF-8, UTF-8 BOM, GBK/GB18030), XLSX or XLS."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gridsvc.errors import InputError

TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx": "openpyxl", ".xlsm": "openpyxl", ".xls": "xlrd"}
HEADER_SEARCH_ROWS = 10


@dataclass
class RawTable:
    """The file's rows as text, numbered as a spreadsheet shows them."""

    frame: pd.DataFrame  # every cell a str; index = the row number in the file (1-based)
    encoding: str
    header_row: int
    blank_rows: int
    checksum: str


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Text and its encoding: UTF-8 (with or without BOM) if it decodes strictly, else GB18030
    (a superset of GBK and GB2312); anything else is refused, never guessed."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: neither UTF-8 nor GBK/GB18030 (undecodable byte at "
            f"offset {exc.start}); save it as UTF-8 CSV or XLSX"
        ) from None
    return text, "gbk" if _fits_gbk(text) else "gb18030"


def _fits_gbk(text: str) -> bool:
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def read_table(path: Path, known_headers: set[str]) -> RawTable:
    """Read every cell as text; the header is the first of the top rows naming known columns
    (registers often carry a title row above it)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file is missing") from None
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        try:
            grid = pd.read_excel(
                io.BytesIO(data),
                header=None,
                dtype=str,
                engine=EXCEL_SUFFIXES[suffix],
                keep_default_na=False,
            )
        except Exception as exc:  # openpyxl/xlrd raise many kinds for a damaged file
            raise InputError(f"{path}: cannot read as {suffix[1:].upper()} ({exc})") from None
        encoding = suffix[1:]
    elif suffix in TEXT_SUFFIXES:
        text, encoding = decode(data, path)
        sep = "\t" if suffix == ".tsv" else _separator(text)
        grid = _fast_grid(text, sep)
        if grid is None:
            try:
                rows = list(csv.reader(io.StringIO(text), delimiter=sep))
            except csv.Error as exc:
                raise InputError(f"{path}: not a readable CSV ({exc})") from None
            width = max((len(r) for r in rows), default=0)
            grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)
    else:
        raise InputError(
            f"{path}: unsupported file type {suffix or '(none)'}; use CSV, XLSX or XLS"
        )
    grid = grid.fillna("")
    grid.index = grid.index + 1
    header_row = _header_row(grid, known_headers, path)
    header = [str(h).strip() for h in grid.loc[header_row]]
    body = grid.loc[header_row + 1 :].copy()
    body.columns = _unique(header)
    blank = ~body.apply(lambda column: column.astype(str).str.strip().ne("")).any(axis=1)
    return RawTable(
        body[~blank].fillna(""),
        encoding,
        int(header_row),
        int(blank.sum()),
        hashlib.sha256(data).hexdigest(),
    )


def _fast_grid(text: str, sep: str) -> pd.DataFrame | None:
    """The rows as the csv module reads them, by pandas' C parser (ten times faster on a large
    register): as wide as the widest of the first rows, a blank line a row of empty cells.
    None when it cannot say the same (a wider row further down, a separator it does not take):
    the caller then reads with the csv module."""
    if sep not in (",", "\t", ";") or not text:
        return None
    head = list(csv.reader(io.StringIO("\n".join(text.splitlines()[:50])), delimiter=sep))
    width = max((len(r) for r in head), default=0)
    if width == 0:
        return None
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            names=list(range(width)),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, csv.Error, ValueError):
        return None
    return grid.fillna("")


def _separator(text: str) -> str:
    """The most used of comma, tab, semicolon and Chinese comma in the first lines."""
    head = "\n".join(text.splitlines()[: HEADER_SEARCH_ROWS + 5])
    return max([",", "\t", ";", "，"], key=head.count)


def _header_row(grid: pd.DataFrame, known: set[str], path: Path) -> int:
    for row in grid.index[:HEADER_SEARCH_ROWS]:
        names = {_norm_header(v) for v in grid.loc[row]}
        if len(names & known) >= 2:
            return int(row)
    raise InputError(
        f"{path}: no header row found in the first {HEADER_SEARCH_ROWS} rows "
        "(expected column names such as 户编号, 姓名, 经度, 纬度)"
    )


def _norm_header(value: object) -> str:
    return str(value).strip().lower().replace(" ", "").replace("\u3000", "")


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        name = name or "(blank)"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}.{seen[name]}")
    return out
