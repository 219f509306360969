"""API keys for machines: made (shown once), listed, revoked, and turned into an actor."""

from __future__ import annotations

import hashlib
import secrets

import pandas as pd

from gridsvc.access import Actor, Role, Scope
from gridsvc.db import keys
from gridsvc.db.async_conn import AsyncConnection
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import InputError, NotFound
from gridsvc.services.guard import require_role, safe_text
from gridsvc.services.places import require_place

KEY_PREFIX = "gs_"


def hash_key(key: str) -> str:
    """Keys are 256-bit random: a plain SHA-256 is enough to keep them unusable if read."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(
    conn: Connection, actor: Actor, name: str, role: Role, scope: Scope | None = None
) -> str:
    """A new key with `role` in `scope` (the street by default); returns the key itself, the
    only time it is seen."""
    require_role(actor, Role.planner, "make API keys")
    safe_text(name, field="name", max_length=100)
    if role == Role.public:
        raise InputError("role public: a key needs viewer, staff or planner")
    scope = scope or Scope()
    if (role == Role.representative) != (scope.level == "representative"):
        raise InputError(
            "a representative's key has the scope representative:CODE, and only theirs does"
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction(conn):
        if scope.code is not None:
            require_place(conn, scope.level, scope.code)
        keys.insert_key(conn, name, role.name, str(scope), hash_key(key))
    return key


def list_keys(conn: Connection, actor: Actor) -> pd.DataFrame:
    require_role(actor, Role.planner, "list API keys")
    return keys.list_keys(conn)


def revoke_key(conn: Connection, actor: Actor, key_id: int) -> None:
    require_role(actor, Role.planner, "revoke API keys")
    with transaction(conn):
        if not keys.revoke_key(conn, key_id):
            raise NotFound(f"key {key_id}: no such active key")


def actor_for_key(conn: Connection, key: str, via: str) -> Actor | None:
    """The actor a presented key stands for, or None for an unknown or revoked key."""
    if len(key) > 200:
        return None
    found = keys.find_key(conn, hash_key(key))
    if found is None:
        return None
    key_id, name, role, scope = found
    return Actor(f"key {key_id} ({name})", Role.parse(role), Scope.parse(scope), key_id, via)


async def actor_for_key_async(conn: AsyncConnection, key: str, via: str) -> Actor | None:
    """`actor_for_key` on the async pool."""
    if len(key) > 200:
        return None
    found = await keys.find_key_async(conn, hash_key(key))
    if found is None:
        return None
    key_id, name, role, scope = found
    return Actor(f"key {key_id} ({name})", Role.parse(role), Scope.parse(scope), key_id, via)
