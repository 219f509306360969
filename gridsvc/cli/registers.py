"""`gridsvc load` and `gridsvc import`: a street folder, registers and boundaries."""

from __future__ import annotations

import argparse
from pathlib import Path

from gridsvc.cli.common import connection, fail, progress, terminal_actor
from gridsvc.settings import Settings


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.services.imports import load_street

    with connection(settings) as conn:
        counts = load_street(conn, terminal_actor("load"), args.folder)
        if (args.folder / "requests.csv").exists():  # the sample's year of residents' requests
            from gridsvc.services import request_sample
            from gridsvc.services.request_rules import rules_from

            counts["requests"], _ = request_sample.load(
                conn, terminal_actor("load"), rules_from(settings),
                request_sample.read(args.folder / "requests.csv"),
            )  # fmt: skip
        from gridsvc.services.offices import load_offices  # the offices' phones, if given

        counts["office phones"] = load_offices(conn, terminal_actor("load"), args.folder)
    print(f"loaded {args.folder}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.services.imports import import_boundaries, import_register

    actor = terminal_actor("import")
    with connection(settings) as conn:
        if args.kind == "roster":
            from gridsvc.services.people import import_roster

            roster = import_roster(conn, actor, args.path)
            print(roster.summary())
            for issue in roster.rejected[:20]:
                print(f"  row {issue.row}: {issue.reason}: {issue.message}")
            return 0
        if args.kind == "boundaries":
            if not args.level:
                return fail("import boundaries needs --level community|section|group")
            done = import_boundaries(
                conn,
                actor,
                args.path,
                args.level,
                extend=args.extend,
                move_households=args.move_households,
                dry_run=args.dry_run,
            )
            verb = "would import" if args.dry_run else "imported"
            print(
                f"{verb} {done['features']} {args.level} boundaries from {args.path}: "
                f"new {len(done['new'])}, changed {len(done['changed'])}, "  # type: ignore[arg-type]
                f"unchanged {done['unchanged']}, re-parented {len(done['reparented'])}, "  # type: ignore[arg-type]
                f"households moving {done['households_moving']}"
            )
            for finding in done["findings"]:  # type: ignore[attr-defined]
                print(f"  ! {finding}")
            return 0
        report = import_register(
            conn,
            actor,
            args.kind,
            args.path,
            crs=args.crs,
            mapping=args.mapping,
            tolerance_m=args.tolerance,
            new_only=args.new_only,
            report_dir=args.report_dir,
            progress=progress(),
        )
    print(report.summary())
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    load = sub.add_parser("load", help="load a street folder (GeoJSON areas, CSV people)")
    load.add_argument("folder", type=Path)
    load.set_defaults(handler=cmd_load)

    imp = sub.add_parser("import", help="import a register (CSV/XLSX/XLS) or boundaries")
    imp.add_argument("kind", choices=["households", "representatives", "boundaries", "roster"])
    imp.add_argument("path", type=Path)
    imp.add_argument(
        "--crs", default="auto", help="auto, cgcs2000, wgs84, gcj02 (AMap/Tencent) or bd09 (Baidu)"
    )
    imp.add_argument("--mapping", type=Path, help="TOML file naming the columns per field")
    imp.add_argument(
        "--tolerance",
        type=float,
        default=30.0,
        help="metres a household outside every group may be from the nearest",
    )
    imp.add_argument(
        "--new-only",
        action="store_true",
        help="reject codes already in the store instead of updating them",
    )
    imp.add_argument(
        "--report-dir", type=Path, default=Path("reports"), help="where the row-by-row report goes"
    )
    imp.add_argument(
        "--level",
        choices=["community", "section", "group"],
        help="boundaries: which level the file holds",
    )
    imp.add_argument(
        "--extend", action="store_true", help="boundaries: new ground outside the street is meant"
    )
    imp.add_argument(
        "--move-households",
        action="store_true",
        help="boundaries: a group may change section though its households move with it",
    )
    imp.add_argument(
        "--dry-run", action="store_true", help="boundaries: say what would change, write nothing"
    )
    imp.set_defaults(handler=cmd_import)
