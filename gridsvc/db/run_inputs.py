"""What a run reads from the store: households and representatives as numpy-backed frames
(binary COPY), the previous run's assignment, and the words its findings use."""

from __future__ import annotations

import numpy as np
import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.binary import read_arrays

# Inputs come through binary COPY as fixed-width columns (gridsvc/db/binary.py): no NULLs
# (coalesced to -1 or 0), no text. No ORDER BY: a sequential scan is cheaper than walking the
# primary key, and the rows are put in id order in numpy.
HOUSEHOLD_COLUMNS = {
    "id": "int4",
    "group_id": "int4",
    "section_id": "int4",
    "key": "bool",
    "lon": "float8",
    "lat": "float8",
    "address_unit": "int8",
}
HOUSEHOLDS_SQL = """
    SELECT h.id, h.group_id, h.section_id, h.key_category IS NOT NULL,
           ST_X(h.geom), ST_Y(h.geom), coalesce(hashtextextended({unit}, 0), 0)
    FROM household h"""  # the community comes from the sections, in numpy: a join costs more
SECTIONS_SQL = "SELECT id, community_id FROM grid_section"
# a building unit's address: up to its stairwell (单元); without one, a unit is a point
ADDRESS_UNIT = "substring(h.address from '^(.*?单元)')"
UNIT_NAME_SQL = f"""
    SELECT h.id, coalesce({ADDRESS_UNIT}, ST_AsText(ST_SnapToGrid(h.geom, 1e-6)))
    FROM household h WHERE h.id = ANY(%s)"""

REP_COLUMNS = {
    "id": "int4",
    "group_id": "int4",
    "section_id": "int4",
    "community_id": "int4",
    "min_load": "int4",
    "max_load": "int4",
    "lon": "float8",
    "lat": "float8",
}
REPS_SQL = """
    SELECT r.id, r.group_id, g.section_id, s.community_id, coalesce(r.min_load, -1),
           coalesce(r.max_load, -1), ST_X(r.geom), ST_Y(r.geom)
    FROM representative r JOIN resident_group g ON g.id = r.group_id
    JOIN grid_section s ON s.id = g.section_id
    WHERE r.active OR r.proposed_in = %(scenario)s"""


def inputs(conn: connection, scenario: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every household and active representative (with a scenario, also the
    representatives proposed in it), each in id order.

    households: id, group_id, section_id, community_id, key, lon, lat, unit_key (an int64 key
    of its building unit: its group with its address up to the stairwell, or with its point);
    reps: id, code, group_id, section_id, community_id, min_load, max_load (NaN: the run's
    rules), lon, lat.
    """
    house = read_arrays(conn, HOUSEHOLDS_SQL.format(unit=ADDRESS_UNIT), HOUSEHOLD_COLUMNS)
    rep = read_arrays(conn, REPS_SQL, REP_COLUMNS, {"scenario": scenario})
    households = pd.DataFrame(_in_id_order(house))
    sections = read_arrays(conn, SECTIONS_SQL, {"id": "int4", "community_id": "int4"})
    community_of = np.zeros(int(sections["id"].max(initial=0)) + 1, np.int32)
    community_of[sections["id"]] = sections["community_id"]  # ids are small and dense
    households.insert(3, "community_id", community_of[households["section_id"].to_numpy()])
    households["unit_key"] = unit_keys(
        households["group_id"].to_numpy(),
        households.pop("address_unit").to_numpy(),
        households["lon"].to_numpy(),
        households["lat"].to_numpy(),
    )
    reps = pd.DataFrame(_in_id_order(rep))
    codes = labels(conn, "representative")
    reps.insert(1, "code", [codes[i] for i in reps["id"].tolist()])
    for column in ("min_load", "max_load"):
        reps[column] = reps[column].where(reps[column] >= 0).astype("float64")
    return households, reps


def _in_id_order(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    ids = columns["id"]
    if len(ids) < 2 or bool(np.all(ids[1:] > ids[:-1])):
        return columns
    order = np.argsort(ids, kind="stable")
    return {name: values[order] for name, values in columns.items()}


def unit_keys(
    group: np.ndarray, address_unit: np.ndarray, lon: np.ndarray, lat: np.ndarray
) -> np.ndarray:
    """A 64-bit key per household, equal for the households of one building unit: the group
    with the hash of the address up to its stairwell, or (no such address) with the point
    rounded to 1e-6 degrees. Keys are mixed from the values, never numbered, so that one
    block's keys do not move when another block changes (block hashes stay put)."""
    addressed = address_unit != 0
    first = np.where(addressed, address_unit, np.rint(lon * 1e6).astype(np.int64))
    second = np.where(addressed, 1, np.rint(lat * 1e6).astype(np.int64))
    key = _mix(group.astype(np.int64).view(np.uint64))
    key = _mix(key ^ first.view(np.uint64))
    key = _mix(key ^ second.view(np.uint64))
    return key.view(np.int64)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over the 64 (wrapping arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    mixed: np.ndarray = x ^ (x >> np.uint64(31))
    return mixed


def unit_names(conn: connection, household_ids: list[int]) -> dict[int, str]:
    """The building unit of some households as words: the address up to the stairwell, or
    the point (to word a finding about a unit split between representatives)."""
    with conn.cursor() as cur:
        cur.execute(UNIT_NAME_SQL, (household_ids,))
        return dict(cur.fetchall())


def labels(conn: connection, table: str) -> dict[int, str]:
    """id -> code for groups or representatives, to word the findings."""
    if table not in ("resident_group", "representative", "grid_section"):
        raise ValueError(table)
    with conn.cursor() as cur:
        cur.execute(f"SELECT id, code FROM {table}")
        return dict(cur.fetchall())


def assignment_of(conn: connection, run_id: int) -> pd.Series:
    """Representative id (or NA: uncovered) by household id, for every household of a run."""
    found = read_arrays(
        conn,
        "SELECT household_id, coalesce(representative_id, -1) FROM assignment WHERE run_id = %s",
        {"household_id": "int4", "representative_id": "int4"},
        (run_id,),
    )
    rep = found["representative_id"].astype(np.int64)
    values = pd.arrays.IntegerArray(rep, rep < 0)
    return pd.Series(values, index=found["household_id"].astype(np.int64))
