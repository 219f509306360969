"""Reading query results: as DataFrames for tables, as dicts for the hot look-ups."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from psycopg2 import sql
from psycopg2.extensions import connection

Params = Sequence[Any] | Mapping[str, Any] | None


def read_frame(
    conn: connection, query: str | sql.Composable, params: Params = None
) -> pd.DataFrame:
    """A query's rows as a DataFrame, with the query's column names."""
    with conn.cursor() as cur:
        cur.execute(query, params)
        columns = [c.name for c in cur.description]  # type: ignore[union-attr]
        return pd.DataFrame(cur.fetchall(), columns=columns)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with None for SQL NULL (pandas would give NaN)."""
    found: list[dict[str, Any]] = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return found


def rows(conn: connection, query: str, params: Params = None) -> list[dict[str, Any]]:
    """Rows as dicts straight from the cursor: look-ups are too hot for a DataFrame."""
    with conn.cursor() as cur:
        cur.execute(query, params)
        names = [c.name for c in cur.description]  # type: ignore[union-attr]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def one(conn: connection, query: str, params: Params = None) -> dict[str, Any] | None:
    """The first row as a dict, or None."""
    found = rows(conn, query, params)
    return found[0] if found else None


def copy_frame(
    conn: connection, table: str, frame: pd.DataFrame, columns: list[str] | None = None
) -> None:
    """COPY a DataFrame into `table` (into `columns`, else the table's columns in order) as
    CSV: the one bulk-write path of the store."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False)
    buffer.seek(0)
    target: sql.Composable = sql.Identifier(table)
    if columns:
        target = sql.SQL("{} ({})").format(target, sql.SQL(", ").join(map(sql.Identifier, columns)))
    statement = sql.SQL("COPY {} FROM STDIN WITH (FORMAT csv)").format(target)
    with conn.cursor() as cur:
        cur.copy_expert(statement.as_string(cur), buffer)
