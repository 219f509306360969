"""`gridsvc keys`: API keys for machines, with a role and a scope."""

from __future__ import annotations

import argparse
import sys

from gridsvc.cli.common import connection, fail, terminal_actor
from gridsvc.settings import Settings


def cmd_keys(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.access import Role, Scope
    from gridsvc.services import keys

    actor = terminal_actor("keys")
    with connection(settings) as conn:
        if args.action == "create":
            try:
                role, scope = Role.parse(args.role), Scope.parse(args.scope)
            except ValueError as exc:
                return fail(str(exc))
            key = keys.create_key(conn, actor, args.name or args.role, role, scope)
            print(key)
            print(
                f"(role {role.name}, scope {scope}; shown once, stored only as a hash)",
                file=sys.stderr,
            )
        elif args.action == "list":
            print(keys.list_keys(conn, actor).to_string(index=False))
        else:
            if args.id is None:
                return fail("keys revoke needs --id")
            keys.revoke_key(conn, actor, args.id)
            print(f"key {args.id} revoked")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    key = sub.add_parser("keys", help="API keys: create (printed once), list, revoke")
    key.add_argument("action", choices=["create", "list", "revoke"])
    key.add_argument("--role", default="viewer", help="viewer, representative, staff or planner")
    key.add_argument(
        "--scope",
        default="street",
        help="street, community:CODE, section:CODE, or representative:CODE for a representative",
    )
    key.add_argument("--name", help="who the key is for")
    key.add_argument("--id", type=int, help="revoke: the key's id")
    key.set_defaults(handler=cmd_keys)
