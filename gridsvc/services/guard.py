"""Checks every use case makes first: the caller's role and scope, and text fit to store."""

from __future__ import annotations

import unicodedata

from gridsvc.access import Actor, Role
from gridsvc.errors import Forbidden, InputError, NotAuthenticated


def require_role(actor: Actor, role: Role, doing: str) -> None:
    """Refuse a caller below `role`: 401 to the public (log in or send a key), else 403."""
    if actor.role >= role:
        return
    if actor.role == Role.public:
        raise NotAuthenticated(f"to {doing} you need to log in or send an API key ({role.name})")
    raise Forbidden(f"role {actor.role.name} may not {doing}; it needs {role.name} or above")


def require_scope(actor: Actor, community: str | None, section: str | None, doing: str) -> None:
    """Refuse an action on a place outside the caller's scope."""
    if not actor.scope.covers(community, section):
        raise Forbidden(f"{doing}: outside your scope ({actor.scope})")


def require_street_scope(actor: Actor, doing: str) -> None:
    """Some actions change the whole street (a run, an import): street scope only."""
    if actor.scope.level != "street":
        raise Forbidden(f"{doing} changes the whole street; your scope is {actor.scope}")


def safe_text(value: str, *, field: str = "text", max_length: int = 200) -> str:
    """Text a person typed, refused if it holds control characters (NUL and the like) or is
    too long; returned as given otherwise."""
    if len(value) > max_length:
        raise InputError(f"{field}: longer than {max_length} characters")
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r":
            raise InputError(f"{field}: contains the control character U+{ord(ch):04X}")
    return value
