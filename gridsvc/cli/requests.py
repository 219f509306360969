"""`gridsvc requests`: residents' requests at the terminal (list, show, the office's actions,
figures, a representative's digest, loading a year of them)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gridsvc.cli.common import connection, fail, terminal_actor
from gridsvc.settings import Settings

ACTIONS = ("accept", "transfer", "extend", "answer", "close", "reopen")
LIST_COLUMNS = ["tracking_code", "status_text", "tier", "category_name", "deadline",
                "section_code", "rep_code", "phone", "text"]  # fmt: skip


def cmd_requests(args: argparse.Namespace, settings: Settings) -> int:
    import pandas as pd

    from gridsvc.services import request_figures, request_queues, request_sample, requests
    from gridsvc.services.request_rules import rules_from

    actor = terminal_actor(f"requests {args.action}")
    rules = rules_from(settings)
    with connection(settings) as conn:
        if args.action == "list":
            if args.status == "overdue":
                found = request_queues.overdue(conn, actor)
            elif args.status == "due-soon":
                found = request_queues.due_soon(conn, actor, rules)
            else:
                found = request_queues.queue(
                    conn, actor, level=args.level, code=args.code_in, status=args.status,
                    limit=args.limit,
                )  # fmt: skip
            frame = pd.DataFrame(found, columns=LIST_COLUMNS)
            frame["text"] = frame["text"].str.slice(0, 30)
            print(frame.to_string(index=False) if len(frame) else "no requests")
        elif args.action == "show":
            if not args.code:
                return fail("requests show needs a tracking code")
            print(json.dumps(requests.show(conn, actor, args.code), ensure_ascii=False,
                             indent=2, default=str))  # fmt: skip
        elif args.action in ACTIONS:
            if not args.code:
                return fail(f"requests {args.action} needs a tracking code")
            case = requests.act(
                conn, actor, rules, args.code, args.action, tier=args.tier,
                department=args.department, days=args.days, reason=args.reason,
                answer=args.text, assignee=args.assignee,
            )  # fmt: skip
            print(f"{case['tracking_code']}: {case['status_text']}, deadline {case['deadline']}")
        elif args.action == "escalate":
            from gridsvc.services.request_people import escalate_overdue

            for step in escalate_overdue(conn, actor, rules, requests.local_today()):
                print(f"{step.tracking_code} ({step.section_code}) → {step.to} "
                      f"{step.person or '(nobody holds it: a gap)'}")  # fmt: skip
        elif args.action == "figures":
            figures = request_figures.rollup(conn, actor, args.level or "street")
            print(pd.DataFrame([vars(f) for f in figures]).to_string(index=False))
        elif args.action == "digest":
            if not args.code:
                return fail("requests digest needs a representative's code")
            rows = request_queues.digest(conn, actor, rules, args.code)
            print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        else:  # load
            if not args.file:
                return fail("requests load needs --file requests.csv")
            made, events = request_sample.load(conn, actor, rules, request_sample.read(args.file))
            print(f"loaded {made} requests with {events} events from {args.file}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    req = sub.add_parser("requests", help="residents' requests (诉求): list, show, act, figures")
    req.add_argument(
        "action", choices=["list", "show", *ACTIONS, "escalate", "figures", "digest", "load"]
    )
    req.add_argument("code", nargs="?", help="a tracking code (digest: a representative)")
    req.add_argument("--level", help="list/figures: community, section, group, representative")
    req.add_argument("--in", dest="code_in", help="list: the place's code")
    req.add_argument("--status", default="open",
                     help="list: open, done, all, overdue, due-soon or one status")  # fmt: skip
    req.add_argument("--limit", type=int, default=200)
    req.add_argument("--tier", help="accept: 当场, 一般 or 重大")
    req.add_argument("--department", help="transfer: the department")
    req.add_argument("--assignee", help="transfer: an account (a section's grid worker or agent)")
    req.add_argument("--days", type=int, help="extend: working days")
    req.add_argument("--reason", help="extend, reopen: why")
    req.add_argument("--text", help="answer: the answer")
    req.add_argument("--file", type=Path, help="load: a requests.csv")
    req.set_defaults(handler=cmd_requests)
