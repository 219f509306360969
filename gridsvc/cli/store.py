"""`gridsvc db`, `gridsvc sample`, `gridsvc serve`: the store, the sample street, the server."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gridsvc.settings import Settings


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc.db.connection import (
        connect,
        database_url,
        ensure_store,
        local_cluster,
        server_version,
    )

    if args.action == "up":
        print(f"database ready: {ensure_store(settings)}")
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
        conn = connect(url)
        try:
            version = server_version(conn)
        finally:
            conn.close()
        print(f"running: {url}\n{version}")
    return 0


def cmd_sample(args: argparse.Namespace, settings: Settings) -> int:
    from gridsvc import sample, sample_requests, sample_work
    from gridsvc.sample_people import generate_roster
    from gridsvc.services.offices import write_sample_offices

    street = sample.generate(seed=args.seed)
    frames: dict = street  # type: ignore[type-arg]
    for path in sample.write(street, args.out):
        print(f"wrote {path}")
    roster = generate_roster(
        frames["communities"],
        frames["sections"],
        frames["groups"],
        frames["representatives"],
        args.seed,
    )
    roster.to_csv(args.out / "roster.csv", index=False, encoding="utf-8", lineterminator="\n")
    print(f"wrote {args.out / 'roster.csv'}")
    # a year of visits, points and receptions (loaded by `gridsvc work load`)
    work = sample_work.generate(frames["households"], frames["representatives"], args.seed)
    for path in sample_work.write(work, args.out):
        print(f"wrote {path}")
    made = sample_requests.generate(frames["representatives"], frames["households"], seed=args.seed)
    print(f"wrote {sample_requests.write(made, args.out)} ({len(made)} requests)")
    codes = [str(c) for c in frames["communities"]["code"]]
    print(f"wrote {write_sample_offices(codes, args.out)}")
    print(json.dumps(frames["meta"]["counts"], ensure_ascii=False))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from gridsvc.api.app import create_app, server_options

    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    # each worker holds a pool and a look-up pool: the store must allow that many connections
    connections = workers * (settings.pool_size + settings.lookup_pool_size)
    print(
        f"serving on http://{host}:{port}/ with {workers} worker(s), up to {connections} database"
        " connections (API docs at /docs)",
        flush=True,
    )
    options = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "access_log": False,
        **server_options(settings),
    }
    if workers == 1:
        uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
    else:  # each worker process builds its app (and pools) from the GRIDSVC_* environment
        from gridsvc.api.workers import serve_many

        serve_many(workers, options)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    db = sub.add_parser("db", help="the store: start, stop, show the connection URL")
    db.add_argument("action", choices=["up", "down", "status"])
    db.set_defaults(handler=cmd_db)

    smp = sub.add_parser("sample", help="the reproducible sample street")
    smp.add_argument("action", choices=["generate"])
    smp.add_argument("--seed", type=int, default=20221228)
    smp.add_argument("--out", type=Path, default=Path("geodata/guihua"))
    smp.set_defaults(handler=cmd_sample)

    serve = sub.add_parser("serve", help="run the HTTP API and pages")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--workers", type=int, help="server processes (default: one per core; GRIDSVC_WORKERS)"
    )
    serve.set_defaults(handler=cmd_serve)
