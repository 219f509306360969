"""The `gridsvc` command: one module per command group, each thin (parse, call one service
function, print); heavy libraries are imported only by the command that needs them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gridsvc.cli import (
    keys,
    offices,
    outputs,
    registers,
    reps,
    requests,
    runs,
    steering,
    store,
    users,
    work,
)
from gridsvc.cli.common import in_flags
from gridsvc.errors import GridsvcError
from gridsvc.settings import Settings

GROUPS = (store, registers, runs, steering, outputs, keys, work, requests, offices, users, reps)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gridsvc",
        description="Representatives and the households they contact (我联谁，谁联我).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args, Settings()))
    except GridsvcError as exc:
        print(f"gridsvc: {in_flags(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gridsvc: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
