"""Planners mark a representative inactive (the next run gives their households to others)
or back; each change is recorded in the audit with the planner's name."""

from __future__ import annotations

from gridsvc.access import Actor, Role
from gridsvc.db import access_log, standing
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import NotFound
from gridsvc.services.guard import require_role, require_scope, safe_text


def set_active(conn: Connection, actor: Actor, code: str, active: bool) -> None:
    """Take a representative out of the assignment (`active` False) or put them back; the
    run in force is unchanged until the next run."""
    require_role(actor, Role.planner, "mark representatives inactive or back")
    safe_text(code, field="representative", max_length=100)
    with transaction(conn):
        place = standing.place_of(conn, code)
        if place is None:
            raise NotFound(f"representative {code}: no such representative")
        require_scope(actor, place["community_code"], place["section_code"], "representative")
        standing.set_active(conn, code, active)
        access_log.record(
            conn,
            key_id=actor.key_id,
            actor=actor.name,
            role=actor.role.name,
            scope=str(actor.scope),
            action="representatives.active" if active else "representatives.inactive",
            via=actor.via,
            subject=code,
            rows=1,
        )


def inactive_in_section(conn: Connection, actor: Actor, section: str) -> list[dict]:
    """Who in a section is marked inactive (codes and public names)."""
    require_role(actor, Role.viewer, "list inactive representatives")
    return standing.inactive_in_section(conn, section)
