"""`gridsvc visits`, `gridsvc points` and `gridsvc rota`: the representatives' work."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from gridsvc.cli.common import connection, fail, terminal_actor
from gridsvc.settings import Settings


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: a date as 2026-03-16") from None


def _print(frame) -> None:  # type: ignore[no-untyped-def]
    print(frame.to_string(index=False) if len(frame) else "(none)")


def cmd_visits(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.services import visits

    actor = terminal_actor("visits")
    until = args.until or dt.date.today()
    since = args.since or dt.date(until.year, 1, 1)
    places = {"community": args.community, "section": args.section}
    with connection(settings) as conn:
        if args.action == "log":
            if not (args.household and args.kinds):
                return fail("visits log needs HOUSEHOLD and --kinds 入户见面,拉家常,...")
            done = visits.log_visit(
                conn,
                actor,
                args.household,
                args.date or dt.date.today(),
                args.kinds.split(","),
                representative=args.representative,
                notes=args.notes,
                request_ids=[int(i) for i in args.requests.split(",") if i]
                if args.requests
                else [],
            )
            print(f"visit {done.id}: {done.representative} → {done.household} "
                  f"{done.visited_on} {'、'.join(done.kinds)}")  # fmt: skip
        elif args.action == "list":
            _print(
                visits.list_visits(
                    conn, actor, since, until, representative=args.representative, **places
                )
            )
        elif args.action == "shares":
            _print(
                visits.shares(
                    conn, actor, args.level, since, until, key_days=settings.visit_key_days,
                    representative=args.representative, **places,
                )
            )  # fmt: skip
        else:
            _print(
                visits.overdue(
                    conn, actor, representative=args.representative,
                    key_days=settings.visit_key_days, other_days=settings.visit_overdue_days,
                    **places,
                ).drop(columns=["lon", "lat"])
            )  # fmt: skip
    return 0


def cmd_points(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.services import points

    actor = terminal_actor("points")
    period = points.parse_period(args.period)
    with connection(settings) as conn:
        if args.action == "show":
            table = points.totals(conn, actor, period, community=args.community)
            print(f"points {period.label} ({period.start} – {period.end})")
            _print(table)
        elif args.action == "tasks":
            _print(points.tasks(conn, actor))
        elif args.action == "award":
            if not (args.representative and args.task and args.reason):
                return fail("points award needs --representative, --task and --reason")
            day = args.date or dt.date.today()
            entry = points.award_by_staff(
                conn, actor, args.representative, args.task, day, args.reason
            )
            print(f"entry {entry}" if entry else "nothing added: the task's cap is reached")
        elif args.action == "correct":
            if not (args.entry and args.reason):
                return fail("points correct needs --entry and --reason")
            entry = points.correct(conn, actor, args.entry, args.reason)
            print(f"entry {entry} reverses {args.entry}")
        else:
            if not args.community:
                return fail("points board needs --community")
            out = args.out or Path(f"maps/noticeboard-{args.community}.pdf")
            out.parent.mkdir(parents=True, exist_ok=True)
            html = out.with_suffix(".html")
            html.write_text(points.notice_board_html(conn, actor, args.community, period), "utf-8")
            points.notice_board_pdf(conn, actor, args.community, period, out)
            print(f"wrote {html} and {out}")
    return 0


def cmd_rota(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.services import rota

    actor = terminal_actor("rota")
    year = args.year or dt.date.today().year
    with connection(settings) as conn:
        if args.action == "make":
            made = rota.make_rota(conn, actor, year, per_day=args.per_day or settings.rota_per_day)
            print(f"rota {made.year}: {made.stations} stations, {made.receptions} receptions, "
                  f"{made.duties} duties")  # fmt: skip
            if not made.holidays_known:
                print(
                    f"warning: the holidays of {year} are not known (chinese-calendar covers to "
                    "2026): only weekends were moved; load the State Council's schedule"
                )
        elif args.action == "show":
            frame = rota.duties(
                conn,
                actor,
                dt.date(year, 1, 1),
                dt.date(year, 12, 31),
                community=args.community,
                representative=args.representative,
            )
            _print(frame.drop(columns=["request_ids", "reception_id"]))
        elif args.action == "page":
            month = args.month or dt.date.today().strftime("%Y-%m")
            out = args.out or Path(f"maps/rota-{month}.html")
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(rota.month_page(conn, actor, month, args.community), "utf-8")
            print(f"wrote {out}")
        else:
            if not (args.representative or args.station):
                return fail("rota ics needs --representative or --station")
            feed = (
                rota.representative_ics(conn, actor, args.representative, year)
                if args.representative
                else rota.station_ics(conn, actor, args.station, year)
            )
            out = args.out or Path(f"rota-{args.representative or args.station}-{year}.ics")
            out.write_bytes(feed)
            print(f"wrote {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    vis = sub.add_parser("visits", help="log visits (四个一), their shares, the overdue list")
    vis.add_argument("action", choices=["log", "list", "shares", "overdue"])
    vis.add_argument("household", nargs="?")
    vis.add_argument("--kinds", help="入户见面,拉家常,发放联系卡,收集问题 (comma-separated)")
    vis.add_argument("--date", type=_date, help="the visit's day (default today)")
    vis.add_argument("--representative")
    vis.add_argument("--notes", default="")
    vis.add_argument("--requests", help="request ids raised on the visit, comma-separated")
    vis.add_argument("--community")
    vis.add_argument("--section")
    vis.add_argument("--since", type=_date)
    vis.add_argument("--until", type=_date)
    vis.add_argument(
        "--level", default="community",
        choices=["representative", "group", "section", "community", "street"],
    )  # fmt: skip
    vis.set_defaults(handler=cmd_visits)

    pts = sub.add_parser("points", help="points (积分): totals and ranks, awards, the 阳光栏")
    pts.add_argument("action", choices=["show", "tasks", "award", "correct", "board"])
    pts.add_argument(
        "--period", help="2026, 2026-03, 2026Q1 or a term 2022-2026 (default: this year)"
    )
    pts.add_argument("--community")
    pts.add_argument("--representative")
    pts.add_argument("--task", help="a staff-entered task code (see `points tasks`)")
    pts.add_argument("--reason")
    pts.add_argument("--entry", type=int, help="the entry a correction reverses")
    pts.add_argument("--date", type=_date)
    pts.add_argument("--out", type=Path, help="where `board` writes the A3 PDF")
    pts.set_defaults(handler=cmd_points)

    rot = sub.add_parser("rota", help="the reception rota (逢6接待): make, show, page, .ics")
    rot.add_argument("action", choices=["make", "show", "page", "ics"])
    rot.add_argument("--year", type=int)
    rot.add_argument("--per-day", type=int, help="representatives per station and day")
    rot.add_argument("--month", help="2026-10, for `page`")
    rot.add_argument("--community")
    rot.add_argument("--representative")
    rot.add_argument("--station")
    rot.add_argument("--out", type=Path)
    rot.set_defaults(handler=cmd_rota)
    register_load(sub)


def cmd_work(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.services.work_load import load_work

    with connection(settings) as conn:
        done = load_work(conn, terminal_actor("work load"), args.folder, year=args.year,
                         per_day=settings.rota_per_day)  # fmt: skip
    if done.already:
        print("work records are already in the store: nothing loaded again")
        return 0
    print(f"stored {done.visits} visits ({done.visit_points} with points), {done.staff_points} "
          f"staff points, {done.unavailable} dates off; rota {done.duties} duties, "
          f"{done.attended} attended")  # fmt: skip
    return 0


def register_load(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    work = sub.add_parser("work", help="load a year of work records (work_*.csv) from a folder")
    work.add_argument("action", choices=["load"])
    work.add_argument("folder", type=Path)
    work.add_argument("--year", type=int, default=2026, help="the year of the rota to make")
    work.set_defaults(handler=cmd_work)
