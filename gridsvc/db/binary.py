"""Bulk reads and writes of fixed-width columns through binary COPY, straight to and from numpy.

PostgreSQL's binary COPY format puts every field as a 4-byte length and its bytes, big-endian
(https://www.postgresql.org/docs/15/sql-copy.html, "Binary Format"). When every column has a
fixed width and no NULLs, every row has the same layout, so a whole result is one numpy
structured array: no Python object per value, no text to format or parse on either side.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np
from psycopg2 import sql
from psycopg2.extensions import connection

from gridsvc.db.frames import Params

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER = SIGNATURE + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"  # no flags, no extension
TRAILER = b"\xff\xff"  # a field count of -1 ends the data
CHUNK = 1 << 20  # bytes handed to the server per read: fewer Python calls than the 8 KB default

# the binary form of each SQL type that these helpers carry, by the numpy dtype that holds it
WIRE = {
    "int4": ">i4",
    "int8": ">i8",
    "float8": ">f8",
    "bool": "?",
}
EWKB_POINT = np.dtype(
    [("order", "u1"), ("kind", "<u4"), ("srid", "<u4"), ("x", "<f8"), ("y", "<f8")]
)
EWKB_POINT_WITH_SRID = 0x20000001  # wkbPoint with PostGIS's SRID flag


def read_arrays(
    conn: connection, query: str, types: Mapping[str, str], params: Params = None
) -> dict[str, np.ndarray]:
    """Run `query` (its columns in the order and of the SQL types of `types`: int4, int8,
    float8, bool; none NULL) through binary COPY; return each column as a native numpy array.
    Values are bound client-side as psycopg2 does for any query (COPY takes no parameters)."""
    names = list(types)
    row = _row_dtype([(name, WIRE[types[name]]) for name in names])
    with conn.cursor() as cur:
        statement = cur.mogrify(query, params).decode()
        buffer = io.BytesIO()
        cur.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT binary)", buffer, CHUNK)
    data = buffer.getbuffer()
    start = _data_start(data)
    body = len(data) - start - len(TRAILER)
    if body < 0 or body % row.itemsize:
        raise ValueError(
            "binary COPY: the rows do not have the expected fixed width (a NULL, or a column"
            " of another type)"
        )
    rows = np.frombuffer(data, row, body // row.itemsize, start)
    if len(rows) and (
        np.any(rows["n"] != len(names))
        or any(
            np.any(rows[f"len_{name}"] != np.dtype(WIRE[types[name]]).itemsize) for name in names
        )
    ):
        raise ValueError("binary COPY: a NULL or a column of an unexpected type")
    return {
        name: rows[name].astype(np.dtype(WIRE[types[name]]).newbyteorder("=")) for name in names
    }


def copy_arrays(
    conn: connection,
    table: str,
    columns: Mapping[str, np.ndarray],
    types: Mapping[str, str],
    valid: Mapping[str, np.ndarray] | None = None,
) -> int:
    """COPY rows into `table` in binary: `columns` name -> values (all of one length), `types`
    name -> int4, int8, float8, bool or 'ewkb:N' (bytes of N, e.g. from `ewkb_points`);
    `valid` name -> where the value is not NULL. Rows may land in any order. Returns the count.
    """
    names = list(columns)
    n = len(next(iter(columns.values()))) if names else 0
    valid = dict(valid or {})
    nullable = [name for name in names if name in valid]
    pattern = np.zeros(n, np.int64)
    for bit, name in enumerate(nullable):
        pattern |= (~np.asarray(valid[name], bool)).astype(np.int64) << bit
    parts: list[bytes | np.ndarray] = [HEADER]
    for code in np.unique(pattern):
        picked = np.flatnonzero(pattern == code)
        nulls = {name for bit, name in enumerate(nullable) if code >> bit & 1}
        parts.append(_encode(names, columns, types, nulls, picked))
    parts.append(TRAILER)
    target = sql.SQL("{} ({})").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    with conn.cursor() as cur:
        statement = sql.SQL("COPY {} FROM STDIN WITH (FORMAT binary)").format(target)
        cur.copy_expert(statement.as_string(cur), _Chunks(parts), CHUNK)
    return n


class _Chunks(io.RawIOBase):
    """The encoded parts read one after the other, without joining them into one more copy
    (a million assignment rows are 76 MB)."""

    def __init__(self, parts: list[bytes | np.ndarray]) -> None:
        self._parts = [
            memoryview(part if isinstance(part, bytes) else part.data)
            for part in parts
            if len(part)
        ]
        self._at = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if not self._parts:
            return b""
        part = self._parts[0]
        if size < 0 or size >= len(part) - self._at:
            chunk = part[self._at :]
            self._parts.pop(0)
            self._at = 0
        else:
            chunk = part[self._at : self._at + size]
            self._at += size
        return bytes(chunk)


def ewkb_points(x: np.ndarray, y: np.ndarray, srid: int) -> np.ndarray:
    """Points as EWKB (little-endian, with SRID), as PostGIS's geometry reads them in binary."""
    points = np.empty(len(x), EWKB_POINT)
    points["order"] = 1
    points["kind"] = EWKB_POINT_WITH_SRID
    points["srid"] = srid
    points["x"] = x
    points["y"] = y
    return points.view(f"V{EWKB_POINT.itemsize}")


def _encode(
    names: Sequence[str],
    columns: Mapping[str, np.ndarray],
    types: Mapping[str, str],
    nulls: set[str],
    picked: np.ndarray,
) -> np.ndarray:
    """The rows `picked`, whose NULL columns are `nulls`, in the wire layout (as bytes)."""
    fields: list[tuple[str, str]] = []
    for name in names:
        if name not in nulls:
            fields.append((name, _wire(types[name])))
    rows = np.empty(len(picked), _row_dtype(fields, with_null=nulls, order=names))
    rows["n"] = len(names)
    for name in names:
        if name in nulls:
            rows[f"len_{name}"] = -1
        else:
            rows[f"len_{name}"] = np.dtype(_wire(types[name])).itemsize
            rows[name] = np.asarray(columns[name])[picked]
    return rows.view(np.uint8)


def _wire(kind: str) -> str:
    if kind.startswith("ewkb:"):
        return f"V{int(kind.split(':', 1)[1])}"
    return WIRE[kind]


def _row_dtype(
    fields: list[tuple[str, str]],
    with_null: set[str] | None = None,
    order: Sequence[str] | None = None,
) -> np.dtype:
    """A packed row: the field count, then each field's length and (unless NULL) its value."""
    wire = dict(fields)
    layout: list[tuple[str, str]] = [("n", ">i2")]
    for name in order or [name for name, _ in fields]:
        layout.append((f"len_{name}", ">i4"))
        if not with_null or name not in with_null:
            layout.append((name, wire[name]))
    return np.dtype(layout)


def _data_start(data: memoryview) -> int:
    """Where the rows begin, after the signature, the flags and the header extension."""
    if bytes(data[: len(SIGNATURE)]) != SIGNATURE:
        raise ValueError("binary COPY: not PostgreSQL's binary format")
    extension = int.from_bytes(data[len(SIGNATURE) + 4 : len(SIGNATURE) + 8], "big")
    return len(SIGNATURE) + 8 + extension
