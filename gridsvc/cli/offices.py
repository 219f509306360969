"""`gridsvc office`: the community offices' phones, consent to publish a representative's
phone, the street's name (what contact cards and print titles show)."""

from __future__ import annotations

import argparse

from gridsvc.cli.common import connection, terminal_actor
from gridsvc.settings import Settings


def cmd_office(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.services import offices

    actor = terminal_actor("office")
    with connection(settings) as conn:
        if args.action == "phone":
            phone = None if args.value in ("", "none") else args.value
            offices.set_office_phone(conn, actor, args.code, phone)
            print(f"community {args.code}: office phone {phone or '(cleared)'}")
        elif args.action == "publish-phone":
            if args.value not in ("yes", "no"):
                print("gridsvc: publish-phone takes yes or no")
                return 2
            offices.set_publish_phone(conn, actor, args.code, args.value == "yes")
            print(f"representative {args.code}: publish phone {args.value}")
        else:
            offices.set_street(conn, actor, args.code, args.value or "")
            print(f"street: {args.code}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    off = sub.add_parser(
        "office",
        help="office phones, consent to publish a phone, the street's name (print material)",
        description="gridsvc office phone GH01 0731-28221017 | "
        "gridsvc office publish-phone R0001 no | gridsvc office street 桂花街道 [荷塘区]",
    )
    off.add_argument("action", choices=["phone", "publish-phone", "street"])
    off.add_argument("code", help="community code, representative code, or the street's name")
    off.add_argument("value", nargs="?", help="the phone (none clears), yes/no, or the district")
    off.set_defaults(handler=cmd_office)
