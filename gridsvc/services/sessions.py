"""Log-in sessions for people: log in (with a lock-out), the actor of a session, log out,
change one's password. Sessions live in the store; the cookie holds only a random id."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2.exceptions import InvalidHashError, VerificationError

from gridsvc.access import Actor, Role, Scope
from gridsvc.db import users
from gridsvc.db.connection import Connection, transaction
from gridsvc.errors import Forbidden, InputError, NotAuthenticated
from gridsvc.services.guard import require_role, safe_text
from gridsvc.services.users import check_password, hasher
from gridsvc.settings import Settings

# one message for every refusal: it must not tell which names exist or which are locked
REFUSED = "wrong name or password, or the account is locked for a while"


@dataclass(frozen=True)
class Session:
    """A live session: its id (the cookie's value), its forms' CSRF token and who it is."""

    id: str
    csrf: str
    actor: Actor


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against when the name is unknown, so that the answer takes as long."""
    return hasher().hash(secrets.token_urlsafe(16))


def _verify(stored: str, password: str) -> bool:
    try:
        return bool(hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def _actor(name: str, role: str, scope: str, via: str) -> Actor:
    return Actor(name, Role.parse(role), Scope.parse(scope), None, via)


def log_in(conn: Connection, name: str, password: str, settings: Settings, via: str) -> Session:
    """A new session for the right name and password: always a fresh random id (an id the
    browser already held is never reused: no fixation). Failures are counted; the
    `login_max_failures`-th in a row locks the account for `login_lockout_s`."""
    if len(name) > 100 or len(password) > 200:
        raise NotAuthenticated(REFUSED)
    session: Session | None = None
    with transaction(conn):
        found = users.find_user(conn, name)
        if found is None or found["disabled_at"] is not None or found["locked"]:
            # as slow as a real check, and a locked account is not even tried: no guessing
            _verify(_dummy_hash(), password)
        elif _verify(found["password_hash"], password):
            users.record_success(conn, found["id"])
            if hasher().check_needs_rehash(found["password_hash"]):
                users.rehash(conn, found["id"], hasher().hash(password))
            session = Session(
                secrets.token_urlsafe(32),
                secrets.token_urlsafe(32),
                _actor(found["name"], found["role"], found["scope"], via),
            )
            users.forget_old_sessions(conn, settings.session_absolute_s)
            users.insert_session(conn, _hash(session.id), found["id"], session.csrf)
        else:
            users.record_failure(
                conn, found["id"], settings.login_max_failures, settings.login_lockout_s
            )
    if session is None:  # after the commit: the failure count is kept
        raise NotAuthenticated(REFUSED)
    return session


def session_for(conn: Connection, session_id: str, settings: Settings, via: str) -> Session | None:
    """The live session behind a cookie (its last use now), or None when it is unknown,
    ended, idle too long, too old, or its account disabled."""
    if not session_id or len(session_id) > 100:
        return None
    with transaction(conn):
        row = users.touch_session(
            conn, _hash(session_id), settings.session_idle_s, settings.session_absolute_s
        )
    if row is None:
        return None
    return Session(
        session_id, row["csrf_token"], _actor(row["name"], row["role"], row["scope"], via)
    )


def check_csrf(session: Session, token: str | None) -> None:
    """Refuse a form or call whose token is not this session's (compared in constant time)."""
    if not token or not hmac.compare_digest(token.encode(), session.csrf.encode()):
        raise Forbidden("csrf: the form's token is missing or not this session's; reload the page")


def log_out(conn: Connection, session_id: str) -> None:
    with transaction(conn):
        users.end_session(conn, _hash(session_id))


def change_password(conn: Connection, actor: Actor, old: str, new: str, repeat: str) -> None:
    """One's own password, given the current one; every session of the account ends."""
    require_role(actor, Role.viewer, "change your password")
    safe_text(old, field="old", max_length=200)
    if new != repeat:
        raise InputError("repeat: the two new passwords differ")
    check_password(new, actor.name)
    with transaction(conn):
        found = users.find_user(conn, actor.name)
        if found is None or actor.key_id is not None:
            raise Forbidden("only a logged-in person can change their password")
        if not _verify(found["password_hash"], old):
            raise InputError("old: not your current password")
        users.set_password(conn, found["id"], hasher().hash(new))
