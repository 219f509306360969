"""The roll-up audit of the run in force at five levels, worst places first."""

from __future__ import annotations

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.runs import IN_FORCE, read_frame
from gridsvc.errors import InputError

LEVELS = ("street", "community", "section", "group", "representative")

HOUSEHOLDS_SQL = f"""
    SELECT c.code AS community, s.code AS section, g.code AS "group",
           r.code AS representative, h.key_category IS NOT NULL AS key,
           a.representative_id IS NOT NULL AS covered, coalesce(a.cross_group, false) AS crossing,
           a.distance_m
    FROM household h JOIN resident_group g ON g.id = h.group_id
    JOIN grid_section s ON s.id = h.section_id JOIN community c ON c.id = s.community_id
    LEFT JOIN assignment a ON a.household_id = h.id AND a.run_id = {IN_FORCE}
    LEFT JOIN representative r ON r.id = a.representative_id"""

REPS_SQL = f"""
    SELECT c.code AS community, s.code AS section, g.code AS "group", r.code AS representative,
           count(a.household_id) AS load, coalesce(r.min_load, %(min)s) AS min_load,
           coalesce(r.max_load, %(max)s) AS max_load
    FROM representative r JOIN resident_group g ON g.id = r.group_id
    JOIN grid_section s ON s.id = g.section_id JOIN community c ON c.id = s.community_id
    LEFT JOIN assignment a ON a.representative_id = r.id AND a.run_id = {IN_FORCE}
    WHERE r.active GROUP BY c.code, s.code, g.code, r.code, r.min_load, r.max_load"""


def roll_up(conn: connection, level: str, min_load: int = 5, max_load: int = 15) -> pd.DataFrame:
    """Per place of `level`: households, uncovered, representatives, loads out of range,
    cross-group assignments, key-household share and farthest key distance; worst first."""
    if level not in LEVELS:
        raise InputError(f"--level {level}: choose one of {', '.join(LEVELS)}")
    houses = read_frame(conn, HOUSEHOLDS_SQL)
    reps = read_frame(conn, REPS_SQL, {"min": min_load, "max": max_load})
    reps["out_of_range"] = (reps["load"] < reps["min_load"]) | (reps["load"] > reps["max_load"])
    houses["street"] = reps["street"] = "street"
    houses["key_m"] = houses["distance_m"].where(houses["key"])
    by = houses[houses[level].notna()].groupby(level)
    table = pd.DataFrame(
        {
            "households": by.size(),
            "uncovered": by["covered"].apply(lambda c: int((~c.astype(bool)).sum())),
            "cross_group": by["crossing"].sum().astype(int),
            "key_households": by["key"].sum().astype(int),
            "key_max_m": by["key_m"].max().round(1),
        }
    )
    per_rep = reps.groupby(level).agg(
        representatives=("representative", "count"), loads_out_of_range=("out_of_range", "sum")
    )
    table = table.join(per_rep, how="outer").fillna(
        {
            "households": 0,
            "uncovered": 0,
            "cross_group": 0,
            "key_households": 0,
            "representatives": 0,
            "loads_out_of_range": 0,
        }
    )
    table["key_share"] = (
        table["key_households"] / table["households"].where(table["households"] > 0)
    ).round(4)
    for column in (
        "households",
        "uncovered",
        "cross_group",
        "key_households",
        "representatives",
        "loads_out_of_range",
    ):
        table[column] = table[column].astype(int)
    table = table.sort_values(
        ["uncovered", "loads_out_of_range", "cross_group", "key_max_m"],
        ascending=False,
        na_position="last",
    )
    return table.reset_index(names=level).rename(columns={level: "place"}).assign(level=level)
