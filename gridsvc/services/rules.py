"""The office's rules (loads, key cap and weight, stability): the defaults are `Params`'s; a
run stores the ones it used, and every judgement of a load reads the run in force's."""

from __future__ import annotations

import dataclasses

from gridsvc.assign import Params
from gridsvc.db.connection import Connection


def rules_from_record(record: dict[str, object]) -> Params:
    """The rules stored with a run (unknown keys, like the section asked for, left out)."""
    names = {f.name for f in dataclasses.fields(Params)}
    return Params(**{k: v for k, v in record.items() if k in names})  # type: ignore[arg-type]


def rules_in_force(conn: Connection) -> Params:
    """The rules of the run in force, or the defaults when there is none."""
    with conn.cursor() as cur:
        cur.execute("SELECT params FROM assignment_run WHERE in_force")
        row = cur.fetchone()
    return rules_from_record(row[0]) if row else Params()
