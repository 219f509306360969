"""`gridsvc export`, `gridsvc render`, `gridsvc audit`: what goes out to people."""

from __future__ import annotations

import argparse
from pathlib import Path

from gridsvc.cli.common import connection, progress, terminal_actor
from gridsvc.settings import Settings


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.services.exports import export_contacts

    with connection(settings) as conn:
        done = export_contacts(conn, terminal_actor("export"), args.path, args.format, args.run)
    print(f"wrote {done.rows} households to {done.path} ({done.format})")
    return 0


def cmd_render(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.services.maps import render_files

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    say = progress() or (lambda line: print(line, flush=True))
    sections = None if args.all or not args.section else args.section
    with connection(settings) as conn:
        if args.cache:  # what the server serves: the run in force, for a notice board
            from gridsvc.services.printing import prerender

            made = ("pdf", "png") if "png" in formats else ("pdf",)  # PNGs only if asked
            folder = prerender(conn, terminal_actor("render"), settings, sections, say, made)
            print(f"done: {folder}")
            return 0
        done = render_files(
            conn,
            terminal_actor("render"),
            args.out,
            sections=sections,
            formats=formats,
            internal=args.internal,
            public_url=settings.public_url,
            draft=args.draft,
            tiles=settings.tiles_url,
            progress=say,
        )
    size = sum(p.stat().st_size for p in done.files) / 1e6
    print(
        f"wrote {len(done.files)} files ({size:.1f} MB) under {args.out}/ in "
        f"{done.seconds['total']} s: open {args.out / 'overview.html'}"
    )
    for problem in done.problems:
        print(f"  ! {problem}")
    return 1 if done.problems else 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.services import structure

    actor = terminal_actor("audit")
    levels = structure.LEVELS if args.level == "all" else (args.level,)
    with connection(settings) as conn:
        for level in levels:
            if level == "representative":
                reps = structure.representative_audit(conn, actor)
                bad = [r for r in reps if r.out_of_range]
                print(f"== representative ({len(reps)}, {len(bad)} with loads out of range)")
                for r in bad[: args.limit]:
                    print(f"  {r.code} ({r.group_code}): {r.load} not in {r.min_load}–{r.max_load}")
                continue
            if level == "street":
                from gridsvc.services.people import gaps

                missing = gaps(conn, actor)
                print(f"== people: {len(missing)} places without their head")
                for row in missing.head(args.limit).itertuples():
                    print(f"  {row.level} {row.code}: no {row.missing}")
            found = structure.audit(conn, actor, level)
            print(f"== {level} ({len(found)} places, worst first)")
            for p in found[: args.limit]:
                print(
                    f"  {p.code} {p.name}: households {p.households}, uncovered {p.uncovered}, "
                    f"loads out of range {p.loads_out_of_range}, cross-group {p.cross_group}, "
                    f"farthest key household {p.key_max_m} m"
                )
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    exp = sub.add_parser("export", help="export the contact list (代表联户清单)")
    exp.add_argument("what", choices=["contacts"])
    exp.add_argument("path", type=Path)
    exp.add_argument(
        "--format", choices=["csv", "xlsx", "geojson"], help="default: the file's suffix"
    )
    exp.add_argument("--run", type=int, help="a run id (default: the run in force)")
    exp.set_defaults(handler=cmd_export)

    ren = sub.add_parser("render", help="render maps, print sheets, contact cards, org charts")
    ren.add_argument("--section", action="append", help="a section code (repeatable)")
    ren.add_argument("--all", action="store_true", help="every section (the default)")
    ren.add_argument(
        "--format",
        default="html",
        help="any of html,png,pdf (default html: maps and print pages, no browser; pdf adds "
        "the sheets, cards, org charts and, for the whole street, atlas.pdf)",
    )
    ren.add_argument("--out", type=Path, default=Path("maps"))
    ren.add_argument(
        "--internal",
        action="store_true",
        help="staff's full view on the HTML maps (names, exact homes, key households)",
    )
    ren.add_argument(
        "--draft",
        action="store_true",
        help="allow an unset or loopback GRIDSVC_PUBLIC_URL in the cards' QR codes (marked 样稿)",
    )
    ren.add_argument(
        "--cache",
        action="store_true",
        help="render what the server serves for the run in force into its cache: the PDFs, "
        "and the PNGs too with --format png",
    )
    ren.set_defaults(handler=cmd_render)

    aud = sub.add_parser("audit", help="the roll-up audit at five levels, worst first")
    aud.add_argument(
        "--level",
        default="all",
        choices=["all", "street", "community", "section", "group", "representative"],
    )
    aud.add_argument("--limit", type=int, default=10)
    aud.set_defaults(handler=cmd_audit)
