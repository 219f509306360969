"""Pins in the store: a household fixed to a representative, or a pair forbidden."""

from __future__ import annotations

import pandas as pd
from psycopg2.extensions import connection

from gridsvc.db.frames import read_frame
from gridsvc.errors import InputError, NotFound

PIN_FACTS_SQL = """
    SELECT h.id AS household_id, h.section_id AS h_section, h.key_category IS NOT NULL AS key,
           r.id AS rep_id, g.section_id AS r_section, r.active, r.max_load,
           (SELECT count(*) FROM pin p WHERE p.representative_id = r.id AND p.kind = 'fix')
               AS fixed_to_rep,
           (SELECT count(*) FROM pin p JOIN household k ON k.id = p.household_id
            WHERE p.representative_id = r.id AND p.kind = 'fix'
              AND k.key_category IS NOT NULL) AS key_fixed_to_rep,
           (SELECT r2.code FROM pin p JOIN representative r2 ON r2.id = p.representative_id
            WHERE p.household_id = h.id AND p.kind = 'fix') AS already_fixed_to,
           (SELECT kind FROM pin p WHERE p.household_id = h.id AND p.representative_id = r.id)
               AS existing
    FROM household h, representative r JOIN resident_group g ON g.id = r.group_id
    WHERE h.code = %(household)s AND r.code = %(rep)s"""


def add(
    conn: connection,
    household: str,
    representative: str,
    kind: str,
    *,
    note: str = "",
    max_load: int = 15,
    key_max: int = 3,
    actor: str | None = None,
) -> int:
    """Make a pin, refusing one that would break a hard limit (with the reason)."""
    if kind not in ("fix", "forbid"):
        raise InputError(f"pin kind {kind!r}: choose fix or forbid")
    facts = read_frame(conn, PIN_FACTS_SQL, {"household": household, "rep": representative})
    if facts.empty:
        _which_is_missing(conn, household, representative)
    f = facts.iloc[0]
    what = f"pin {household} → {representative}"
    if f["existing"] is not None and not pd.isna(f["existing"]):
        raise InputError(f"{what}: already pinned ({f['existing']}); remove it first")
    if kind == "fix":
        if not f["active"]:
            raise InputError(f"{what}: the representative is not active")
        if f["h_section"] != f["r_section"]:
            raise InputError(
                f"{what}: the representative serves another section; households "
                "are never assigned across sections"
            )
        if f["already_fixed_to"] is not None and not pd.isna(f["already_fixed_to"]):
            raise InputError(f"{what}: the household is already fixed to {f['already_fixed_to']}")
        limit = int(f["max_load"]) if not pd.isna(f["max_load"]) else max_load
        if int(f["fixed_to_rep"]) + 1 > limit:
            raise InputError(
                f"{what}: {representative} already has {f['fixed_to_rep']} fixed "
                f"households; one more would exceed the maximum load of {limit}"
            )
        if f["key"] and int(f["key_fixed_to_rep"]) + 1 > key_max:
            raise InputError(
                f"{what}: {representative} already has {f['key_fixed_to_rep']} "
                f"fixed key households; the limit is {key_max}"
            )
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO pin (household_id, representative_id, kind, note, actor)"
            " VALUES (%s, %s, %s, %s, coalesce(%s, current_user)) RETURNING id",
            (int(f["household_id"]), int(f["rep_id"]), kind, note, actor),
        )
        return int(cur.fetchone()[0])  # type: ignore[index]


def _which_is_missing(conn: connection, household: str, representative: str) -> None:
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM household WHERE code = %s", (household,))
        if cur.fetchone() is None:
            raise NotFound(f"household {household}: no such household")
    raise NotFound(f"representative {representative}: no such representative")


def remove(conn: connection, household: str, representative: str) -> None:
    with conn.cursor() as cur:
        cur.execute(
            """DELETE FROM pin p USING household h, representative r
            WHERE p.household_id = h.id AND p.representative_id = r.id
              AND h.code = %s AND r.code = %s""",
            (household, representative),
        )
        if cur.rowcount == 0:
            raise NotFound(f"no pin between {household} and {representative}")


def listing(conn: connection) -> pd.DataFrame:
    return read_frame(
        conn,
        """SELECT p.id, h.code AS household, r.code AS representative,
            p.kind, p.note, p.actor, p.created_at, r.active AS representative_active
        FROM pin p JOIN household h ON h.id = p.household_id
        JOIN representative r ON r.id = p.representative_id ORDER BY p.id""",
    )


def for_run(conn: connection) -> pd.DataFrame:
    """household_id, representative_id, kind of every pin."""
    return read_frame(conn, "SELECT household_id, representative_id, kind FROM pin")
