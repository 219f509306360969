"""Issue 17 item 2 (the database side): gridsvc's sessions carry a statement timeout and an
idle-in-transaction timeout, so a killed client never leaves a backend holding its locks."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time

import psycopg2
import psycopg2.errors
import pytest

from gridsvc.api.pool import Pool
from gridsvc.db.connection import connect
from gridsvc.settings import Settings
from tests.hardening.conftest import Throwaway

LOCK_KEY = 917_017


def _shown(conn: psycopg2.extensions.connection) -> tuple[str, str]:
    with conn.cursor() as cur:
        cur.execute("SHOW statement_timeout")
        statement = cur.fetchone()[0]  # type: ignore[index]
        cur.execute("SHOW idle_in_transaction_session_timeout")
        idle = cur.fetchone()[0]  # type: ignore[index]
    conn.rollback()
    return statement, idle


def test_cli_sessions_carry_the_timeouts(throwaway: Throwaway) -> None:
    conn = connect(throwaway.app_url)
    assert _shown(conn) == ("10min", "1min")  # the defaults
    conn.close()
    settings = Settings(statement_timeout_s=1800, idle_in_transaction_timeout_s=30)
    conn = connect(throwaway.app_url, settings)
    assert _shown(conn) == ("30min", "30s")
    conn.close()


def test_api_sessions_carry_the_timeouts(throwaway: Throwaway) -> None:
    async def lend() -> tuple[str, str]:
        pool = Pool(throwaway.app_url, 1, Settings(idle_in_transaction_timeout_s=20))
        try:
            async with pool.lend(autocommit=False) as conn:
                return _shown(conn)
        finally:
            pool.close()

    assert asyncio.run(lend()) == ("10min", "20s")


def test_a_lock_left_by_a_failed_request_does_not_outlive_it(throwaway: Throwaway) -> None:
    # issue item 1's failure path: the request dies holding a session-level advisory lock
    async def failed_request(pool: Pool) -> int:
        with pytest.raises(RuntimeError):
            async with pool.lend(autocommit=False) as conn:
                with conn.cursor() as cur:
                    cur.execute("SELECT pg_advisory_lock(%s), pg_backend_pid()", (LOCK_KEY,))
                    pid = cur.fetchone()[1]  # type: ignore[index]
                raise RuntimeError("the request fails")
        return int(pid)

    pool = Pool(throwaway.app_url, 1)
    try:
        pid = asyncio.run(failed_request(pool))
        other = psycopg2.connect(throwaway.app_url)
        other.autocommit = True
        with other.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
            assert cur.fetchone() == (1,)  # the pooled session lives on ...
            cur.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))
            assert cur.fetchone() == (True,)  # ... without the lock
        other.close()
    finally:
        pool.close()


def test_a_statement_over_the_timeout_is_cancelled(throwaway: Throwaway) -> None:
    conn = connect(throwaway.app_url, Settings(statement_timeout_s=0.3))
    started = time.monotonic()
    with pytest.raises(psycopg2.errors.QueryCanceled), conn.cursor() as cur:
        cur.execute("SELECT pg_sleep(5)")
    assert time.monotonic() - started < 3
    conn.close()


# A client that takes the lock in a transaction, leaves a forked child holding the socket (as
# orphaned solver workers did), prints the child's pid and waits to be killed.
CLIENT = textwrap.dedent(
    """
    import os, sys, time
    from gridsvc.db.connection import connect
    from gridsvc.settings import Settings
    conn = connect(sys.argv[1], Settings(idle_in_transaction_timeout_s=1))
    conn.cursor().execute("SELECT pg_advisory_xact_lock(%s)", (int(sys.argv[2]),))
    child = os.fork()
    if child == 0:
        time.sleep(60)
        os._exit(0)
    print(child, flush=True)
    time.sleep(60)
    """
)


def test_a_killed_client_with_an_orphan_frees_its_lock_within_seconds(
    throwaway: Throwaway,
) -> None:
    client = subprocess.Popen(
        [sys.executable, "-c", CLIENT, throwaway.app_url, str(LOCK_KEY)],
        stdout=subprocess.PIPE,
        text=True,
    )
    orphan = int(client.stdout.readline())  # type: ignore[union-attr]
    try:
        client.send_signal(signal.SIGKILL)
        client.wait(10)
        killed = time.monotonic()
        other = psycopg2.connect(throwaway.app_url)
        other.autocommit = True
        with other.cursor() as cur:
            while True:
                cur.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))
                if cur.fetchone()[0]:  # type: ignore[index]
                    break
                assert time.monotonic() - killed < 10, "the lock is still held after 10 s"
                time.sleep(0.2)
            cur.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
        other.close()
    finally:
        os.kill(orphan, signal.SIGKILL)
