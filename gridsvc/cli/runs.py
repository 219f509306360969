"""`gridsvc assign` and `gridsvc runs`: solve a run (or a scenario), list, show, diff."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from gridsvc.cli.common import connection, fail, terminal_actor
from gridsvc.settings import Settings


def print_run(result) -> None:  # type: ignore[no-untyped-def]
    """A run's summary for the planner: coverage, loads, distances, findings by kind."""
    m = result.metrics
    d, k = m["distance_m"], m["key_distance_m"]
    where = (
        "in force"
        if result.in_force
        else f"kept as scenario {result.scenario!r} (the run in force is unchanged)"
    )
    print(
        f"run {result.run_id} {where}: {m['covered']}/{m['households']} households covered "
        f"by {m['representatives']} representatives in {m['solve_seconds']} s"
    )
    print(
        f"  blocks solved {result.blocks_solved}, kept as they were {result.blocks_kept}; "
        f"changed since the run in force {m['changed_since_last']}"
    )
    print(
        f"  loads: {m['load_histogram']}  below min {m['reps_below_min']}, "
        f"cross-group {m['cross_group']}"
    )
    print(
        f"  distance m: mean {d['mean']} p50 {d['p50']} p95 {d['p95']} max {d['max']}; "
        f"key households mean {k['mean']} max {k['max']}"
    )
    print(f"  total {d['total']} m = {m['distance_over_nearest']} x everyone-to-nearest")
    if m.get("building_units"):
        print(
            f"  building units: {m['building_units']}, {m['units_split']} split "
            f"({m['units_split_too_big']} too big for one representative); keeping units "
            f"together cost {m['units_gathered_extra_m']} m over the distance optimum "
            f"({m['flow_optimum_m']} m)"
        )
    if result.stages:
        print(
            "  seconds: "
            + ", ".join(f"{stage} {seconds:.2f}" for stage, seconds in result.stages.items())
            + " (arcs are made inside the solve; metrics overlap the store)"
        )
    kinds = Counter(f.kind.value for f in result.findings)
    for finding in [f for f in result.findings if f.kind.value != "unit_split"][:15]:
        at = f" at {list(finding.point)}" if finding.point else ""
        print(f"  ! {finding.message}{at}")
    if kinds:
        summary = ", ".join(f"{kind} {n}" for kind, n in kinds.most_common())
        print(f"  findings: {summary} (all of them: gridsvc runs show {result.run_id})")


def cmd_assign(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.assign import Params
    from gridsvc.services.runs import RunOrder, assign

    defaults = Params()
    params = Params(
        min_load=defaults.min_load if args.min is None else args.min,
        max_load=defaults.max_load if args.max is None else args.max,
        key_max=defaults.key_max if args.key_max is None else args.key_max,
        key_weight=defaults.key_weight if args.key_weight is None else args.key_weight,
        stability_m=defaults.stability_m if args.stability is None else args.stability,
        cross_section=args.cross_section,
        keep_units=not args.split_units,
    )
    order = RunOrder(
        params,
        section=args.section,
        fresh=args.fresh,
        scenario=args.scenario,
        add_representatives=args.add_representatives,
        force=args.force,
    )
    with connection(settings) as conn:
        result = assign(conn, terminal_actor("assign"), order)
    print_run(result)
    return 0


def cmd_runs(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.services import exports, runs

    actor = terminal_actor("runs")
    with connection(settings) as conn:
        if args.action == "list":
            table = runs.list_runs(conn, actor, args.limit)
            print(table.drop(columns=["error"]).to_string(index=False))
            for row in table[table["status"] == "failed"].itertuples():
                print(f"  run {row.id} failed: {row.error}")
            return 0
        if args.action == "show":
            if len(args.ids) != 1:
                return fail("runs show takes one run id")
            shown = runs.get_run(conn, actor, args.ids[0])
            print(json.dumps(shown, ensure_ascii=False, indent=2, default=str))
            return 0
        if len(args.ids) != 2:
            return fail("runs diff takes two run ids")
        run_a, run_b = args.ids
        changes = exports.run_changes(conn, actor, run_a, run_b)
        if args.out:
            done = exports.export_notifications(conn, actor, run_a, run_b, args.out)
            print(f"wrote the notification list ({done.rows} households) to {done.path}")
    print(
        changes.groupby("reason").size().to_string()
        if len(changes)
        else "no household changed representative"
    )
    print(f"{len(changes)} households changed representative")
    print(changes.head(args.limit).to_string(index=False))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    asg = sub.add_parser("assign", help="assign every household to a representative")
    asg.add_argument("--section", help="re-solve one section; the others keep their run")
    asg.add_argument("--min", type=int, help="minimum households per representative (5)")
    asg.add_argument("--max", type=int, help="maximum households per representative (15)")
    asg.add_argument("--key-max", type=int, help="key households per representative (3)")
    asg.add_argument("--key-weight", type=float, help="weight of key households' distance (2)")
    asg.add_argument(
        "--stability",
        type=float,
        help="metres a move must save before a household changes representative (100)",
    )
    asg.add_argument(
        "--fresh", action="store_true", help="ignore the run in force and re-solve every section"
    )
    asg.add_argument(
        "--cross-section",
        action="store_true",
        help="allow crossing sections (inside the community) where room lacks",
    )
    asg.add_argument(
        "--scenario", help="compute a what-if run kept beside the run in force (never in force)"
    )
    asg.add_argument(
        "--add-representatives", type=Path, help="scenario: a CSV/XLSX of proposed representatives"
    )
    asg.add_argument(
        "--split-units",
        action="store_true",
        help="do not keep building units together: the pure distance optimum",
    )
    asg.add_argument(
        "--force", action="store_true", help="put the run in force even with coverage below 95 %%"
    )
    asg.set_defaults(handler=cmd_assign)

    rn = sub.add_parser("runs", help="list, show or compare assignment runs")
    rn.add_argument("action", choices=["list", "show", "diff"])
    rn.add_argument("ids", type=int, nargs="*")
    rn.add_argument(
        "--out", type=Path, help="diff: write the notification list (.csv or .xlsx) for the office"
    )
    rn.add_argument("--limit", type=int, default=30, help="rows to print")
    rn.set_defaults(handler=cmd_runs)
