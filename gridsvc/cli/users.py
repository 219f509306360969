"""`gridsvc users`: people's accounts (log-in at /login), with a role and a scope."""

from __future__ import annotations

import argparse
import getpass
import sys

from gridsvc.cli.common import connection, fail, terminal_actor
from gridsvc.settings import Settings


def read_password(from_stdin: bool) -> str | None:
    """The password from standard input's first line (scripts), or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        return None
    return first


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.access import Role, Scope
    from gridsvc.services import users

    actor = terminal_actor("users")
    if args.action != "list" and not args.name:
        return fail(f"users {args.action} needs the account's NAME")
    with connection(settings) as conn:
        if args.action == "list":
            print(users.list_users(conn, actor).to_string(index=False))
            return 0
        if args.action == "disable":
            users.disable_user(conn, actor, args.name)
            print(f"account {args.name} disabled (its sessions ended)")
            return 0
        if args.action == "add":
            try:
                role, scope = Role.parse(args.role), Scope.parse(args.scope)
            except ValueError as exc:
                return fail(str(exc))
        password = read_password(args.password_stdin)
        if password is None:
            return fail("the two passwords differ")
        if args.action == "add":
            user_id = users.add_user(conn, actor, args.name, role, scope, password)
            print(f"account {args.name} (id {user_id}, role {role.name}, scope {scope}) made")
        else:
            users.set_password(conn, actor, args.name, password)
            print(f"account {args.name}: new password set (its sessions ended)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    users = sub.add_parser("users", help="people's accounts: add, list, disable, passwd")
    users.add_argument("action", choices=["add", "list", "disable", "passwd"])
    users.add_argument("name", nargs="?", help="the account's name (add, disable, passwd)")
    users.add_argument(
        "--role", default="viewer", help="add: viewer, representative, staff or planner"
    )
    users.add_argument(
        "--scope",
        default="street",
        help="add: street, community:CODE, section:CODE, or representative:CODE",
    )
    users.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input's first line (for scripts)",
    )
    users.set_defaults(handler=cmd_users)
