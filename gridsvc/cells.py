"""Cells bound for spreadsheets: formula-leading text neutralised the way OWASP advises."""

from __future__ import annotations

import re
from typing import TypeVar

import pandas as pd

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
# a plain number stays a number (coordinates, amounts); anything else that leads with a sign
# can be a formula: Excel runs "-2+3" and "+SUM(1,2)" as typed
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# what XML 1.0 (XLSX) cannot hold, as openpyxl refuses it; tab, LF and CR are allowed
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

T = TypeVar("T")


def neutralise(value: T) -> T | str:
    """A text cell a spreadsheet would run as a formula (leading =, +, -, @, tab or CR) gets
    a leading single quote, so that it shows as the text it is; control characters that an
    XLSX cannot hold (NUL among them) become U+FFFD. Numbers and other values are kept."""
    if not isinstance(value, str):
        return value
    text = _NOT_IN_XML.sub("\ufffd", value)
    if text.startswith(FORMULA_LEADS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell and column name neutralised (for CSV and XLSX
    exports, reports and notification lists)."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out
