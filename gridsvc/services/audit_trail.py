"""Recording reads of personal data: who (the real actor), what, through which door."""

from __future__ import annotations

from gridsvc.access import Actor, Role
from gridsvc.db import access_log
from gridsvc.db.connection import Connection


def record_read(
    conn: Connection, actor: Actor, action: str, subject: str | None, rows: int | None = None
) -> None:
    """Audit a read that gave `actor` personal data (the public role never gets any)."""
    if actor.role == Role.public:
        return
    access_log.record(
        conn,
        key_id=actor.key_id,
        actor=actor.name,
        role=actor.role.name,
        scope=str(actor.scope),
        action=action,
        via=actor.via,
        subject=subject[:500] if subject else subject,
        rows=rows,
    )


def audit_args(actor: Actor, action: str) -> tuple[object, ...]:
    """The audit row's values for a read that writes it in its own statement
    (`gridsvc.db.access_log.logged_cte`); the public's reads are not written."""
    return access_log.cte_args(
        key_id=actor.key_id,
        actor=actor.name,
        role=actor.role.name,
        scope=str(actor.scope),
        action=action,
        via=actor.via,
        audit=actor.role != Role.public,
    )
