"""Recording reads of personal data: who (the real actor), what, through which door."""

from __future__ import annotations

from typing import Any

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
        conn, **who(actor), action=action, subject=subject[:500] if subject else subject, rows=rows
    )


def audit_args(actor: Actor, action: str) -> tuple[object, ...]:
    """The audit row's values for a read that writes it in its own statement
    (`gridsvc.db.access_log.logged_cte`); the public's reads are not written."""
    return access_log.cte_args(**who(actor), action=action, audit=actor.role != Role.public)


def who(actor: Actor) -> dict[str, Any]:
    """The actor's columns of an audit row, the same for both ways of writing it."""
    return {
        "key_id": actor.key_id,
        "actor": actor.name,
        "role": actor.role.name,
        "scope": str(actor.scope),
        "via": actor.via,
    }
