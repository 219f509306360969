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
