"""The `gridsvc` command: thin wrappers over the actions, errors printed on one line."""

from __future__ import annotations

import argparse
import json
import sys
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


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from gridsvc.api.app import create_app

    host = args.host or settings.host
    port = args.port or settings.port
    print(f"serving on http://{host}:{port}/ (API docs at /docs)", flush=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
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

    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
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
