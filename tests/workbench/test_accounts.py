"""Accounts and sessions at the service level and at the terminal: Argon2 hashes, the rules a
name and a password follow, idle and absolute timeouts, disabling, the `users` command."""

from __future__ import annotations

import io
import time

import pytest

from gridsvc.access import Role, Scope
from gridsvc.cli import main
from gridsvc.db.connection import Connection
from gridsvc.errors import Conflict, Forbidden, InputError, NotAuthenticated, NotFound
from gridsvc.services import sessions, users
from gridsvc.settings import Settings
from tests.helpers import PLANNER

PASSWORD = "a-long-password-1"


def _settings(**given: float) -> Settings:
    return Settings.model_construct(
        **{
            "session_idle_s": 1800.0,
            "session_absolute_s": 43200.0,
            "login_max_failures": 5,
            "login_lockout_s": 900.0,
            **given,
        }
    )


def test_passwords_are_kept_as_argon2_hashes_only(empty_db: Connection) -> None:
    empty_db.autocommit = True
    users.add_user(empty_db, PLANNER, "王芳", Role.staff, Scope(), PASSWORD)
    with empty_db.cursor() as cur:
        cur.execute("SELECT password_hash FROM app_user WHERE name = '王芳'")
        stored = cur.fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    session = sessions.log_in(empty_db, "王芳", PASSWORD, _settings(), "test")
    assert session.actor.name == "王芳" and session.actor.role == Role.staff
    with empty_db.cursor() as cur:
        cur.execute("SELECT id_hash, csrf_token FROM user_session")
        ((id_hash, csrf),) = cur.fetchall()
    assert id_hash != session.id and len(id_hash) == 64  # only the id's SHA-256 is stored
    assert csrf == session.csrf


@pytest.mark.parametrize(
    ("name", "role", "scope", "password", "error"),
    [
        ("bad name", Role.viewer, Scope(), PASSWORD, InputError),
        ("cli:root", Role.viewer, Scope(), PASSWORD, InputError),
        ("ok", Role.viewer, Scope(), "short", InputError),
        ("samename12", Role.viewer, Scope(), "samename12", InputError),
        ("nul", Role.viewer, Scope(), "abc\x00defghijk", InputError),
        ("pub", Role.public, Scope(), PASSWORD, InputError),
        ("rep", Role.representative, Scope(), PASSWORD, InputError),
        ("far", Role.viewer, Scope("community", "NOPE"), PASSWORD, NotFound),
    ],
)
def test_accounts_refused_with_the_field_named(
    empty_db: Connection, name: str, role: Role, scope: Scope, password: str, error: type
) -> None:
    empty_db.autocommit = True
    with pytest.raises(error):
        users.add_user(empty_db, PLANNER, name, role, scope, password)


def test_only_planners_manage_accounts_and_names_are_unique(empty_db: Connection) -> None:
    empty_db.autocommit = True
    users.add_user(empty_db, PLANNER, "li", Role.viewer, Scope(), PASSWORD)
    with pytest.raises(Conflict):
        users.add_user(empty_db, PLANNER, "li", Role.viewer, Scope(), PASSWORD)
    staff = sessions.log_in(empty_db, "li", PASSWORD, _settings(), "test").actor
    with pytest.raises(Forbidden):
        users.add_user(empty_db, staff, "zhao", Role.planner, Scope(), PASSWORD)


def test_idle_and_absolute_timeouts_end_sessions(empty_db: Connection) -> None:
    empty_db.autocommit = True
    users.add_user(empty_db, PLANNER, "chen", Role.viewer, Scope(), PASSWORD)
    session = sessions.log_in(empty_db, "chen", PASSWORD, _settings(), "test")
    assert sessions.session_for(empty_db, session.id, _settings(), "t") is not None
    time.sleep(1.2)
    assert sessions.session_for(empty_db, session.id, _settings(session_idle_s=1.0), "t") is None
    # used now and then, it still ends when it is older than the absolute timeout
    assert sessions.session_for(empty_db, session.id, _settings(), "t") is not None
    ended = _settings(session_idle_s=60.0, session_absolute_s=1.0)
    assert sessions.session_for(empty_db, session.id, ended, "t") is None


