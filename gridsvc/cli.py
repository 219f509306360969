"""The `gridsvc` command: thin wrappers over the actions, errors printed on one line."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from gridsvc.errors import GridsvcError
from gridsvc.settings import Settings

Handler = Callable[[argparse.Namespace, Settings], int]


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.db.connection import (
        connect,
        database_url,
        ensure_store,
        local_cluster,
        server_version,
    )

    if args.action == "up":
        url = ensure_store(settings)
        print(f"database ready: {url}")
    elif args.action == "down":
        if settings.database_url:
            print("GRIDSVC_DATABASE_URL is set: that server is not gridsvc's to stop")
        else:
            local_cluster(settings).down()
            print("database stopped")
    else:  # status
        url = database_url(settings)
        if not settings.database_url and not local_cluster(settings).is_running():
            print(f"stopped (data folder {local_cluster(settings).pgdata}); `gridsvc db up`")
            return 1
        with connect(url) as conn:
            version = server_version(conn)
        print(f"running: {url}\n{version}")
    return 0


def cmd_sample(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc import sample

    street = sample.generate(seed=args.seed)
    for path in sample.write(street, args.out):
        print(f"wrote {path}")
    print(json.dumps(street["meta"]["counts"], ensure_ascii=False))  # type: ignore[index]
    return 0


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.actions import load_street
    from gridsvc.db.connection import connect, database_url

    with connect(database_url(settings)) as conn:
        counts = load_street(conn, args.folder)
    print(f"loaded {args.folder}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.db.connection import connect, database_url
    from gridsvc.importer import import_boundaries, import_register

    def progress(message: str) -> None:
        print(f"  {message}", file=sys.stderr, flush=True)

    with connect(database_url(settings)) as conn:
        if args.kind == "boundaries":
            if not args.level:
                print(
                    "gridsvc: import boundaries needs --level community|section|group",
                    file=sys.stderr,
                )
                return 2
            counts = import_boundaries(conn, args.path, args.level)
            print(f"imported {counts['features']} {args.level} boundaries from {args.path}")
            return 0
        report = import_register(
            conn,
            args.kind,
            args.path,
            crs=args.crs,
            mapping=args.mapping,
            tolerance_m=args.tolerance,
            new_only=args.new_only,
            report_dir=args.report_dir,
            progress=progress if sys.stderr.isatty() else None,
        )
    print(report.summary())
    return 0


def _print_run(result: object) -> None:
    from gridsvc.actions import RunResult

    assert isinstance(result, RunResult)
    m = result.metrics
    d, k = m["distance_m"], m["key_distance_m"]
    print(
        f"run {result.run_id} in force: {m['covered']}/{m['households']} households covered "
        f"by {m['representatives']} representatives in {m['solve_seconds']} s"
    )
    print(
        f"  loads: {m['load_histogram']}  below min {m['reps_below_min']}, "
        f"cross-group {m['cross_group']}, changed since last run {m['changed_since_last']}"
    )
    print(
        f"  distance m: mean {d['mean']} p50 {d['p50']} p95 {d['p95']} max {d['max']}; "
        f"key households mean {k['mean']} max {k['max']}"
    )
    print(f"  total {d['total']} m = {m['distance_over_nearest']} x everyone-to-nearest")
    if m.get("building_units"):
        print(
            f"  building units: {m['building_units']}, {m['units_split']} split "
            f"({m['units_split_too_big']} too big for one representative); gathering added "
            f"{m['units_gathered_extra_m']} m"
        )
    kinds = Counter(f["kind"] for f in result.findings)
    important = [f for f in result.findings if f["kind"] != "unit_split"]
    for finding in important[:15]:
        where = f" at {finding['point']}" if finding.get("point") else ""
        print(f"  ! {finding['message']}{where}")
    if kinds:
        summary = ", ".join(f"{kind} {n}" for kind, n in kinds.most_common())
        print(f"  findings: {summary} (all of them: gridsvc runs show {result.run_id})")


def cmd_assign(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.actions import assign
    from gridsvc.assign import Params
    from gridsvc.db.connection import connect, database_url

    params = Params(
        min_load=args.min,
        max_load=args.max,
        key_max=args.key_max,
        key_weight=args.key_weight,
        stability_m=args.stability,
        cross_section=args.cross_section,
    )
    with connect(database_url(settings)) as conn:
        result = assign(conn, params, section=args.section, fresh=args.fresh)
    _print_run(result)
    return 0


def cmd_runs(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.db import runs
    from gridsvc.db.connection import connect, database_url

    with connect(database_url(settings)) as conn:
        if args.action == "list":
            print(runs.list_runs(conn).to_string(index=False))
        elif args.action == "show":
            run = runs.get_run(conn, args.ids[0])
            print(json.dumps(run, ensure_ascii=False, indent=2, default=str))
        else:
            if len(args.ids) != 2:
                print("gridsvc: runs diff takes two run ids", file=sys.stderr)
                return 2
            changes = runs.diff(conn, *args.ids)
            if args.out:
                from gridsvc.exports import write_table

                notices = runs.notifications(conn, *args.ids)
                print(
                    f"wrote the notification list ({len(notices)} households) to "
                    f"{write_table(notices, args.out)}"
                )
            print(
                changes.groupby("reason").size().to_string()
                if len(changes)
                else "no household changed representative"
            )
            print(changes.head(args.limit).to_string(index=False))
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.db import runs
    from gridsvc.db.connection import connect, database_url
    from gridsvc.exports import write_contacts

    with connect(database_url(settings)) as conn:
        frame = runs.contacts(conn, args.run)
    path = write_contacts(frame, args.path, args.format)
    print(f"wrote {len(frame)} households to {path}")
    return 0


def cmd_render(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.access import Role
    from gridsvc.db.connection import connect, database_url
    from gridsvc.maps.render import render

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    sections = None if args.all or not args.section else args.section

    def progress(message: str) -> None:
        print(f"  {message}", file=sys.stderr, flush=True)

    with connect(database_url(settings)) as conn:
        done = render(
            conn,
            args.out,
            sections=sections,
            formats=formats,
            role=Role.staff if args.internal else Role.viewer,
            public_url=settings.public_url,
            tiles=settings.tiles_url,
            progress=progress if sys.stderr.isatty() else None,
        )
    size = sum(p.stat().st_size for p in done.files) / 1e6
    print(
        f"wrote {len(done.files)} files ({size:.1f} MB) under {args.out}/ in "
        f"{done.seconds['total']} s: open {args.out / 'overview.html'}"
    )
    for problem in done.problems:
        print(f"  ! {problem}", file=sys.stderr)
    return 1 if done.problems else 0


def cmd_pins(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.db import pins
    from gridsvc.db.connection import connect, database_url, transaction

    with connect(database_url(settings)) as conn, transaction(conn):
        if args.action == "list":
            print(pins.listing(conn).to_string(index=False))
            return 0
        if not (args.household and args.representative):
            print(
                "gridsvc: pins add/remove need HOUSEHOLD and REPRESENTATIVE codes", file=sys.stderr
            )
            return 2
        if args.action == "add":
            kind = "forbid" if args.forbid else "fix"
            pins.add(
                conn,
                args.household,
                args.representative,
                kind,
                note=args.note,
                max_load=args.max,
                key_max=args.key_max,
            )
            print(
                f"pinned ({kind}) {args.household} → {args.representative}; it counts from "
                "the next `gridsvc assign`"
            )
        else:
            pins.remove(conn, args.household, args.representative)
            print(f"removed the pin {args.household} → {args.representative}")
    return 0


def cmd_scenarios(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.db import scenarios
    from gridsvc.db.connection import connect, database_url, transaction

    with connect(database_url(settings)) as conn, transaction(conn):
        if args.action == "list":
            print(scenarios.listing(conn).to_string(index=False))
        elif args.action == "compare":
            print(scenarios.compare(conn, args.names).to_string())
        else:
            if len(args.names) != 1:
                print("gridsvc: scenarios promote takes one name", file=sys.stderr)
                return 2
            run = scenarios.promote(conn, args.names[0])
            print(f"scenario {args.names[0]} (run {run}) is now in force")
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.db import audit
    from gridsvc.db.connection import connect, database_url

    with connect(database_url(settings)) as conn:
        levels = audit.LEVELS if args.level == "all" else (args.level,)
        for level in levels:
            table = audit.roll_up(conn, level)
            print(f"== {level} ({len(table)} places, worst first)")
            print(table.drop(columns="level").head(args.limit).to_string(index=False))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from gridsvc.api.app import create_app

    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    print(
        f"serving on http://{host}:{port}/ with {workers} worker(s) (API docs at /docs)", flush=True
    )
    if workers == 1:
        uvicorn.run(
            create_app(settings), host=host, port=port, log_level="warning", access_log=False
        )
    else:  # each worker process builds its app (and pool) from the GRIDSVC_* environment
        uvicorn.run(
            "gridsvc.api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )
    return 0


def cmd_keys(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.access import Role
    from gridsvc.db import keys
    from gridsvc.db.connection import connect, database_url, transaction

    with connect(database_url(settings)) as conn, transaction(conn):
        if args.action == "create":
            try:
                role = Role.parse(args.role)
            except ValueError as exc:
                print(f"gridsvc: --role {exc}", file=sys.stderr)
                return 2
            key = keys.create_key(conn, args.name or args.role, role)
            print(key)
            print(f"(role {role.name}; shown once, stored only as a hash)", file=sys.stderr)
        elif args.action == "list":
            print(keys.list_keys(conn).to_string(index=False))
        elif not keys.revoke_key(conn, args.id):
            print(f"gridsvc: key {args.id}: no such active key", file=sys.stderr)
            return 2
        else:
            print(f"key {args.id} revoked")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gridsvc", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="the store: start, stop, show the connection URL")
    db.add_argument("action", choices=["up", "down", "status"])
    db.set_defaults(handler=cmd_db)

    smp = sub.add_parser("sample", help="the reproducible sample street")
    smp.add_argument("action", choices=["generate"])
    smp.add_argument("--seed", type=int, default=20221228)
    smp.add_argument("--out", type=Path, default=Path("geodata/guihua"))
    smp.set_defaults(handler=cmd_sample)

    load = sub.add_parser("load", help="load a street folder (GeoJSON areas, CSV people)")
    load.add_argument("folder", type=Path)
    load.set_defaults(handler=cmd_load)

    imp = sub.add_parser("import", help="import a register (CSV/XLSX/XLS) or boundaries")
    imp.add_argument("kind", choices=["households", "representatives", "boundaries"])
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
    imp.set_defaults(handler=cmd_import)

    asg = sub.add_parser("assign", help="assign every household to a representative")
    asg.add_argument("--section", help="re-solve one section; the others keep their run")
    asg.add_argument("--min", type=int, default=5, help="minimum households per representative")
    asg.add_argument("--max", type=int, default=15, help="maximum households per representative")
    asg.add_argument("--key-max", type=int, default=3, help="key households per representative")
    asg.add_argument(
        "--key-weight", type=float, default=2.0, help="weight of key households' distance"
    )
    asg.add_argument(
        "--stability",
        type=float,
        default=100.0,
        help="metres a move must save before a household changes representative",
    )
    asg.add_argument("--fresh", action="store_true", help="ignore the run in force")
    asg.add_argument(
        "--cross-section",
        action="store_true",
        help="allow crossing sections (inside the community) where room lacks",
    )
    asg.add_argument("--scenario", help="compute a what-if run kept beside the run in force")
    asg.add_argument(
        "--add-representatives", type=Path, help="scenario: a CSV/XLSX of proposed representatives"
    )
    asg.add_argument(
        "--split-units",
        action="store_true",
        help="skip gathering split building units (pure distance optimum)",
    )
    asg.set_defaults(handler=cmd_assign)

    pin = sub.add_parser("pins", help="fix a household to a representative, or forbid a pair")
    pin.add_argument("action", choices=["add", "remove", "list"])
    pin.add_argument("household", nargs="?")
    pin.add_argument("representative", nargs="?")
    pin.add_argument("--forbid", action="store_true", help="forbid the pair instead of fixing")
    pin.add_argument("--note", default="", help="why (an old neighbour, a relative...)")
    pin.add_argument("--max", type=int, default=15, help="the maximum load pins may not exceed")
    pin.add_argument("--key-max", type=int, default=3)
    pin.set_defaults(handler=cmd_pins)

    scn = sub.add_parser("scenarios", help="list, compare or promote what-if runs")
    scn.add_argument("action", choices=["list", "compare", "promote"])
    scn.add_argument("names", nargs="*")
    scn.set_defaults(handler=cmd_scenarios)

    aud = sub.add_parser("audit", help="the roll-up audit at five levels, worst first")
    aud.add_argument(
        "--level",
        default="all",
        choices=["all", "street", "community", "section", "group", "representative"],
    )
    aud.add_argument("--limit", type=int, default=10)
    aud.set_defaults(handler=cmd_audit)

    rn = sub.add_parser("runs", help="list, show or compare assignment runs")
    rn.add_argument("action", choices=["list", "show", "diff"])
    rn.add_argument("ids", type=int, nargs="*")
    rn.add_argument(
        "--out", type=Path, help="diff: write the notification list (.csv or .xlsx) for the office"
    )
    rn.add_argument("--limit", type=int, default=30, help="diff: rows to print")
    rn.set_defaults(handler=cmd_runs)

    exp = sub.add_parser("export", help="export the contact list (代表联户清单)")
    exp.add_argument("what", choices=["contacts"])
    exp.add_argument("path", type=Path)
    exp.add_argument("--format", choices=["csv", "xlsx", "geojson"], default="csv")
    exp.add_argument("--run", type=int, help="a run id (default: the run in force)")
    exp.set_defaults(handler=cmd_export)

    ren = sub.add_parser("render", help="render maps, print sheets, contact cards, org charts")
    ren.add_argument("--section", action="append", help="a section code (repeatable)")
    ren.add_argument("--all", action="store_true", help="every section (the default)")
    ren.add_argument("--format", default="html,png,pdf", help="any of html,png,pdf")
    ren.add_argument("--out", type=Path, default=Path("maps"))
    ren.add_argument(
        "--internal",
        action="store_true",
        help="mark key households on the HTML maps (staff use only)",
    )
    ren.set_defaults(handler=cmd_render)

    key = sub.add_parser("keys", help="API keys: create (printed once), list, revoke")
    key.add_argument("action", choices=["create", "list", "revoke"])
    key.add_argument("--role", default="viewer", help="viewer, staff or planner")
    key.add_argument("--name", help="who the key is for")
    key.add_argument("--id", type=int, help="revoke: the key's id")
    key.set_defaults(handler=cmd_keys)

    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, help="server processes (default 1; GRIDSVC_WORKERS)")
    serve.set_defaults(handler=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args, Settings())
    except GridsvcError as exc:
        print(f"gridsvc: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
