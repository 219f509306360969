"""The process pool: workers read shared state without pickling it, agree with the serial
solve, and die with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from gridsvc.assign import Params, solve
from gridsvc.assign.cohesion import keep_units_together
from gridsvc.assign.pool import map_shared, shared
from tests.assign.factories import random_problem, with_units

ROOT = Path(__file__).resolve().parents[2]


def _read_shared(i: int) -> tuple[int, int]:
    _, values = shared()
    return os.getpid(), int(values[i])


def test_workers_read_the_state_without_pickling_it() -> None:
    # a lock cannot be pickled: the workers must see it through the fork
    state = (threading.Lock(), np.arange(100) * 3)
    results = map_shared(_read_shared, [(i,) for i in range(40)], state, workers=2)
    assert [v for _, v in results] == [3 * i for i in range(40)]
    assert os.getpid() not in {pid for pid, _ in results}
    assert shared() is None  # nothing is left behind in the parent


def test_parallel_solve_equals_the_serial_one() -> None:
    problem = random_problem(np.random.default_rng(3), sections=40, key_share=0.1)
    serial = solve(problem, Params(workers=1))
    parallel = solve(problem, Params(workers=2))
    assert np.array_equal(serial.rep, parallel.rep)
    assert serial.arcs == parallel.arcs


SOLVE_FOREVER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from gridsvc.assign import Params, solve
    from tests.assign.factories import random_problem

    problem = random_problem(np.random.default_rng(1), sections=300)
    print("ready", flush=True)
    while True:
        solve(problem, Params(workers=2))
    """
)


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    """Running or sleeping; a zombie (killed, not yet reaped) holds no files any more."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_when_their_parent_is_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", SOLVE_FOREVER],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline:
            workers = {pid for pid in _children(parent.pid) if _alive(pid)}
            time.sleep(0.01)
        assert len(workers) >= 2, "the parallel solve never started its workers"
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivors = [pid for pid in workers if _alive(pid)]
        for pid in survivors:  # don't leave them behind if the test fails
            os.kill(pid, signal.SIGKILL)
        assert not survivors, f"workers {survivors} outlived their killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_parallel_gathering_equals_the_serial_one() -> None:
    rng = np.random.default_rng(8)
    problem = with_units(random_problem(rng, sections=40, key_share=0.05), rng)
    # households of all sections interleaved, with pins and forbidden pairs
    order = rng.permutation(problem.n_households)
    for name in ("hh_xy", "hh_group", "hh_block", "hh_key", "hh_prev", "hh_unit", "hh_fixed"):
        setattr(problem, name, getattr(problem, name)[order])
    chosen = rng.choice(problem.n_households, 60, replace=False)
    for h in chosen[:30]:
        problem.hh_fixed[h] = rng.choice(np.flatnonzero(problem.rep_group == problem.hh_group[h]))
    problem.forbidden = np.array(
        [
            [h, rng.choice(np.flatnonzero(problem.rep_group == problem.hh_group[h]))]
            for h in chosen[30:]
        ]
    )
    flow = solve(problem, Params(workers=1))
    serial, serial_m = keep_units_together(problem, flow, params=Params(workers=1))
    parallel, parallel_m = keep_units_together(problem, flow, params=Params(workers=2))
    assert np.array_equal(serial.rep, parallel.rep)
    assert parallel_m == pytest.approx(serial_m) and serial_m > 0
    assert np.array_equal(flow.rep, solve(problem, Params(workers=2)).rep)
