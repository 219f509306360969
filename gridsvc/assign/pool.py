"""A process pool that shares the parent's arrays (fork, copy-on-write) and dies with it."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_state: Any = None  # what the tasks read; set before the workers fork, so never pickled
_one_at_a_time = threading.Lock()  # _state is one slot: solves in threads take turns


def shared() -> Any:
    """The state given to `map_shared`, in the parent or in a worker."""
    return _state


def map_shared(
    fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], state: Any, workers: int
) -> list[T]:
    """fn(*task) for every task, in order, with `state` readable through `shared()`.

    With workers > 1 the tasks run in forked processes: they see `state` through copy-on-write
    pages instead of a pickled copy each, and only the tasks' small arguments and results
    cross the pipes. Each worker asks the kernel to kill it when its parent dies, so a killed
    parent leaves no orphan holding its inherited sockets (such as a database connection).
    """
    global _state
    with _one_at_a_time:
        _state = state
        try:
            if workers <= 1 or len(tasks) < 2 or not _can_fork():
                return [fn(*task) for task in tasks]
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(
                min(workers, len(tasks)),
                mp_context=context,
                initializer=die_with_parent,
                initargs=(os.getpid(),),
            ) as pool:
                return list(pool.map(fn, *zip(*tasks, strict=True)))
        finally:
            _state = None


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def die_with_parent(parent_pid: int) -> None:
    """Pool initializer: SIGKILL this process when its parent dies (Linux), and die now if the
    parent is already gone (it may have died between the fork and the prctl)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), signal.SIGKILL)
