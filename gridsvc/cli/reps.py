"""`gridsvc reps`: mark a representative inactive (ill, away, moved) or back."""

from __future__ import annotations

import argparse

from gridsvc.cli.common import connection, terminal_actor
from gridsvc.settings import Settings


def cmd_reps(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.services import standing

    actor = terminal_actor("reps")
    with connection(settings) as conn:
        standing.set_active(conn, actor, args.code, args.action == "active")
    state = "back in the assignment" if args.action == "active" else "inactive"
    print(f"representative {args.code}: {state} (the next run applies it)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    reps = sub.add_parser("reps", help="mark a representative inactive, or active again")
    reps.add_argument("action", choices=["inactive", "active"])
    reps.add_argument("code", help="the representative's code")
    reps.set_defaults(handler=cmd_reps)
