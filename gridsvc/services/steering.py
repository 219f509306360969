"""Planners steer the assignment: pins, and scenarios compared and promoted."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gridsvc.access import Actor, Role
from gridsvc.db import lookups, pins, scenarios
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import NotFound
from gridsvc.services.guard import require_role, require_scope, safe_text
from gridsvc.services.rules import rules_in_force


@dataclass(frozen=True)
class Pin:
    id: int
    household: str
    representative: str
    kind: str
    note: str


def _household_place(conn: Connection, household: str) -> dict:
    row = lookups.household_representative(conn, household)
    if row is None:
        raise NotFound(f"household {household}: no such household")
    return row


def add_pin(
    conn: Connection,
    actor: Actor,
    household: str,
    representative: str,
    kind: str = "fix",
    note: str = "",
) -> Pin:
    """Fix a household to a representative, or forbid the pair; refused with the reason when
    it would break a hard limit of the rules in force."""
    require_role(actor, Role.planner, "pin households")
    safe_text(note, field="note", max_length=500)
    with transaction(conn):
        place = _household_place(conn, household)
        require_scope(actor, place["community_code"], place["section_code"], "pin")
        rules = rules_in_force(conn)
        pin_id = pins.add(
            conn,
            household,
            representative,
            kind,
            note=note,
            max_load=rules.max_load,
            key_max=rules.key_max,
            actor=actor.name,
        )
    return Pin(pin_id, household, representative, kind, note)


def remove_pin(conn: Connection, actor: Actor, household: str, representative: str) -> None:
    require_role(actor, Role.planner, "remove pins")
    with transaction(conn):
        place = _household_place(conn, household)
        require_scope(actor, place["community_code"], place["section_code"], "remove a pin")
        pins.remove(conn, household, representative)


def list_pins(conn: Connection, actor: Actor) -> pd.DataFrame:
    require_role(actor, Role.planner, "list pins")
    return pins.listing(conn)


def list_scenarios(conn: Connection, actor: Actor) -> pd.DataFrame:
    """The scenarios computed so far (codes and figures only)."""
    return scenarios.listing(conn)


def compare_scenarios(conn: Connection, actor: Actor, names: list[str]) -> pd.DataFrame:
    """The run in force and each named scenario side by side (one column each)."""
    require_role(actor, Role.planner, "compare scenarios")
    return scenarios.compare(conn, names)


def promote_scenario(conn: Connection, actor: Actor, name: str) -> int:
    """Put a scenario in force (its proposed representatives become real); refused when the
    households or representatives changed since it was computed."""
    require_role(actor, Role.planner, "promote a scenario")
    safe_text(name, field="scenario", max_length=100)
    with transaction(conn):
        return scenarios.promote(conn, name)
