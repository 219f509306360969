"""People's accounts: made, listed, disabled, given a new password (Argon2 hashes only)."""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd
from argon2 import PasswordHasher

from gridsvc.access import Actor, Role, Scope
from gridsvc.db import users
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import Conflict, InputError, NotFound
from gridsvc.services.guard import require_role, safe_text
from gridsvc.services.places import require_place

# no colon: an account's name is what the audit shows, and it never looks like "cli:root" or
# "key 3 (...)"; the same pattern is the table's CHECK
USER_NAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{1,50}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 200  # Argon2 takes any length; this bounds the work a request can ask for


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's current defaults (RFC 9106's low-memory profile)."""
    return PasswordHasher()


def check_name(name: str) -> str:
    if not USER_NAME.match(name):
        raise InputError(
            "name: 1 to 50 letters, digits, Chinese characters, '.', '_' or '-' (no spaces)"
        )
    return name


def check_password(password: str, name: str) -> str:
    """A password fit to keep: long enough, not the name, no control characters."""
    safe_text(password, field="password", max_length=MAX_PASSWORD)
    if len(password) < MIN_PASSWORD:
        raise InputError(f"password: at least {MIN_PASSWORD} characters")
    if password.strip().lower() == name.lower():
        raise InputError("password: must not be the account's name")
    return password


def add_user(
    conn: Connection, actor: Actor, name: str, role: Role, scope: Scope, password: str
) -> int:
    """A new account with `role` in `scope` (a representative's scope is representative:CODE,
    as for keys); returns its id."""
    require_role(actor, Role.planner, "make accounts")
    check_name(name)
    check_password(password, name)
    if role == Role.public:
        raise InputError("role public: an account needs viewer, representative, staff or planner")
    if (role == Role.representative) != (scope.level == "representative"):
        raise InputError(
            "scope: a representative's account has representative:CODE, and only theirs does"
        )
    digest = hasher().hash(password)
    with transaction(conn):
        if scope.code is not None:
            require_place(conn, scope.level, scope.code)
        user_id = users.insert_user(conn, name, role.name, str(scope), digest)
    if not user_id:
        raise Conflict(f"name: an account {name!r} already exists")
    return user_id


def list_users(conn: Connection, actor: Actor) -> pd.DataFrame:
    require_role(actor, Role.planner, "list accounts")
    return users.list_users(conn)


def disable_user(conn: Connection, actor: Actor, name: str) -> None:
    """Disable an account (its sessions end at once); the row stays for the audit."""
    require_role(actor, Role.planner, "disable accounts")
    with transaction(conn):
        if not users.disable_user(conn, name):
            raise NotFound(f"name: no enabled account {name!r}")


def set_password(conn: Connection, actor: Actor, name: str, password: str) -> None:
    """A planner gives an account a new password (unlocking it, ending its sessions)."""
    require_role(actor, Role.planner, "set passwords")
    check_password(password, name)
    digest = hasher().hash(password)
    with transaction(conn):
        found = users.find_user(conn, name)
        if found is None:
            raise NotFound(f"name: no account {name!r}")
        users.set_password(conn, found["id"], digest)
