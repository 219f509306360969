"""What every command shares: the actor at the terminal, a connection, progress lines."""

from __future__ import annotations

import getpass
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from gridsvc.access import Actor, Role
from gridsvc.settings import Settings


def terminal_actor(command: str) -> Actor:
    """The person at the terminal: whoever can run gridsvc here operates the store, so a
    planner of the whole street; the audit names their OS user."""
    return Actor(f"cli:{getpass.getuser()}", Role.planner, via=f"cli {command}")


@contextmanager
def connection(settings: Settings) -> Iterator:  # type: ignore[type-arg]
    """A connection to the store (autocommit: each service opens its own transaction)."""
    from gridsvc.db.connection import connect, database_url

    conn = connect(database_url(settings), settings)
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


def progress() -> Callable[[str], None] | None:
    """Progress lines on standard error when a person watches (a terminal)."""
    if not sys.stderr.isatty():
        return None
    return lambda message: print(f"  {message}", file=sys.stderr, flush=True)


def fail(message: str) -> int:
    """A usage error in one line."""
    print(f"gridsvc: {message}", file=sys.stderr)
    return 2


# the core names parameters by field; at the terminal they are flags
FLAGS = {
    "min_load": "--min",
    "max_load": "--max",
    "key_max": "--key-max",
    "key_weight": "--key-weight",
    "stability_m": "--stability",
    "tolerance": "--tolerance",
    "new_only": "--new-only",
    "add_representatives": "--add-representatives",
    "crs": "--crs",
    "mapping": "--mapping",
    "move_households": "--move-households",
}
_FIELD = re.compile(r"\b(" + "|".join(FLAGS) + r")\b")


def in_flags(message: str) -> str:
    """A core message worded for the terminal: field names become the command's flags."""
    return _FIELD.sub(lambda m: FLAGS[m.group(1)], message)
