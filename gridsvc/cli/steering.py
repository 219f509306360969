"""`gridsvc pins` and `gridsvc scenarios`: steer the assignment."""

from __future__ import annotations

import argparse

from gridsvc.cli.common import connection, fail, terminal_actor
from gridsvc.settings import Settings


def cmd_pins(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.services import steering

    actor = terminal_actor("pins")
    with connection(settings) as conn:
        if args.action == "list":
            print(steering.list_pins(conn, actor).to_string(index=False))
            return 0
        if not (args.household and args.representative):
            return fail("pins add/remove need HOUSEHOLD and REPRESENTATIVE codes")
        if args.action == "add":
            kind = "forbid" if args.forbid else "fix"
            steering.add_pin(conn, actor, args.household, args.representative, kind, args.note)
            print(
                f"pinned ({kind}) {args.household} → {args.representative}; it counts from "
                "the next `gridsvc assign`"
            )
        else:
            steering.remove_pin(conn, actor, args.household, args.representative)
            print(f"removed the pin {args.household} → {args.representative}")
    return 0


def cmd_scenarios(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.services import steering

    actor = terminal_actor("scenarios")
    with connection(settings) as conn:
        if args.action == "list":
            print(steering.list_scenarios(conn, actor).to_string(index=False))
        elif args.action == "compare":
            print(steering.compare_scenarios(conn, actor, args.names).to_string())
        else:
            if len(args.names) != 1:
                return fail("scenarios promote takes one name")
            run = steering.promote_scenario(conn, actor, args.names[0])
            print(f"scenario {args.names[0]} (run {run}) is now in force")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    pin = sub.add_parser("pins", help="fix a household to a representative, or forbid a pair")
    pin.add_argument("action", choices=["add", "remove", "list"])
    pin.add_argument("household", nargs="?")
    pin.add_argument("representative", nargs="?")
    pin.add_argument("--forbid", action="store_true", help="forbid the pair instead of fixing")
    pin.add_argument("--note", default="", help="why (an old neighbour, a relative...)")
    pin.set_defaults(handler=cmd_pins)

    scn = sub.add_parser("scenarios", help="list, compare or promote what-if runs")
    scn.add_argument("action", choices=["list", "compare", "promote"])
    scn.add_argument("names", nargs="*")
    scn.set_defaults(handler=cmd_scenarios)