def test_lock_out_then_a_new_password_unlocks(empty_db: Connection) -> None:
    empty_db.autocommit = True
    users.add_user(empty_db, PLANNER, "zhou", Role.viewer, Scope(), PASSWORD)
    strict = _settings(login_max_failures=2)
    for _ in range(2):
        with pytest.raises(NotAuthenticated):
            sessions.log_in(empty_db, "zhou", "wrong-password", strict, "t")
    with pytest.raises(NotAuthenticated):
        sessions.log_in(empty_db, "zhou", PASSWORD, strict, "t")
    users.set_password(empty_db, PLANNER, "zhou", "another-password-2")
    assert sessions.log_in(empty_db, "zhou", "another-password-2", strict, "t").actor.name == "zhou"


def test_a_disabled_account_cannot_log_in_and_its_sessions_end(empty_db: Connection) -> None:
    empty_db.autocommit = True
    users.add_user(empty_db, PLANNER, "wu", Role.viewer, Scope(), PASSWORD)
    session = sessions.log_in(empty_db, "wu", PASSWORD, _settings(), "t")
    users.disable_user(empty_db, PLANNER, "wu")
    assert sessions.session_for(empty_db, session.id, _settings(), "t") is None
    with pytest.raises(NotAuthenticated):
        sessions.log_in(empty_db, "wu", PASSWORD, _settings(), "t")


def test_the_users_command(
    empty_db: Connection, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("GRIDSVC_DATABASE_URL", empty_db.dsn)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "sun", "--role", "staff", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "passwd", "sun", "--password-stdin"]) == 2
    assert "at least 10" in capsys.readouterr().err
    assert main(["users", "list"]) == 0
    listed = capsys.readouterr().out
    assert "sun" in listed and "staff" in listed and "argon2" not in listed
    assert main(["users", "disable", "sun"]) == 0
    assert main(["users", "disable", "sun"]) == 2
    empty_db.autocommit = True
    with pytest.raises(NotAuthenticated):
        sessions.log_in(empty_db, "sun", PASSWORD, _settings(), "t")


def test_the_reps_command_and_its_scope(
    small_street: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gridsvc.services import standing

    monkeypatch.setenv("GRIDSVC_DATABASE_URL", small_street.dsn)
    small_street.autocommit = True
    with small_street.cursor() as cur:
        cur.execute(
            "SELECT r.code, c.code FROM representative r JOIN resident_group g ON g.id = r.group_id"
            " JOIN grid_section s ON s.id = g.section_id JOIN community c ON c.id = s.community_id"
            " ORDER BY c.code DESC, r.code LIMIT 1"
        )
        code, community = cur.fetchone()
    assert community != "GH01"
    assert main(["reps", "inactive", code]) == 0
    with small_street.cursor() as cur:
        cur.execute("SELECT active FROM representative WHERE code = %s", (code,))
        assert cur.fetchone() == (False,)
    users.add_user(small_street, PLANNER, "p1", Role.planner, Scope("community", "GH01"), PASSWORD)
    other = sessions.log_in(small_street, "p1", PASSWORD, _settings(), "t").actor
    with pytest.raises(Forbidden):
        standing.set_active(small_street, other, code, True)
    assert main(["reps", "active", code]) == 0
    with small_street.cursor() as cur:
        cur.execute("SELECT active FROM representative WHERE code = %s", (code,))
        assert cur.fetchone() == (True,)


def test_a_lock_runs_out_and_counting_starts_again(empty_db: Connection) -> None:
    empty_db.autocommit = True
    users.add_user(empty_db, PLANNER, "he", Role.viewer, Scope(), PASSWORD)
    brief = _settings(login_max_failures=2, login_lockout_s=1.0)
    for _ in range(3):  # the third, while locked, is not even tried
        with pytest.raises(NotAuthenticated):
            sessions.log_in(empty_db, "he", "wrong-password", brief, "t")
    time.sleep(1.2)
    with pytest.raises(NotAuthenticated):  # one failure after the lock: not locked again
        sessions.log_in(empty_db, "he", "wrong-password", brief, "t")
    assert sessions.log_in(empty_db, "he", PASSWORD, brief, "t").actor.name == "he"
